"""Lodging, amending and cancelling declarations.

Lodgement is all-or-nothing: every rule runs first, and only a declaration with no error
is written, in one transaction with its parties, items, documents, status changes
(draft → lodged → accepted), Time Release Study milestones and one audit event. The LRN
is the declarant's idempotency key: lodging the same content again returns the first
declaration; different content under a used LRN is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.accounts.models import Organisation
from ventanilla.audit.services import audit_record
from ventanilla.core import bulk
from ventanilla.core.baked import Baked, Many
from ventanilla.core.errors import BusinessError, ConflictError, ErrorItem
from ventanilla.declarations import lrn, representation, rules
from ventanilla.declarations.choices import AMENDABLE, Milestone, MilestoneSource, Status
from ventanilla.declarations.content import content_hash, declaration_content
from ventanilla.declarations.models import (
    Declaration,
    DeclarationVersion,
    Document,
    GoodsItem,
    MilestoneEvent,
    Party,
    StatusChange,
)
from ventanilla.declarations.mrn import make_mrn
from ventanilla.declarations.perishables import is_perishable_hs
from ventanilla.declarations.status import declaration_transition
from ventanilla.reference import lookups


@dataclass(frozen=True)
class Lodged:
    declaration: Declaration
    created: bool


# Compiled once per process and number of codes (core.baked).
_ACTIVE_BY_CODE: Baked[Organisation] = Baked(
    lambda codes: Organisation.objects.filter(code__in=codes, is_active=True), codes=Many(str)
)


def _organisations_by_code(rows: Sequence[dict[str, Any]]) -> dict[str, Organisation]:
    codes = sorted({p["identifier"] for d in rows for p in d["parties"] if p["identifier"]})
    return {o.code: o for o in _ACTIVE_BY_CODE.list(codes=codes)}


def _validate(
    rows: Sequence[dict[str, Any]], orgs: dict[str, Organisation], prefix: str | None
) -> list[ErrorItem]:
    traders = {code for code, org in orgs.items() if org.kind == "trader"}
    errors: list[ErrorItem] = []
    contexts = rules.Context.build_many(list(rows), traders)
    for n, ctx in enumerate(contexts):
        for error in rules.check_all(ctx):
            path = error.field
            if prefix is not None:
                path = f"{prefix}.{n}.{path}" if path else f"{prefix}.{n}"
            errors.append(ErrorItem(error.code, error.message, path))
    return errors


def _main_party(data: dict[str, Any], orgs: dict[str, Organisation]) -> Organisation:
    role = "exporter" if data["declaration_type"] == "EX" else "importer"
    for party in data["parties"]:
        if party["role"] == role and party["identifier"] in orgs:
            return orgs[party["identifier"]]
    # Transit: the principal may be the declarant itself.
    for party in data["parties"]:
        if party["role"] in ("importer", "exporter") and party["identifier"] in orgs:
            return orgs[party["identifier"]]
    raise BusinessError.single(
        "trader_not_registered", _("The trader is not registered."), "parties"
    )


def _registered(
    data: dict[str, Any], orgs: dict[str, Organisation], role: str
) -> Organisation | None:
    """The carrier's or the terminal's organisation, when the party named in that role
    is a registered carrier or terminal operator (told of holds and release)."""
    for party in data["parties"]:
        org = orgs.get(party["identifier"])
        if party["role"] == role and org is not None and org.kind == "carrier":
            return org
    return None


def _build(
    data: dict[str, Any],
    declarant: Organisation,
    orgs: dict[str, Organisation],
    by: Any,
    at: dt.datetime,
) -> Declaration:
    """The row as accepted: lodged and accepted in one step (the two status change rows
    record it); only the MRN, which needs the row's id, is written after the insert."""
    perishable = data["perishable"] or any(
        i["perishable"] or is_perishable_hs(i["tariff_line"][:6]) for i in data["items"]
    )
    return Declaration(
        lrn=data["lrn"],
        declaration_type=data["declaration_type"],
        procedure_code=data["procedure_code"],
        previous_procedure_code=data["previous_procedure_code"],
        declarant=declarant,
        trader=_main_party(data, orgs),
        carrier=_registered(data, orgs, "carrier"),
        terminal=_registered(data, orgs, "terminal"),
        office_code=data["office_code"].upper(),
        transport_mode=data["transport_mode"],
        conveyance_ref=data["conveyance_ref"],
        transport_document_ref=data["transport_document_ref"],
        loading_location=data["loading_location"].upper(),
        discharge_location=data["discharge_location"].upper(),
        entry_office_code=data["entry_office_code"].upper(),
        estimated_arrival=data["estimated_arrival"],
        export_country=data["export_country"].upper(),
        destination_country=data["destination_country"].upper(),
        incoterm=data["incoterm"].upper(),
        invoice_currency=data["invoice_currency"].upper(),
        invoice_amount=data["invoice_amount"],
        is_perishable=perishable,
        perishable_declared=data["perishable"],
        content_hash=content_hash(data),
        created_by=by if getattr(by, "pk", None) else None,
        status=Status.ACCEPTED,
        lodged_at=at,
        accepted_at=at,
    )


