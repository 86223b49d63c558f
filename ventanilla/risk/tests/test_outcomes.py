"""Feedback on selections (CRMS-style) and the hit rates the committee reads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from ventanilla.accounts.tests.factories import AgencyFactory, member
from ventanilla.audit.models import AuditEvent
from ventanilla.core.errors import BusinessError
from ventanilla.declarations.tests.factories import declaration_with_items
from ventanilla.risk import selectors, services
from ventanilla.risk.models import RiskAssessment, RiskOutcome
from ventanilla.risk.tests.factories import published_profile

pytestmark = pytest.mark.django_db


def test_outcome_is_recorded_once_per_agency_with_an_audit_event() -> None:
    customs = AgencyFactory()
    officer = member("agency_officer", customs)
    published_profile(customs)
    assessment = services.risk_assess(declaration=declaration_with_items(), by=None)
    outcome = services.risk_outcome_record(
        assessment=assessment,
        result="irregularity_found",
        agency=customs,
        revenue_amount=Decimal("310.00"),
        notes=" Undervalued ",
        by=officer,
    )
    assert (outcome.result, outcome.revenue_amount, outcome.notes, outcome.created_by) == (
        "irregularity_found",
        Decimal("310.00"),
        "Undervalued",
        officer,
    )
    event = AuditEvent.objects.get(verb="risk.outcome_recorded")
    assert (event.organisation_id, event.payload["result"], event.payload["revenue_amount"]) == (
        customs.pk,
        "irregularity_found",
        "310.00",
    )
    with pytest.raises(BusinessError) as exc:
        services.risk_outcome_record(
            assessment=assessment, result="seizure", agency=customs, by=officer
        )
    assert (exc.value.http_status, exc.value.items[0].code) == (409, "outcome_already_recorded")
    assert RiskOutcome.objects.count() == 1


def test_outcome_validation_and_permission() -> None:
    customs, plant = AgencyFactory(), AgencyFactory(agency_function="plant_health")
    officer = member("agency_officer", customs)
    assessment = services.risk_assess(declaration=declaration_with_items(), by=None)
    with pytest.raises(BusinessError) as exc:
        services.risk_outcome_record(
            assessment=assessment,
            result="found",
            agency=customs,
            revenue_amount=Decimal("-1"),
            by=officer,
        )
    assert [(i.code, i.field) for i in exc.value.items] == [
        ("outcome_result_invalid", "result"),
        ("outcome_revenue_invalid", "revenue_amount"),
    ]
    with pytest.raises(BusinessError) as exc:
        services.risk_outcome_record(
            assessment=assessment,
            result="no_irregularity",
            agency=customs,
            revenue_amount=Decimal("5"),
            by=officer,
        )
    assert [(i.code, i.field) for i in exc.value.items] == [
        ("outcome_revenue_invalid", "revenue_amount")
    ]
    with pytest.raises(BusinessError) as exc:
        services.risk_outcome_record(
            assessment=assessment, result="no_irregularity", agency=plant, by=officer
        )
    assert (exc.value.http_status, exc.value.items[0].code) == (403, "forbidden")
    assert RiskOutcome.objects.count() == 0


def _assess(declaration, on: dt.date | None = None) -> RiskAssessment:  # type: ignore[no-untyped-def]
    assessment = services.risk_assess(declaration=declaration, by=None)
    if on is not None:  # as if assessed on that day
        RiskAssessment.objects.filter(pk=assessment.pk).update(assessed_on=on)
    return assessment


def test_hit_rates_per_profile_over_a_period() -> None:
    today = timezone.localdate()
    customs, plant = AgencyFactory(), AgencyFactory(agency_function="plant_health")
    published_profile(
        customs,
        code="A-RED",
        channel="red",
        criteria=[{"field": "hs_code", "op": "startswith", "value": ["0804"]}],
    )
    published_profile(
        plant, code="B-YELLOW", criteria=[{"field": "origin_country", "op": "eq", "value": "MX"}]
    )
    published_profile(
        customs, code="C-NEVER", criteria=[{"field": "origin_country", "op": "eq", "value": "CN"}]
    )
    mexican = {"hs_code": "080440", "origin_country": "MX"}
    peruvian = {"hs_code": "080440", "origin_country": "PE"}
    d1, d2, d3 = (
        declaration_with_items(item=mexican),
        declaration_with_items(item=peruvian),
        declaration_with_items(item=peruvian),
    )
    d4 = declaration_with_items(item={"hs_code": "090111", "origin_country": "MX"})
    d5 = declaration_with_items(item=mexican)
    a1 = _assess(d1)  # A and B
    _assess(d1)  # re-assessed after an amendment: still one declaration selected
    a2, _a3, a4 = _assess(d2), _assess(d3), _assess(d4)  # A, A (no feedback yet), B
    _assess(d5, on=today - dt.timedelta(days=30))  # outside the period
    record = services.risk_outcome_record
    record(assessment=a1, result="seizure", agency=customs, revenue_amount=Decimal("1000"), by=None)
    record(assessment=a2, result="no_irregularity", agency=customs, by=None)
    record(
        assessment=a4,
        result="irregularity_found",
        agency=customs,
        revenue_amount=Decimal("250.50"),
        by=None,
    )
    record(assessment=a4, result="no_irregularity", agency=plant, by=None)

    committee = member("committee_member")
    rows = selectors.profile_hit_rates(
        user=committee, date_from=today - dt.timedelta(days=7), date_to=today
    )
    table = [
        (
            r.code,
            r.selections,
            r.outcomes,
            r.pending,
            r.irregularities,
            r.seizures,
            r.revenue,
            r.hit_rate,
        )
        for r in rows
    ]
    assert table == [
        ("A-RED", 3, 2, 1, 1, 1, Decimal("1000.00"), Decimal("50.00")),
        ("B-YELLOW", 2, 2, 0, 2, 1, Decimal("1250.50"), Decimal("100.00")),
        ("C-NEVER", 0, 0, 0, 0, 0, Decimal("0.00"), None),
    ]
    plant_supervisor = member("agency_supervisor", plant)
    rows = selectors.profile_hit_rates(user=plant_supervisor, date_from=today, date_to=today)
    assert [(r.code, r.selections, r.irregularities) for r in rows] == [("B-YELLOW", 2, 2)]
    wide = selectors.profile_hit_rates(
        user=committee, date_from=today - dt.timedelta(days=60), date_to=today
    )
    # The profiles were published today, so d5 (assessed 30 days ago) still counts once
    # the period covers it: selections are counted from the stored matches.
    assert [(r.code, r.selections) for r in wide] == [("A-RED", 4), ("B-YELLOW", 3), ("C-NEVER", 0)]
