"""Reads of the duties app. Assessments are read through the declarations the user may
see; tariff measures and exchange rates are public (TFA 1.1)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from ventanilla.accounts.selectors import acting_organisation_ids, organisation_qs_for
from ventanilla.declarations.models import Declaration
from ventanilla.declarations.selectors import declaration_qs_for
from ventanilla.duties.choices import AssessmentStatus, MeasureType
from ventanilla.duties.models import DutyAssessment, DutyLine, ExchangeRate, TariffMeasure

VIEW_ASSESSMENTS = "duties.view_dutyassessment"
FINALISE = "duties.finalise_assessment"


# --- who may do what on a declaration -------------------------------------------------


def acts_for_trader_side(*, user: Any, declaration: Declaration) -> bool:
    """The user acts for the trader or for the declarant (its broker) — not the carrier,
    which sees the declaration but not its duties."""
    ids = set(acting_organisation_ids(user=user))
    return bool(ids & {declaration.trader_id, declaration.declarant_id})


def is_officer(*, user: Any, perm: str, customs_only: bool = False) -> bool:
    """The user holds ``perm`` in the customs service, or (unless ``customs_only``) in
    the ministry / trade facilitation committee. Other border agencies see declarations
    routed to them but not their duties."""
    customs = Q(kind="agency", agency_function="customs")
    orgs = organisation_qs_for(user=user).filter(
        customs if customs_only else customs | Q(kind="ministry")
    )
    return any(user.has_perm(perm, org) for org in orgs)


def declaration_visible(*, user: Any, pk: int) -> Declaration | None:
    return declaration_qs_for(user=user).filter(pk=pk).select_related("trader", "declarant").first()


# --- assessments -----------------------------------------------------------------------


def assessment_latest(*, declaration: Declaration) -> DutyAssessment | None:
    """The assessment in force (provisional or final), or ``None`` before assessment."""
    return (
        DutyAssessment.objects.filter(declaration=declaration)
        .exclude(status=AssessmentStatus.SUPERSEDED)
        .order_by("-number")
        .first()
    )


def assessment_qs_for(*, user: Any) -> QuerySet[DutyAssessment]:
    visible = declaration_qs_for(user=user).values("pk")
    return DutyAssessment.objects.filter(declaration__in=visible).select_related("declaration")


@dataclass(frozen=True)
class TaxTotal:
    measure_type: str
    label: str
    amount: Decimal


@dataclass(frozen=True)
class AssessmentView:
    """What is shown before payment (TFA 7.2): every line, totals per tax type and the
    grand total, in national currency."""

    assessment: DutyAssessment
    lines: list[DutyLine]
    totals: list[TaxTotal]
    total: Decimal
    currency: str


def assessment_view(*, assessment: DutyAssessment) -> AssessmentView:
    lines = list(assessment.lines.select_related("measure").order_by("position"))
    sums: dict[str, Decimal] = {}
    for line in lines:
        sums[line.measure_type] = sums.get(line.measure_type, Decimal(0)) + line.amount
    totals = [
        TaxTotal(t.value, str(t.label), sums[t.value]) for t in MeasureType if t.value in sums
    ]
    return AssessmentView(
        assessment=assessment,
        lines=lines,
        totals=totals,
        total=assessment.total,
        currency=assessment.currency,
    )


# --- public reference data -------------------------------------------------------------


def measures_in_force(*, tariff_line: str, day: dt.date | None = None) -> QuerySet[TariffMeasure]:
    """Every measure on the line or on one of its HS prefixes, on ``day`` (TFA 1.1)."""
    prefixes = [tariff_line[:n] for n in range(2, len(tariff_line) + 1)]
    return (
        TariffMeasure.objects.as_of(day)
        .filter(tariff_code__in=prefixes)
        .order_by("measure_type", "-tariff_code", "preference_code", "origin_country")
    )


def exchange_rate_in_force(*, currency: str, day: dt.date | None = None) -> ExchangeRate | None:
    return (
        ExchangeRate.objects.as_of(day or timezone.localdate())
        .filter(currency=currency)
        .order_by("-valid_from")
        .first()
    )