def _write_children(
    pairs: Sequence[tuple[Declaration, dict[str, Any]]],
    tariff_lines: dict[str, Any],
    *,
    attach: bool = False,
) -> None:
    """Parties, items, documents and the items' citations of documents, for many
    declarations in one insert per table (core.bulk: COPY on PostgreSQL). Items and
    documents take reserved ids, so that citations can name them without reading them
    back. ``attach``: the rows are left on the declarations as their prefetched
    children, for a caller that goes on to assess and answer with them (one
    declaration; a bulk lodgement does neither, and would pay a thousand instances)."""
    parties: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    documents: list[dict[str, Any]] = []
    links: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for declaration, data in pairs:
        for p in data["parties"]:
            parties.append(
                {
                    "declaration_id": declaration.pk,
                    "role": p["role"],
                    "name": p["name"],
                    "identifier": p["identifier"],
                    "country": p["country"].upper(),
                    "address": p["address"],
                }
            )
        documents_of: dict[tuple[str, str], dict[str, Any]] = {}
        cited = [d for i in data["items"] for d in i["documents"]]
        for d in [*data["documents"], *cited]:
            key = (d["type_code"].upper(), d["reference"])
            if key not in documents_of:
                documents_of[key] = {
                    "declaration_id": declaration.pk,
                    "type_code": key[0],
                    "reference": key[1],
                    "issued_on": d.get("issued_on"),
                    "issuer": d.get("issuer", ""),
                }
        documents.extend(documents_of.values())
        for seq, i in enumerate(data["items"], start=1):
            line = tariff_lines[i["tariff_line"]]
            item = {
                "declaration_id": declaration.pk,
                "sequence": seq,
                "tariff_line": i["tariff_line"],
                "hs_code": line.hs_code,
                "hs_edition": line.edition.code,
                "description": i["description"],
                "origin_country": i["origin_country"].upper(),
                "preference_code": i["preference_code"],
                "package_type": i["package_type"].upper(),
                "package_count": i["package_count"],
                "gross_mass_kg": i["gross_mass_kg"],
                "net_mass_kg": i["net_mass_kg"],
                "supplementary_quantity": i["supplementary_quantity"],
                "supplementary_unit": line.supplementary_unit,
                "customs_value": i["customs_value"],
                "is_perishable": i["perishable"] or is_perishable_hs(line.hs_code),
            }
            items.append(item)
            for d in i["documents"]:
                links.append((item, documents_of[(d["type_code"].upper(), d["reference"])]))
    # Ids drawn before the insert (one round trip on PostgreSQL) where citations name
    # items and documents by them, or where the rows become the declaration's
    # instances; otherwise the database assigns them.
    tables: list[tuple[type[models.Model], list[dict[str, Any]]]] = (
        [(Party, parties)] if attach else []
    )
    if attach or links:
        tables += [(GoodsItem, items), (Document, documents)]
    reserved = bulk.reserve_ids_many([(model, len(rows)) for model, rows in tables])
    for (_model, rows), ids in zip(tables, reserved, strict=True):
        for row, pk in zip(rows, ids, strict=True):
            row["id"] = pk
    bulk.insert_rows(Party, parties)
    bulk.insert_rows(GoodsItem, items)
    bulk.insert_rows(Document, documents)
    # A document cited twice by the same item is one citation.
    unique = {(doc["id"], item["id"]) for item, doc in links}
    bulk.insert_rows(
        Document.items.through,
        [{"document_id": doc, "goodsitem_id": item} for doc, item in sorted(unique)],
    )
    if attach:
        _attach_children(pairs, parties, items, documents)


