"""Writes of the duties app: publishing tariff measures and exchange rates (added, never
overwritten), assessing a declaration and finalising the assessment after release.
Each is one transaction with its audit event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from ventanilla.accounts.models import Organisation
from ventanilla.audit.services import audit_batch, audit_record
from ventanilla.core import bulk
from ventanilla.core.errors import ConflictError
from ventanilla.declarations.choices import Status
from ventanilla.declarations.facts import declaration_facts
from ventanilla.declarations.models import Declaration
from ventanilla.duties.calculation import Computation, assessment_day, compute
from ventanilla.duties.choices import AssessmentStatus, TaxBase, TradeFlow
from ventanilla.duties.models import DutyAssessment, DutyLine, ExchangeRate, TariffMeasure
from ventanilla.duties.money import national_currency
from ventanilla.duties.rules import AssessmentFinal, MeasureVersionExists, NotReleased


def _close_versions(qs: QuerySet[Any], valid_from: dt.date) -> None:
    """Close the version in force on ``valid_from``; refuse to insert before a later one."""
    if qs.filter(valid_from__gte=valid_from).exists():
        raise ConflictError(
            MeasureVersionExists.code, str(MeasureVersionExists.message), "valid_from"
        )
    for row in qs.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=valid_from)):
        row.valid_to = valid_from
        row.save(update_fields=["valid_to"])


@transaction.atomic
def tariff_measure_publish(
    *,
    tariff_code: str,
    measure_type: str,
    legal_basis: str,
    valid_from: dt.date,
    ad_valorem_rate: Decimal | None = None,
    specific_rate: Decimal | None = None,
    specific_unit: str = "",
    specific_currency: str = "",
    origin_country: str = "",
    preference_code: str = "",
    base: str = TaxBase.CUSTOMS_VALUE,
    type_code: str = "",
    trade_flow: str = TradeFlow.IMPORT,
    by: Any | None,
) -> TariffMeasure:
    """Add a version of a measure from ``valid_from``; the version in force is closed
    on that day (TFA 1.1: published rates; the history stays readable)."""
    same = TariffMeasure.objects.select_for_update().filter(
        tariff_code=tariff_code,
        measure_type=measure_type,
        trade_flow=trade_flow,
        origin_country=origin_country,
        preference_code=preference_code,
    )
    _close_versions(same, valid_from)
    measure = TariffMeasure(
        tariff_code=tariff_code,
        measure_type=measure_type,
        type_code=type_code,
        trade_flow=trade_flow,
        ad_valorem_rate=ad_valorem_rate,
        specific_rate=specific_rate,
        specific_unit=specific_unit,
        specific_currency=specific_currency,
        origin_country=origin_country,
        preference_code=preference_code,
        base=base,
        legal_basis=legal_basis,
        valid_from=valid_from,
        created_by=by if getattr(by, "pk", None) else None,
    )
    measure.full_clean()
    measure.save()
    audit_record(
        verb="duties.measure_published",
        target=measure,
        by=by,
        payload={
            "tariff_code": tariff_code,
            "measure_type": measure_type,
            "ad_valorem_rate": str(ad_valorem_rate),
            "specific_rate": str(specific_rate),
            "specific_unit": specific_unit,
            "origin_country": origin_country,
            "preference_code": preference_code,
            "valid_from": valid_from.isoformat(),
        },
    )
    return measure


@transaction.atomic
def tariff_measure_close(
    *, measure: TariffMeasure, valid_to: dt.date, by: Any | None
) -> TariffMeasure:
    """End a measure (its content is kept): it no longer applies from ``valid_to``."""
    measure = TariffMeasure.objects.select_for_update().get(pk=measure.pk)
    if valid_to <= measure.valid_from or (measure.valid_to and measure.valid_to <= valid_to):
        raise ConflictError(
            MeasureVersionExists.code, str(MeasureVersionExists.message), "valid_to"
        )
    measure.valid_to = valid_to
    measure.save(update_fields=["valid_to"])
    audit_record(
        verb="duties.measure_closed",
        target=measure,
        by=by,
        payload={"valid_to": valid_to.isoformat()},
    )
    return measure


@transaction.atomic
def exchange_rate_publish(
    *, currency: str, rate: Decimal, valid_from: dt.date, source: str = "", by: Any | None
) -> ExchangeRate:
    """Add the customs exchange rate for ``currency`` from ``valid_from`` (WCO 118)."""
    same = ExchangeRate.objects.select_for_update().filter(currency=currency)
    _close_versions(same, valid_from)
    row = ExchangeRate(
        currency=currency,
        rate=rate,
        valid_from=valid_from,
        source=source,
        created_by=by if getattr(by, "pk", None) else None,
    )
    row.full_clean()
    row.save()
    audit_record(
        verb="duties.exchange_rate_published",
        target=row,
        by=by,
        payload={"currency": currency, "rate": str(rate), "valid_from": valid_from.isoformat()},
    )
    return row


@dataclass(frozen=True)
class _New:
    """An assessment to add: its declaration, computation, number and the one in force
    that it supersedes (if any)."""

    declaration: Declaration
    comp: Computation
    number: int
    previous: DutyAssessment | None


def _in_force_and_next(
    declarations: Sequence[Declaration],
) -> dict[int, tuple[DutyAssessment | None, int]]:
    """Per declaration: the assessment in force and the number the next one takes, in
    one read for the batch. Numbers only grow and only ``_record_many`` supersedes
    (always adding a higher number), so the highest-numbered row is normally the one in
    force; the rows read are that one and any not superseded (at most one per
    declaration, ``assessment_one_current``), so the answer stays right should the
    highest ever be superseded."""
    pks = [d.pk for d in declarations]
    highest = (
        DutyAssessment.objects.filter(declaration=OuterRef("declaration"))
        .order_by("-number")
        .values("number")[:1]
    )
    rows = (
        DutyAssessment.objects.filter(declaration_id__in=pks)
        .alias(highest=Subquery(highest))
        .filter(Q(number=F("highest")) | ~Q(status=AssessmentStatus.SUPERSEDED))
    )
    found: dict[int, tuple[DutyAssessment | None, int]] = dict.fromkeys(pks, (None, 1))
    for row in rows:
        latest, number = found[row.declaration_id]
        if row.status != AssessmentStatus.SUPERSEDED:
            latest = row
        found[row.declaration_id] = (latest, max(number, row.number + 1))
    return found


def _trader(declaration: Declaration) -> Organisation:
    # The audit event needs only the trader's id: not read when the caller did not join it.
    if Declaration._meta.get_field("trader").is_cached(declaration):
        return declaration.trader
    return Organisation(pk=declaration.trader_id)


def _record_many(new: Sequence[_New], *, status: str, by: Any | None) -> list[DutyAssessment]:
    """Add the assessments (and their lines), superseding the ones in force, with one
    statement per table for the whole batch and one audit event per assessment, in the
    order given (TFA 7.3: an assessment is never edited, a new one supersedes it)."""
    if not new:
        return []
    now = timezone.now()
    actor = by if getattr(by, "pk", None) else None
    previous = [n.previous for n in new if n.previous is not None]
    if previous:
        # First: at most one assessment is in force per declaration.
        DutyAssessment.objects.filter(pk__in=[p.pk for p in previous]).update(
            status=AssessmentStatus.SUPERSEDED, superseded_at=now
        )
        for p in previous:
            p.status, p.superseded_at = AssessmentStatus.SUPERSEDED, now
    final = status == AssessmentStatus.FINAL
    assessments = bulk.create_many(
        DutyAssessment,
        [
            DutyAssessment(
                declaration=n.declaration,
                number=n.number,
                declaration_version=n.declaration.version,
                status=status,
                currency=n.comp.currency,
                total=n.comp.total,
                assessed_on=n.comp.day,
                exchange_rates=n.comp.rates,
                basis_hash=n.comp.basis_hash,
                computed_at=now,
                computed_by=actor,
                finalised_at=now if final else None,
                finalised_by=actor if final else None,
            )
            for n in new
        ],
    )
    # Nobody needs the lines' ids back: streamed in one insert (core.bulk, ADR 0006).
    bulk.insert_rows(
        DutyLine,
        [
            {
                "assessment_id": assessment.pk,
                "position": position,
                "item_sequence": r.item_sequence,
                "tariff_line": r.tariff_line,
                "measure_id": r.measure.pk,
                "measure_type": r.measure.measure_type,
                "origin_country": r.origin_country,
                "preference_code": r.preference_code,
                "base_amount": r.base_amount,
                "base_quantity": r.base_quantity,
                "quantity_unit": r.quantity_unit,
                "ad_valorem_rate": r.measure.ad_valorem_rate,
                "specific_rate": r.measure.specific_rate,
                "specific_currency": r.measure.specific_currency,
                "amount": r.amount,
            }
            for assessment, n in zip(assessments, new, strict=True)
            for position, r in enumerate(n.comp.lines, start=1)
        ],
    )
    for assessment, n in zip(assessments, new, strict=True):
        audit_record(
            verb="duties.finalised" if final else "duties.assessed",
            target=assessment,
            by=by,
            organisation=_trader(n.declaration),
            payload={
                "declaration": n.declaration.pk,
                "number": assessment.number,
                "status": status,
                "total": str(n.comp.total),
                "currency": n.comp.currency,
                "assessed_on": n.comp.day.isoformat(),
                "rates": n.comp.rates,
                "superseded": n.previous.number if n.previous else None,
            },
        )
    return assessments


def _compute(declaration: Declaration, facts: dict[str, Any] | None = None) -> Computation:
    return compute(
        facts=declaration_facts(declaration) if facts is None else facts,
        version=declaration.version,
        day=assessment_day(declaration),
        national=national_currency(),
    )


def _locked(declaration: Declaration) -> Declaration:
    # The trader and declarant are joined (the facts and the audit event read them) but
    # only the declaration row is locked, as before.
    return (
        Declaration.objects.select_for_update(of=("self",))
        .select_related("trader", "declarant")
        .get(pk=declaration.pk)
    )


@transaction.atomic
def duties_assess(
    *, declaration: Declaration, by: Any | None, facts: dict[str, Any] | None = None
) -> DutyAssessment:
    """Assess the declaration as it stands (provisional, TFA 7.3). Calling it again
    without a change returns the same assessment; after an amendment it adds a new one
    and supersedes the previous. Refused with every error at once when an item has no
    measure (``no_tariff_measure``, ``items.N.tariff_line``) or a rate is missing.

    ``facts``: ``declaration_facts`` of the declaration's current version, when the
    caller already computed them in this transaction (the orchestrator shares them with
    risk and routing); read here otherwise."""
    declaration = _locked(declaration)
    if facts is None:
        facts = declaration_facts(declaration)
    assessed = duties_assess_many(declarations=[declaration], facts={declaration.pk: facts}, by=by)
    return assessed[declaration.pk]


def duties_assess_many(
    *,
    declarations: Sequence[Declaration],
    facts: Mapping[int, dict[str, Any]],
    by: Any | None,
    first_round: bool = False,
) -> dict[int, DutyAssessment]:
    """``duties_assess`` of each declaration (by id), as one step of the caller's
    transaction: no savepoint, and no lock taken (the caller holds the declarations').
    ``first_round``: they were lodged in the caller's transaction, so none has an
    assessment yet and none is read.

    ``facts``: ``declaration_facts`` of each declaration's current version, by id (not
    changed). The first declaration refused raises its error (``BusinessError`` or
    ``ConflictError``) and nothing of the batch is kept by the caller. Queries per batch,
    whatever its size: the assessments in force, the supersession, the new assessments,
    their lines and the audit events (appended together)."""
    if not declarations:
        return {}
    if len({d.pk for d in declarations}) != len(declarations):
        raise ValueError("a declaration is given twice")
    for d in declarations:
        if d.pk not in facts or facts[d.pk]["id"] != d.pk:
            raise ValueError(f"no facts of declaration {d.pk}")
    with transaction.atomic(savepoint=False), audit_batch(savepoint=False):
        in_force = (
            {d.pk: (None, 1) for d in declarations}
            if first_round
            else _in_force_and_next(declarations)
        )
        result: dict[int, DutyAssessment] = {}
        new: list[_New] = []
        for d in declarations:
            latest, number = in_force[d.pk]
            comp = _compute(d, facts[d.pk])
            if latest is not None and latest.basis_hash == comp.basis_hash:
                result[d.pk] = latest  # unchanged basis: the same assessment (TFA 7.3)
                continue
            if latest is not None and latest.status == AssessmentStatus.FINAL:
                raise ConflictError(AssessmentFinal.code, str(AssessmentFinal.message))
            new.append(_New(d, comp, number, latest))
        added = _record_many(new, status=AssessmentStatus.PROVISIONAL, by=by)
        result.update((n.declaration.pk, a) for n, a in zip(new, added, strict=True))
    # In the order given, as the single calls would return them.
    return {d.pk: result[d.pk] for d in declarations}


@transaction.atomic
def duties_finalise(*, declaration: Declaration, by: Any | None) -> DutyAssessment:
    """Final determination of duties after release (TFA 7.3.1). When nothing changed
    since the provisional assessment, that assessment becomes final; otherwise a final
    one supersedes it. Idempotent: a final assessment is returned as it is."""
    declaration = _locked(declaration)
    latest, number = _in_force_and_next([declaration])[declaration.pk]
    if latest is not None and latest.status == AssessmentStatus.FINAL:
        return latest
    if declaration.status != Status.RELEASED:
        raise ConflictError(NotReleased.code, str(NotReleased.message), "status")
    comp = _compute(declaration)
    if latest is None or latest.basis_hash != comp.basis_hash:
        new = _New(declaration, comp, number, latest)
        return _record_many([new], status=AssessmentStatus.FINAL, by=by)[0]
    latest.status = AssessmentStatus.FINAL
    latest.finalised_at = timezone.now()
    latest.finalised_by = by if getattr(by, "pk", None) else None
    latest.save(update_fields=["status", "finalised_at", "finalised_by"])
    audit_record(
        verb="duties.finalised",
        target=latest,
        by=by,
        organisation=declaration.trader,
        payload={
            "declaration": declaration.pk,
            "number": latest.number,
            "status": latest.status,
            "total": str(latest.total),
            "currency": latest.currency,
            "superseded": None,
        },
    )
    return latest
