"""Maintaining the requirement matrix (TFA 10.1: requirements kept as configuration,
reviewed and dropped when no longer needed; TFA 10.4). Only supervisors of the agency
that owns a line may add or change it. A change never rewrites a version: it closes the
version in force and adds the next one (ADR 0004)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.accounts.models import Organisation
from ventanilla.agencies.models import RequirementLine
from ventanilla.agencies.rules import COUNTRY_FIELDS, LINE_RULES, LineContext, enforce
from ventanilla.agencies.services._common import MANAGE_LINES, SELF, require_perm
from ventanilla.audit.services import audit_record
from ventanilla.core.errors import BusinessError, ConflictError, ErrorItem
from ventanilla.reference.selectors import country_qs, document_type_qs

EDITABLE = (
    "hs_prefix",
    "origin_country",
    "export_country",
    "destination_country",
    "declaration_type",
    "procedure_code",
    "action",
    "document_type_code",
    "description_en",
    "description_es",
    "sequence",
    "sla_hours",
    "perishable_sla_hours",
    "legal_basis",
)
UPPER = (
    "origin_country",
    "export_country",
    "destination_country",
    "declaration_type",
    "document_type_code",
)


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    for name, value in data.items():
        if isinstance(value, str):
            out[name] = value.strip().upper() if name in UPPER else value.strip()
    out["hs_prefix"] = (out.get("hs_prefix") or "").replace(".", "").replace(" ", "")
    return out


def _next_key(agency: Organisation) -> str:
    n = RequirementLine.objects.filter(agency=agency).values("key").distinct().count() + 1
    while RequirementLine.objects.filter(key=f"{agency.code}-{n:04d}").exists():
        n += 1
    return f"{agency.code}-{n:04d}"


def _context(
    data: dict[str, Any], today: dt.date, kept: dict[str, Any] | None = None
) -> LineContext:
    """The rules' context, with the reference codes in force when the version begins."""
    day = data.get("valid_from") or timezone.localdate()
    wanted = {data.get(n) for n in COUNTRY_FIELDS}
    return LineContext(
        data,
        today,
        countries=frozenset(
            country_qs(day=day).filter(code__in=wanted - {""}).values_list("code", flat=True)
        ),
        documents=frozenset(
            document_type_qs(day=day)
            .filter(code=data.get("document_type_code") or "")
            .values_list("code", flat=True)
        ),
        kept=kept or {},
    )


def _lock(line: RequirementLine) -> RequirementLine:
    return (
        RequirementLine.objects.select_for_update(of=SELF).select_related("agency").get(pk=line.pk)
    )


def _values(line: RequirementLine) -> dict[str, Any]:
    return {name: getattr(line, name) for name in EDITABLE}


def _audit_payload(data: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in data.items()}


@transaction.atomic
def requirement_line_add(
    *,
    agency: Organisation,
    hs_prefix: str,
    action: str,
    description_en: str,
    description_es: str = "",
    origin_country: str = "",
    export_country: str = "",
    destination_country: str = "",
    declaration_type: str = "",
    procedure_code: str = "",
    document_type_code: str = "",
    sequence: int = 0,
    sla_hours: int = 24,
    perishable_sla_hours: int = 4,
    legal_basis: str = "",
    valid_from: dt.date | None = None,
    by: Any | None,
) -> RequirementLine:
    require_perm(by, MANAGE_LINES, agency)
    if agency.kind != "agency":
        raise BusinessError.single(
            "not_an_agency", _("Only a border agency owns requirement lines."), "agency"
        )
    data = _clean(
        {
            "hs_prefix": hs_prefix,
            "origin_country": origin_country,
            "export_country": export_country,
            "destination_country": destination_country,
            "declaration_type": declaration_type,
            "procedure_code": procedure_code,
            "action": action,
            "document_type_code": document_type_code,
            "description_en": description_en,
            "description_es": description_es,
            "sequence": sequence,
            "sla_hours": sla_hours,
            "perishable_sla_hours": perishable_sla_hours,
            "legal_basis": legal_basis,
            "valid_from": valid_from or timezone.localdate(),
        }
    )
    # Loaders (``by=None``) may record lines already in force; people only from today on.
    enforce(LINE_RULES, _context(data, timezone.localdate() if by is not None else dt.date.min))
    line = RequirementLine(
        agency=agency,
        key=_next_key(agency),
        created_by=by if getattr(by, "pk", None) else None,
        **data,
    )
    line.save()
    audit_record(
        verb="requirement_line.added",
        target=line,
        by=by,
        organisation=agency,
        payload={"key": line.key, **_audit_payload(data)},
    )
    return line


@transaction.atomic
def requirement_line_change(
    *,
    line: RequirementLine,
    changes: dict[str, Any],
    valid_from: dt.date | None = None,
    by: Any | None,
) -> RequirementLine:
    """Close the version in force the day before ``valid_from`` (today by default) and add
    the new version. A call that changes nothing returns the line as it is."""
    line = _lock(line)
    require_perm(by, MANAGE_LINES, line.agency)
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise BusinessError(
            [
                ErrorItem("field_not_editable", _("This field cannot be changed."), name)
                for name in unknown
            ]
        )
    if line.valid_to is not None:
        raise ConflictError(
            "line_not_current", _("Only the version in force or to come can be changed."), None
        )
    valid_from = valid_from or timezone.localdate()
    current = _values(line)
    data = _clean({**current, **changes, "valid_from": valid_from})
    if all(data[k] == current[k] for k in EDITABLE):
        return line
    enforce(LINE_RULES, _context(data, timezone.localdate(), kept=current))
    if valid_from <= line.valid_from:
        raise BusinessError.single(
            "valid_from_not_after_version",
            _("The new version must take effect after the version it replaces began."),
            "valid_from",
        )
    line.valid_to = valid_from  # closing the version is the one update ever made to it
    line.save(update_fields=["valid_to"])
    new = RequirementLine(
        agency=line.agency, key=line.key, created_by=by if getattr(by, "pk", None) else None, **data
    )
    new.save()
    audit_record(
        verb="requirement_line.changed",
        target=new,
        by=by,
        organisation=line.agency,
        payload={
            "key": line.key,
            "replaces": line.pk,
            "changes": _audit_payload({k: data[k] for k in EDITABLE if data[k] != current[k]}),
            "valid_from": valid_from.isoformat(),
        },
    )
    return new


@transaction.atomic
def requirement_line_end(
    *, line: RequirementLine, valid_to: dt.date | None = None, by: Any | None
) -> RequirementLine:
    """Drop a requirement no longer needed (TFA 10.1) from ``valid_to`` (today by
    default); past declarations are still read against it."""
    line = _lock(line)
    require_perm(by, MANAGE_LINES, line.agency)
    if line.valid_to is not None:
        raise ConflictError(
            "line_not_current", _("Only the version in force or to come can be changed."), None
        )
    valid_to = valid_to or timezone.localdate()
    if valid_to < timezone.localdate() or valid_to <= line.valid_from:
        raise BusinessError.single(
            "valid_to_invalid",
            _("A line ends today or later, and after the day it began."),
            "valid_to",
        )
    line.valid_to = valid_to
    line.save(update_fields=["valid_to"])
    audit_record(
        verb="requirement_line.ended",
        target=line,
        by=by,
        organisation=line.agency,
        payload={"key": line.key, "valid_to": valid_to.isoformat()},
    )
    return line