def _attach_children(
    pairs: Sequence[tuple[Declaration, dict[str, Any]]],
    parties: list[dict[str, Any]],
    items: list[dict[str, Any]],
    documents: list[dict[str, Any]],
) -> None:
    """The rows just written become each declaration's parties, items and documents, as
    ``prefetch_related`` would have read them: the assessment's facts and the answer to
    the lodgement use them instead of reading them back (ADR 0006)."""
    by_declaration: dict[int, dict[str, list[Any]]] = {
        d.pk: {"parties": [], "items": [], "documents": []} for d, _data in pairs
    }
    tables: list[tuple[str, type[Party | GoodsItem | Document], list[dict[str, Any]]]] = [
        ("parties", Party, parties),
        ("items", GoodsItem, items),
        ("documents", Document, documents),
    ]
    for name, model, rows in tables:
        for obj in bulk.as_saved(model, rows):
            by_declaration[obj.declaration_id][name].append(obj)
    for declaration, _data in pairs:
        for name, objs in by_declaration[declaration.pk].items():
            bulk.attach_prefetched(declaration, name, objs)


def _accept(declarations: Sequence[Declaration], by: Any, at: dt.datetime) -> None:
    """draft → lodged → accepted, with MRN, status change rows and milestones. The MRN
    is already set where the declaration's id was reserved before its insert."""
    actor_id = getattr(by, "pk", None)
    changes, milestones, numbered = [], [], []
    for d in declarations:
        if not d.mrn:
            d.mrn = make_mrn(d.pk, at)
            numbered.append(d)
        for old, new in ((Status.DRAFT, Status.LODGED), (Status.LODGED, Status.ACCEPTED)):
            changes.append(
                {
                    "declaration_id": d.pk,
                    "from_status": old,
                    "to_status": new,
                    "at": at,
                    "actor_id": actor_id,
                    "actor_organisation_id": d.declarant_id,
                }
            )
        for m in (Milestone.LODGEMENT, Milestone.ACCEPTANCE):
            milestones.append(
                {
                    "declaration_id": d.pk,
                    "milestone": m,
                    "at": at,
                    "actor_id": actor_id,
                    "source": MilestoneSource.LODGEMENT,
                }
            )
    if numbered:
        Declaration.objects.bulk_update(numbered, ["mrn"])
    bulk.insert_rows(StatusChange, changes)
    bulk.insert_rows(MilestoneEvent, milestones)


def _number(declarations: list[Declaration], at: dt.datetime) -> None:
    """On PostgreSQL the ids are drawn from the sequence first, so that each row is
    inserted with its MRN (WCO D014, assigned at acceptance) instead of being updated
    after; elsewhere ``_accept`` numbers them once inserted."""
    if connection.vendor != "postgresql":
        return
    for declaration, pk in zip(
        declarations, bulk.reserve_ids(Declaration, len(declarations)), strict=True
    ):
        declaration.pk = pk
        declaration.mrn = make_mrn(pk, at)


def declarations_lodge(
    *,
    rows: Sequence[dict[str, Any]],
    declarant: Organisation,
    by: Any,
    prefix: str | None = "declarations",
    savepoint: bool = True,
) -> list[Lodged]:
    """Lodge many declarations at once (all or nothing). ``rows`` are validated input
    dicts (``api.serializers.DeclarationInput``). ``savepoint=False`` for callers that
    never catch its errors inside their own transaction (one round trip less each way)."""
    with transaction.atomic(savepoint=savepoint):
        return _lodge(rows, declarant, by, prefix)


