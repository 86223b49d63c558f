"""Writes of the duties app: publishing tariff measures and exchange rates (added, never
overwritten), assessing a declaration and finalising the assessment after release.
Each is one transaction with its audit event."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from ventanilla.audit.services import audit_record
from ventanilla.core.errors import ConflictError
from ventanilla.declarations.choices import Status
from ventanilla.declarations.facts import declaration_facts
from ventanilla.declarations.models import Declaration
from ventanilla.duties.calculation import Computation, assessment_day, compute
from ventanilla.duties.choices import AssessmentStatus, TaxBase, TradeFlow
from ventanilla.duties.models import DutyAssessment, DutyLine, ExchangeRate, TariffMeasure
from ventanilla.duties.money import national_currency
from ventanilla.duties.rules import AssessmentFinal, MeasureVersionExists, NotReleased
from ventanilla.duties.selectors import assessment_latest


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


def _latest_and_next(declaration: Declaration) -> tuple[DutyAssessment | None, int]:
    """The assessment in force and the number the next one takes, in one read: numbers
    only grow and only ``_record`` supersedes (always adding a higher number), so the
    highest-numbered assessment is the one in force. Should it ever be superseded, the
    in-force one is looked up as before."""
    top = DutyAssessment.objects.filter(declaration=declaration).order_by("-number").first()
    if top is None:
        return None, 1
    if top.status != AssessmentStatus.SUPERSEDED:
        return top, top.number + 1
    return assessment_latest(declaration=declaration), top.number + 1


def _record(
    declaration: Declaration,
    comp: Computation,
    *,
    status: str,
    previous: DutyAssessment | None,
    number: int,
    by: Any | None,
) -> DutyAssessment:
    now = timezone.now()
    actor = by if getattr(by, "pk", None) else None
    if previous is not None:
        previous.status = AssessmentStatus.SUPERSEDED
        previous.superseded_at = now
        previous.save(update_fields=["status", "superseded_at"])
    final = status == AssessmentStatus.FINAL
    assessment = DutyAssessment.objects.create(
        declaration=declaration,
        number=number,
        declaration_version=declaration.version,
        status=status,
        currency=comp.currency,
        total=comp.total,
        assessed_on=comp.day,
        exchange_rates=comp.rates,
        basis_hash=comp.basis_hash,
        computed_at=now,
        computed_by=actor,
        finalised_at=now if final else None,
        finalised_by=actor if final else None,
    )
    DutyLine.objects.bulk_create(
        [
            DutyLine(
                assessment=assessment,
                position=n,
                item_sequence=r.item_sequence,
                tariff_line=r.tariff_line,
                measure=r.measure,
                measure_type=r.measure.measure_type,
                origin_country=r.origin_country,
                preference_code=r.preference_code,
                base_amount=r.base_amount,
                base_quantity=r.base_quantity,
                quantity_unit=r.quantity_unit,
                ad_valorem_rate=r.measure.ad_valorem_rate,
                specific_rate=r.measure.specific_rate,
                specific_currency=r.measure.specific_currency,
                amount=r.amount,
            )
            for n, r in enumerate(comp.lines, start=1)
        ]
    )
    audit_record(
        verb="duties.finalised" if final else "duties.assessed",
        target=assessment,
        by=by,
        organisation=declaration.trader,
        payload={
            "declaration": declaration.pk,
            "number": assessment.number,
            "status": status,
            "total": str(comp.total),
            "currency": comp.currency,
            "assessed_on": comp.day.isoformat(),
            "rates": comp.rates,
            "superseded": previous.number if previous else None,
        },
    )
    return assessment


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
    if facts is not None and facts["id"] != declaration.pk:
        raise ValueError("facts of another declaration")
    latest, number = _latest_and_next(declaration)
    comp = _compute(declaration, facts)
    if latest is not None and latest.basis_hash == comp.basis_hash:
        return latest
    if latest is not None and latest.status == AssessmentStatus.FINAL:
        raise ConflictError(AssessmentFinal.code, str(AssessmentFinal.message))
    return _record(
        declaration,
        comp,
        status=AssessmentStatus.PROVISIONAL,
        previous=latest,
        number=number,
        by=by,
    )


@transaction.atomic
def duties_finalise(*, declaration: Declaration, by: Any | None) -> DutyAssessment:
    """Final determination of duties after release (TFA 7.3.1). When nothing changed
    since the provisional assessment, that assessment becomes final; otherwise a final
    one supersedes it. Idempotent: a final assessment is returned as it is."""
    declaration = _locked(declaration)
    latest, number = _latest_and_next(declaration)
    if latest is not None and latest.status == AssessmentStatus.FINAL:
        return latest
    if declaration.status != Status.RELEASED:
        raise ConflictError(NotReleased.code, str(NotReleased.message), "status")
    comp = _compute(declaration)
    if latest is None or latest.basis_hash != comp.basis_hash:
        return _record(
            declaration,
            comp,
            status=AssessmentStatus.FINAL,
            previous=latest,
            number=number,
            by=by,
        )
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
