"""Writes of the risk app. Each is one transaction with its audit event.

Profiles are published data, never overwritten (developers' guide, habit 7): a change
adds a new version as a draft; publishing it closes the version in force. Only the
supervisors of the owning agency and the national trade facilitation committee create,
publish and retire profiles (``by=None`` is the system: the demo loader).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.accounts.models import Organisation
from ventanilla.audit.services import audit_record
from ventanilla.core.errors import BusinessError, ConflictError
from ventanilla.risk import selectors
from ventanilla.risk.assessment import actor as _actor

# Selectivity is written by ``risk.assessment`` (kept apart for its size); its services
# are part of this app's service interface.
from ventanilla.risk.assessment import random_seed as random_seed
from ventanilla.risk.assessment import risk_assess as risk_assess
from ventanilla.risk.assessment import risk_assess_many as risk_assess_many
from ventanilla.risk.choices import RECORD_OUTCOMES, TRANSITIONS, ProfileStatus
from ventanilla.risk.engine import number
from ventanilla.risk.models import RiskAssessment, RiskOutcome, RiskProfile
from ventanilla.risk.rules import check_outcome, check_profile

# What a new version may change; the code and the owner agency stay (a profile moving to
# another agency is a new profile of that agency).
EDITABLE = frozenset(
    {
        "name_en",
        "name_es",
        "kind",
        "channel",
        "criteria",
        "rationale",
        "random_rate",
        "priority",
        "hs_prefixes",
        "origin_countries",
        "entry_points",
        "ends_on",
        "review_on",
    }
)


def _forbidden() -> BusinessError:
    return BusinessError.single(
        "forbidden",
        _(
            "Only the owner agency's supervisors and the trade facilitation committee "
            "maintain this risk profile."
        ),
        http_status=403,
    )


def _require_owner(by: Any | None, owner: Organisation) -> None:
    if by is not None and not selectors.may_own(user=by, owner=owner):
        raise _forbidden()


def _codes(values: Any, *, digits: bool = False) -> Any:
    """Tidy a list of codes ("0804.40" -> "080440", " pecll" -> "PECLL"); anything that
    is not a list of texts is left for the rules to report."""
    if not isinstance(values, list):
        return values
    tidy = []
    for v in values:
        if isinstance(v, str):
            v = v.replace(".", "").replace(" ", "") if digits else v.strip().upper()
        tidy.append(v)
    return tidy


def _normalise(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    if isinstance(data.get("code"), str):
        data["code"] = data["code"].strip().upper()
    for name in ("name_en", "name_es", "rationale"):
        if isinstance(data.get(name), str):
            data[name] = data[name].strip()
    data["hs_prefixes"] = _codes(data.get("hs_prefixes"), digits=True)
    data["origin_countries"] = _codes(data.get("origin_countries"))
    data["entry_points"] = _codes(data.get("entry_points"))
    for name in ("criteria", "hs_prefixes", "origin_countries", "entry_points"):
        if data.get(name) is None:
            data[name] = []
    rate = number(data.get("random_rate"))
    if rate is not None:
        data["random_rate"] = rate
    return data


def _validate(data: dict[str, Any]) -> None:
    errors = check_profile(data)
    if errors:
        raise BusinessError(errors)


def _content(profile: RiskProfile) -> dict[str, Any]:
    fields = EDITABLE - {"name_en", "name_es"}
    data = {name: getattr(profile, name) for name in fields}
    data.update(
        name_en=profile.name_en,
        name_es=profile.name_es or "",
        code=profile.code,
        owner=profile.owner,
    )
    return data


def _save_new(data: dict[str, Any], *, version: int, by: Any | None, reason: str) -> RiskProfile:
    fields = {k: v for k, v in data.items() if k in EDITABLE | {"code", "owner", "valid_from"}}
    fields["name_es"] = fields.get("name_es") or None  # falls back to English
    profile = RiskProfile(
        version=version,
        status=ProfileStatus.DRAFT,
        created_by=_actor(by),
        change_reason=reason[:500],
        **fields,
    )
    profile.name = data["name_en"]
    try:
        with transaction.atomic():
            profile.save()
    except IntegrityError as exc:  # a concurrent call took the same code and version
        raise ConflictError(
            "profile_code_taken", _("A risk profile with this code already exists."), "code"
        ) from exc
    return profile


def _audit(verb: str, profile: RiskProfile, by: Any | None, **payload: Any) -> None:
    audit_record(
        verb=verb,
        target=profile,
        by=by,
        organisation=profile.owner,
        payload={"code": profile.code, "version": profile.version, **payload},
    )


@transaction.atomic
def risk_profile_create(
    *,
    code: str,
    name_en: str,
    owner: Organisation,
    kind: str,
    channel: str,
    criteria: list[dict[str, Any]] | None = None,
    name_es: str = "",
    rationale: str = "",
    random_rate: Decimal | None = None,
    priority: int = 100,
    hs_prefixes: list[str] | None = None,
    origin_countries: list[str] | None = None,
    entry_points: list[str] | None = None,
    ends_on: dt.date | None = None,
    review_on: dt.date | None = None,
    valid_from: dt.date | None = None,
    by: Any | None,
) -> RiskProfile:
    """A new profile, version 1, as a draft (it applies once published)."""
    _require_owner(by, owner)
    data = _normalise(
        {
            "code": code,
            "name_en": name_en,
            "name_es": name_es,
            "owner": owner,
            "kind": kind,
            "channel": channel,
            "criteria": criteria,
            "rationale": rationale,
            "random_rate": random_rate,
            "priority": priority,
            "hs_prefixes": hs_prefixes,
            "origin_countries": origin_countries,
            "entry_points": entry_points,
            "ends_on": ends_on,
            "review_on": review_on,
            "valid_from": valid_from or timezone.localdate(),
        }
    )
    _validate(data)
    if RiskProfile.objects.filter(code=data["code"]).exists():
        raise ConflictError(
            "profile_code_taken", _("A risk profile with this code already exists."), "code"
        )
    profile = _save_new(data, version=1, by=by, reason="")
    _audit("risk_profile.created", profile, by, kind=profile.kind, channel=profile.channel)
    return profile


def _lock_code(code: str) -> list[RiskProfile]:
    return list(RiskProfile.objects.select_for_update().filter(code=code).order_by("version"))


def _refuse(profile: RiskProfile, to_status: str) -> ConflictError:
    return ConflictError(
        "profile_transition_refused",
        _("A risk profile cannot go from %(from)s to %(to)s.")
        % {"from": ProfileStatus(profile.status).label, "to": ProfileStatus(to_status).label},
        "status",
    )


@transaction.atomic
def risk_profile_revise(
    *,
    profile: RiskProfile,
    by: Any | None,
    valid_from: dt.date | None = None,
    reason: str = "",
    **changes: Any,
) -> RiskProfile:
    """A new version (a draft) with ``changes`` applied to the latest version. The version
    in force keeps applying until the new one is published; a draft that is revised is
    withdrawn (retired without ever applying)."""
    unknown = set(changes) - EDITABLE
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    _require_owner(by, profile.owner)
    versions = _lock_code(profile.code)
    latest = versions[-1]
    if latest.pk != profile.pk:
        raise ConflictError(
            "profile_not_latest",
            _("Only the latest version of a risk profile can be revised."),
            "version",
        )
    if latest.status == ProfileStatus.RETIRED:
        raise _refuse(latest, ProfileStatus.DRAFT)
    data = _normalise(
        {**_content(latest), **changes, "valid_from": valid_from or timezone.localdate()}
    )
    _validate(data)
    new = _save_new(data, version=latest.version + 1, by=by, reason=reason)
    if latest.status == ProfileStatus.DRAFT:
        latest.status, latest.valid_to, latest.retired_at = (
            ProfileStatus.RETIRED,
            latest.valid_from,
            timezone.now(),
        )
        latest.save(update_fields=["status", "valid_to", "retired_at", "updated_at"])
    _audit(
        "risk_profile.revised",
        new,
        by,
        previous_version=latest.version,
        changed=sorted(changes),
        reason=reason[:500],
    )
    return new


@transaction.atomic
def risk_profile_publish(*, profile: RiskProfile, by: Any | None) -> RiskProfile:
    """Put a draft in force from its start date (today at the earliest: selectivity is
    never retroactive) and close the version it replaces."""
    _require_owner(by, profile.owner)
    versions = _lock_code(profile.code)
    profile = next(v for v in versions if v.pk == profile.pk)
    if ProfileStatus.ACTIVE not in TRANSITIONS[ProfileStatus(profile.status)]:
        raise _refuse(profile, ProfileStatus.ACTIVE)
    starts = max(profile.valid_from, timezone.localdate())
    if profile.ends_on is not None and profile.ends_on < starts:
        raise BusinessError.single(
            "alert_end_date_invalid", _("This import alert's end date has passed."), "ends_on"
        )
    open_versions = [
        v
        for v in versions
        if v.status == ProfileStatus.ACTIVE and (v.valid_to is None or v.valid_to > starts)
    ]
    for previous in open_versions:
        if previous.valid_from > starts:
            raise ConflictError(
                "profile_starts_before_previous",
                _("This version would start before the version it replaces."),
                "valid_from",
            )
        previous.valid_to = starts
        previous.save(update_fields=["valid_to", "updated_at"])
    profile.status, profile.valid_from = ProfileStatus.ACTIVE, starts
    profile.published_at, profile.published_by = timezone.now(), _actor(by)
    profile.save(
        update_fields=["status", "valid_from", "published_at", "published_by", "updated_at"]
    )
    _audit(
        "risk_profile.published",
        profile,
        by,
        valid_from=starts.isoformat(),
        replaces=[v.version for v in open_versions],
    )
    return profile


@transaction.atomic
def risk_profile_retire(*, profile: RiskProfile, by: Any | None, reason: str = "") -> RiskProfile:
    """Stop applying the profile from today (TFA 5.1: an alert no longer needed ends
    promptly): its open versions are closed, pending drafts withdrawn."""
    _require_owner(by, profile.owner)
    versions = _lock_code(profile.code)
    profile = next(v for v in versions if v.pk == profile.pk)
    if ProfileStatus.RETIRED not in TRANSITIONS[ProfileStatus(profile.status)]:
        raise _refuse(profile, ProfileStatus.RETIRED)
    today, now = timezone.localdate(), timezone.now()
    closed = []
    for version in versions:
        if version.status == ProfileStatus.DRAFT:
            ends = version.valid_from
        elif version.status == ProfileStatus.ACTIVE and (
            version.valid_to is None or version.valid_to > today
        ):
            ends = max(today, version.valid_from)
        else:
            continue  # already retired, or superseded in the past
        version.status, version.valid_to, version.retired_at = ProfileStatus.RETIRED, ends, now
        version.change_reason = version.change_reason or reason[:500]
        version.save(
            update_fields=["status", "valid_to", "retired_at", "change_reason", "updated_at"]
        )
        closed.append(version.version)
    _audit("risk_profile.retired", profile, by, versions=closed, reason=reason[:500])
    profile.refresh_from_db()
    return profile


# --- feedback -------------------------------------------------------------------------------


@transaction.atomic
def risk_outcome_record(
    *,
    assessment: RiskAssessment,
    result: str,
    agency: Organisation,
    revenue_amount: Decimal = Decimal("0.00"),
    notes: str = "",
    by: Any | None,
) -> RiskOutcome:
    """The result of the control one agency carried out after a selection; one per agency
    and assessment (CRMS: feedback on the action taken is mandatory)."""
    errors = check_outcome({"result": result, "agency": agency, "revenue_amount": revenue_amount})
    if errors:
        raise BusinessError(errors)
    if by is not None and not by.has_perm(RECORD_OUTCOMES, agency):
        raise BusinessError.single(
            "forbidden",
            _("You may not record outcomes for this agency."),
            "agency",
            http_status=403,
        )
    conflict = ConflictError(
        "outcome_already_recorded",
        _("This agency already recorded the outcome of this selection."),
        "agency",
    )
    if RiskOutcome.objects.filter(assessment=assessment, agency=agency).exists():
        raise conflict
    try:
        with transaction.atomic():
            outcome = RiskOutcome.objects.create(
                assessment=assessment,
                agency=agency,
                result=result,
                revenue_amount=revenue_amount,
                notes=notes.strip(),
                created_by=_actor(by),
            )
    except IntegrityError as exc:  # a concurrent retry recorded it first
        raise conflict from exc
    audit_record(
        verb="risk.outcome_recorded",
        target=outcome,
        by=by,
        organisation=agency,
        payload={
            "assessment": assessment.pk,
            "declaration": assessment.declaration_id,
            "result": result,
            "revenue_amount": str(revenue_amount),
        },
    )
    return outcome
