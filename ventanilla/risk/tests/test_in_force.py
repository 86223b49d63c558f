"""The profiles in force are a snapshot per day: a publish or a retirement reaches the
next assessment, committed or not; the compliance record is counted only when a profile
tests it, and no further than the profiles need; an assessment costs a bounded number of
queries whatever the number of items."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ventanilla.core.snapshots import clear_all
from ventanilla.declarations.facts import declaration_facts
from ventanilla.declarations.tests.factories import declaration_with_items
from ventanilla.risk import selectors, services
from ventanilla.risk.engine import MAX_COUNT_LIMIT, ProfileRule, count_limits
from ventanilla.risk.tests.factories import draft_profile, published_profile

pytestmark = pytest.mark.django_db

TRADER = "trader_prior_declarations"
DECLARANT = "declarant_prior_declarations"


def _count_queries(queries: CaptureQueriesContext) -> int:
    return sum('"declarations_declaration"' in q["sql"] and "COUNT" in q["sql"] for q in queries)


def test_published_and_retired_profiles_reach_the_next_assessment_once_committed(
    django_capture_on_commit_callbacks: Any,
) -> None:
    declaration = declaration_with_items()
    clear_all()  # as if committed: the set-up's writes no longer bypass the snapshot
    today = timezone.localdate()
    assert services.risk_assess(declaration=declaration, by=None).channel == "green"
    with CaptureQueriesContext(connection) as queries:
        selectors.rules_in_force(on=today)
    assert len(queries) == 0  # served from the snapshot
    with django_capture_on_commit_callbacks(execute=True):
        profile = published_profile()
    assert [p.code for p in selectors.profiles_in_force(on=today)] == ["SEL-AVOCADO"]
    assert services.risk_assess(declaration=declaration, by=None).channel == "yellow"
    with django_capture_on_commit_callbacks(execute=True):
        services.risk_profile_retire(profile=profile, by=None)
    assert services.risk_assess(declaration=declaration, by=None).channel == "green"
    assert selectors.profiles_in_force(on=today) == []


def test_an_uncommitted_profile_applies_in_its_own_transaction() -> None:
    declaration = declaration_with_items()
    assert services.risk_assess(declaration=declaration, by=None).channel == "green"
    profile = published_profile()  # the test's transaction is never committed
    assert services.risk_assess(declaration=declaration, by=None).channel == "yellow"
    services.risk_profile_retire(profile=profile, by=None)
    assert services.risk_assess(declaration=declaration, by=None).channel == "green"


def test_the_snapshot_of_a_day_never_serves_another_day() -> None:
    today = timezone.localdate()
    later = today + dt.timedelta(days=3)
    published_profile()
    published_profile(code="SEL-LATER", valid_from=later)
    draft_profile(code="SEL-DRAFT")
    clear_all()  # as if committed
    assert selectors.profiles_in_force(on=today - dt.timedelta(days=1)) == []
    assert [p.code for p in selectors.profiles_in_force(on=today)] == ["SEL-AVOCADO"]
    assert [p.code for p in selectors.profiles_in_force(on=later)] == ["SEL-AVOCADO", "SEL-LATER"]
    assert [p.code for p in selectors.profiles_in_force(on=today)] == ["SEL-AVOCADO"]


def test_the_compliance_record_is_counted_only_when_a_profile_tests_it() -> None:
    published_profile()
    declaration = declaration_with_items()
    with CaptureQueriesContext(connection) as queries:
        services.risk_assess(declaration=declaration, by=None)
    assert _count_queries(queries) == 0
    published_profile(code="NEW-TRADER", criteria=[{"field": TRADER, "op": "eq", "value": 0}])
    with CaptureQueriesContext(connection) as queries:
        assessment = services.risk_assess(declaration=declaration, by=None)
    assert _count_queries(queries) == 1  # the trader's record only
    assert [m["code"] for m in assessment.matches] == ["NEW-TRADER", "SEL-AVOCADO"]


def _lodged_before(declaration: Any, n: int) -> None:
    for days in range(1, n + 1):
        declaration_with_items(
            trader=declaration.trader,
            status="accepted",
            lodged_at=timezone.now() - dt.timedelta(days=days),
        )


@pytest.mark.parametrize(
    ("op", "value", "matches"),
    [
        ("eq", 3, True),
        ("eq", 1, False),
        ("lte", 3, True),
        ("lt", 3, False),
        ("gt", 1, True),
        ("gte", 4, False),
        ("ne", 0, True),
    ],
)
def test_a_stopped_count_selects_and_explains_as_the_full_count(
    op: str, value: int, matches: bool
) -> None:
    declaration = declaration_with_items()
    _lodged_before(declaration, 3)
    published_profile(code="RECORD", criteria=[{"field": TRADER, "op": op, "value": value}])
    assessment = services.risk_assess(declaration=declaration, by=None)
    assert [m["code"] for m in assessment.matches] == (["RECORD"] if matches else [])
    if matches:  # the explanation shows the real number of earlier declarations
        assert assessment.matches[0]["conditions"][0]["actual"] == "3"


def test_prior_declaration_counts_stop_at_the_limit() -> None:
    declaration = declaration_with_items()
    _lodged_before(declaration, 3)
    full = {TRADER: 3, DECLARANT: 0}
    assert selectors.prior_declaration_counts(declaration=declaration) == full
    assert selectors.prior_declaration_counts(declaration=declaration, limits={TRADER: 2}) == {
        TRADER: 2
    }
    assert selectors.prior_declaration_counts(
        declaration=declaration, limits={TRADER: None, DECLARANT: 1}
    ) == {TRADER: 3, DECLARANT: 0}


def _rule(*criteria: tuple[str, str, Any]) -> ProfileRule:
    return ProfileRule(
        id=1,
        code="R",
        kind="selectivity",
        channel="yellow",
        criteria=[{"field": f, "op": op, "value": v} for f, op, v in criteria],
    )


def test_count_limits() -> None:
    names = (TRADER, DECLARANT)
    assert count_limits([_rule(("hs_code", "startswith", ["0804"]))], names) == {}
    assert count_limits([_rule((TRADER, "eq", 0))], names) == {TRADER: 1}
    assert count_limits([_rule((TRADER, "lt", "2.5")), _rule((TRADER, "lte", 4))], names) == {
        TRADER: 5
    }
    assert count_limits([_rule((TRADER, "lte", -3))], names) == {TRADER: 1}
    assert count_limits([_rule((TRADER, "eq", "many"))], names) == {TRADER: 1}
    assert count_limits([_rule((TRADER, "eq", 0)), _rule((TRADER, "gt", 9))], names) == {
        TRADER: None
    }
    assert count_limits([_rule((TRADER, "gt", 9)), _rule((TRADER, "eq", 0))], names) == {
        TRADER: None
    }
    assert count_limits([_rule((DECLARANT, "lte", Decimal(MAX_COUNT_LIMIT)))], names) == {
        DECLARANT: None
    }


def test_assessing_a_ten_item_declaration_costs_a_few_queries(
    django_assert_max_num_queries: Any,
) -> None:
    published_profile()
    published_profile(code="NEW-TRADER", criteria=[{"field": TRADER, "op": "eq", "value": 0}])
    published_profile(
        code="RND", kind="random", channel="red", criteria=[], random_rate=Decimal("100")
    )
    declaration = declaration_with_items(10, status="accepted", lodged_at=timezone.now())
    facts = declaration_facts(declaration)
    clear_all()  # as if committed: the set-up's writes no longer bypass the snapshot
    services.risk_assess(declaration=declaration, by=None)  # warms the snapshot
    # Savepoint and release, the trader's record, the assessment, its matches, the audit
    # event (chain head read, event, head update).
    with django_assert_max_num_queries(8):
        assessment = services.risk_assess(declaration=declaration, by=None, facts=facts)
    assert [m["code"] for m in assessment.matches] == ["RND", "NEW-TRADER", "SEL-AVOCADO"]
    # Without a savepoint (the orchestrator's call): two fewer.
    with django_assert_max_num_queries(6):
        services.risk_assess(declaration=declaration, by=None, facts=facts, savepoint=False)
