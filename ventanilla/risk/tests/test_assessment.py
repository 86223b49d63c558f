"""risk_assess: the profiles in force on the day, stored with their explanations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from ventanilla.audit.models import AuditEvent
from ventanilla.declarations.tests.factories import declaration_with_items
from ventanilla.risk import selectors, services
from ventanilla.risk.engine import draw
from ventanilla.risk.models import RiskAssessment, RiskMatch
from ventanilla.risk.tests.factories import draft_profile, published_profile

pytestmark = pytest.mark.django_db


def test_assessment_is_stored_with_its_matches_and_an_audit_event() -> None:
    selectivity = published_profile()
    alert = published_profile(
        code="AL-MEDFLY",
        kind="import_alert",
        channel="red",
        criteria=[],
        hs_prefixes=["080440"],
        origin_countries=["MX"],
        entry_points=["PECLL"],
        ends_on=timezone.localdate(),
        review_on=timezone.localdate(),
    )
    published_profile(
        code="SEL-COPPER", criteria=[{"field": "hs_code", "op": "startswith", "value": ["7403"]}]
    )
    draft_profile(code="SEL-DRAFT", channel="red")  # never applies
    declaration = declaration_with_items(2)
    assessment = services.risk_assess(declaration=declaration, by=None)
    assert (
        assessment.channel,
        assessment.declaration_version,
        assessment.profiles_evaluated,
        assessment.random_selected,
        assessment.assessed_on,
    ) == ("red", 1, 3, False, timezone.localdate())
    assert [(m["code"], m["channel"], m["explanation"]) for m in assessment.matches] == [
        (
            "AL-MEDFLY",
            "red",
            "place of discharge PECLL in [PECLL]; HS code 080440 starts with "
            "080440; origin MX in [MX] (item 1)",
        ),
        (
            "SEL-AVOCADO",
            "yellow",
            "HS code 080440 starts with 0804; origin MX in [MX, GT] (item 1)",
        ),
    ]
    assert sorted(RiskMatch.objects.values_list("profile_id", "code", "channel")) == sorted(
        [(alert.pk, "AL-MEDFLY", "red"), (selectivity.pk, "SEL-AVOCADO", "yellow")]
    )
    event = AuditEvent.objects.get(verb="risk.assessed")
    assert event.payload == {
        "declaration": declaration.pk,
        "version": 1,
        "channel": "red",
        "profiles": ["AL-MEDFLY", "SEL-AVOCADO"],
        "evaluated": 3,
        "on": timezone.localdate().isoformat(),
    }
    declaration.refresh_from_db()
    assert declaration.channel == ""  # the orchestrator (clearance) sets the channel


def test_no_profile_in_force_gives_green() -> None:
    published_profile()
    declaration = declaration_with_items(item={"hs_code": "090111", "origin_country": "CO"})
    assessment = services.risk_assess(declaration=declaration, by=None)
    assert (assessment.channel, assessment.matches, assessment.profiles_evaluated) == (
        "green",
        [],
        1,
    )
    assert RiskMatch.objects.count() == 0


def test_only_profiles_in_force_on_the_assessment_date_apply() -> None:
    profile = published_profile()
    declaration = declaration_with_items()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    assert services.risk_assess(declaration=declaration, by=None, on=yesterday).channel == ("green")
    services.risk_profile_retire(profile=profile, by=None)
    assert services.risk_assess(declaration=declaration, by=None).channel == "green"


def test_reassessment_after_amendment_keeps_the_history() -> None:
    published_profile()
    declaration = declaration_with_items()
    first = services.risk_assess(declaration=declaration, by=None)
    declaration.version = 2
    declaration.save(update_fields=["version"])
    item = declaration.items.get()
    item.origin_country = "PE"
    item.save(update_fields=["origin_country"])
    second = services.risk_assess(declaration=declaration, by=None)
    assert [
        (a.declaration_version, a.channel)
        for a in RiskAssessment.objects.filter(declaration=declaration).order_by("pk")
    ] == [(1, "yellow"), (2, "green")]
    assert selectors.latest_assessment(declaration) == second
    first.refresh_from_db()
    assert first.channel == "yellow"


def test_first_time_trader_fact_comes_from_the_compliance_record() -> None:
    published_profile(
        code="NEW-TRADER", criteria=[{"field": "trader_prior_declarations", "op": "eq", "value": 0}]
    )
    first = declaration_with_items()
    assert services.risk_assess(declaration=first, by=None).matches[0]["explanation"] == (
        "trader's previous declarations is 0"
    )
    first.lodged_at = timezone.now() - dt.timedelta(days=2)
    first.status = "accepted"
    first.save(update_fields=["lodged_at", "status"])
    second = declaration_with_items(trader=first.trader)
    assert selectors.prior_declaration_counts(declaration=second) == {
        "trader_prior_declarations": 1,
        "declarant_prior_declarations": 0,
    }
    assert services.risk_assess(declaration=second, by=None).channel == "green"


def test_random_selection_is_reproducible_for_a_declaration() -> None:
    published_profile(
        code="RND-50", kind="random", channel="red", criteria=[], random_rate=Decimal("50")
    )
    declarations = [declaration_with_items() for _ in range(20)]
    first = [services.risk_assess(declaration=d, by=None).random_selected for d in declarations]
    again = [services.risk_assess(declaration=d, by=None).random_selected for d in declarations]
    assert first == again
    expected = [draw(services.random_seed(d), "RND-50") < 50 for d in declarations]
    assert first == expected
    selected = RiskAssessment.objects.filter(random_selected=True).first()
    assert selected is not None
    match = selected.matches[0]
    assert (match["code"], match["kind"], match["rate"], selected.channel) == (
        "RND-50",
        "random",
        "50.00",
        "red",
    )
    assert Decimal(match["draw"]) < 50