def _lodge(
    rows: Sequence[dict[str, Any]],
    declarant: Organisation,
    by: Any,
    prefix: str | None,
    *,
    attach: bool = False,
) -> list[Lodged]:
    existing = lrn.existing(declarant, rows, prefix)
    new_rows = [d for d in rows if d["lrn"] not in existing]
    orgs = _organisations_by_code(new_rows)
    representation.check_representation(new_rows, declarant, prefix, orgs)
    errors = _validate(new_rows, orgs, prefix)
    if errors:
        raise BusinessError(errors)
    at = timezone.now()
    declarations = [_build(d, declarant, orgs, by, at) for d in new_rows]
    _number(declarations, at)
    lrn.insert_new(declarations, declarant, rows, prefix)
    lines = lookups.tariff_lines_in_force(i["tariff_line"] for d in new_rows for i in d["items"])
    _write_children(list(zip(declarations, new_rows, strict=True)), lines, attach=attach)
    _accept(declarations, by, at)
    if declarations:
        audit_record(
            verb="declaration.lodged",
            target=declarations[0],
            by=by,
            organisation=declarant,
            payload={"mrns": [d.mrn for d in declarations], "lrns": [d.lrn for d in declarations]},
        )
    created = {d.lrn: d for d in declarations}
    return [
        Lodged(existing[d["lrn"]], False)
        if d["lrn"] in existing
        else Lodged(created[d["lrn"]], True)
        for d in rows
    ]


def declaration_lodge(
    *, data: dict[str, Any], declarant: Organisation, by: Any, savepoint: bool = True
) -> Lodged:
    """One declaration (``declarations_lodge``); a new one comes back with its parties,
    items and documents loaded, as written."""
    with transaction.atomic(savepoint=savepoint):
        return _lodge([data], declarant, by, None, attach=True)[0]


@transaction.atomic
def declaration_amend(
    *, declaration: Declaration, data: dict[str, Any], reason: str, by: Any
) -> Declaration:
    """Replace the content before release (WCO 06A), keeping the previous version."""
    declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
    if declaration.status not in AMENDABLE:
        raise ConflictError(
            "not_amendable",
            _("A declaration can no longer be amended once released, refused or cancelled."),
            "status",
        )
    if data["lrn"] != declaration.lrn:
        raise BusinessError.single("lrn_changed", _("The LRN cannot be changed."), "lrn")
    if content_hash(data) == declaration.content_hash:
        return declaration  # a retried amendment: nothing new
    orgs = _organisations_by_code([data])
    representation.check_amendment_representation(declaration, data, orgs)
    errors = _validate([data], orgs, None)
    if errors:
        raise BusinessError(errors)
    DeclarationVersion.objects.create(
        declaration=declaration,
        version=declaration.version,
        content=declaration_content(declaration),
        reason=reason,
        created_by=by,
    )
    fresh = _build(data, declaration.declarant, orgs, by, timezone.now())  # content only
    for field in (
        "declaration_type",
        "procedure_code",
        "previous_procedure_code",
        "trader",
        "carrier",
        "terminal",
        "office_code",
        "transport_mode",
        "conveyance_ref",
        "transport_document_ref",
        "loading_location",
        "discharge_location",
        "entry_office_code",
        "estimated_arrival",
        "export_country",
        "destination_country",
        "incoterm",
        "invoice_currency",
        "invoice_amount",
        "is_perishable",
        "perishable_declared",
        "content_hash",
    ):
        setattr(declaration, field, getattr(fresh, field))
    declaration.version += 1
    declaration.save()
    declaration.parties.all().delete()
    declaration.documents.all().delete()
    declaration.items.all().delete()
    lines = lookups.tariff_lines_in_force(i["tariff_line"] for i in data["items"])
    _write_children([(declaration, data)], lines, attach=True)
    audit_record(
        verb="declaration.amended",
        target=declaration,
        by=by,
        organisation=declaration.declarant,
        payload={"version": declaration.version, "reason": reason},
    )
    return declaration


@transaction.atomic
def declaration_cancel(
    *, declaration: Declaration, reason: str, by: Any, organisation: Organisation | None = None
) -> Declaration:
    declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
    if declaration.status == Status.CANCELLED:
        return declaration  # idempotent
    representation.check_acting_broker(declaration, organisation)
    if declaration.status not in AMENDABLE and declaration.status != Status.LODGED:
        raise ConflictError(
            "not_cancellable",
            _("A declaration can no longer be cancelled once released or refused."),
            "status",
        )
    return declaration_transition(
        declaration=declaration,
        to_status=Status.CANCELLED,
        by=by,
        reason=reason,
        organisation=organisation,
    )
