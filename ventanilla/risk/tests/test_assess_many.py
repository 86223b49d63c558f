"""risk_assess_many: a batch of declarations assessed as the single calls assess them
(channel, matches and their explanations, keyed random draws, compliance record, stored
rows, audit events), with the same queries whatever the batch's size (ADR 0006)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ventanilla.accounts.tests.factories import OrganisationFactory, UserFactory
from ventanilla.audit.models import AuditEvent
from ventanilla.core.snapshots import clear_all
from ventanilla.declarations.facts import declaration_facts_many
from ventanilla.declarations.models import Declaration
from ventanilla.declarations.tests.factories import declaration_with_items
from ventanilla.risk import selectors, services
from ventanilla.risk.models import RiskAssessment, RiskMatch
from ventanilla.risk.tests.factories import published_profile

pytestmark = pytest.mark.django_db

TRADER = "trader_prior_declarations"
DECLARANT = "declarant_prior_declarations"

COPPER = {"hs_code": "740311", "tariff_line": "7403110000", "is_perishable": False}


def _profiles(random_rate: str = "30") -> None:
    published_profile()  # avocados from Mexico or Guatemala: yellow
    published_profile(
        code="AL-MEDFLY",
        kind="import_alert",
        channel="red",
        criteria=[],
        hs_prefixes=["080440"],
        origin_countries=["MX"],
        entry_points=["PECLL"],
        ends_on=timezone.localdate() + dt.timedelta(days=30),
        review_on=timezone.localdate(),
    )
    published_profile(
        code="NEW-TRADER",
        criteria=[{"field": TRADER, "op": "eq", "value": 0}],
    )
    published_profile(
        code="BUSY-BROKER",
        criteria=[{"field": DECLARANT, "op": "gte", "value": 2}],
    )
    published_profile(
        code="RND", kind="random", channel="red", criteria=[], random_rate=Decimal(random_rate)
    )


def _declarations() -> list[Declaration]:
    """Fifteen declarations that differ in goods, origin and compliance record: a trader
    and a broker with several lodged at different times (each sees a different count),
    a cancelled one (counted for nobody), one not lodged yet."""
    now = timezone.now()
    trader, broker = OrganisationFactory(), OrganisationFactory(kind="broker")
    regular = [
        declaration_with_items(
            1 + days % 2,
            trader=trader,
            declarant=broker,
            status="accepted",
            lodged_at=now - dt.timedelta(days=days),
            item={"origin_country": ["MX", "GT", "PE"][days % 3]},
        )
        for days in range(1, 7)
    ]
    cancelled = declaration_with_items(
        trader=trader, declarant=broker, status="cancelled", lodged_at=now - dt.timedelta(days=9)
    )
    others = [
        declaration_with_items(
            2, status="accepted", lodged_at=now - dt.timedelta(hours=i), item=COPPER
        )
        for i in range(1, 5)
    ]
    others += [
        declaration_with_items(declarant=broker, status="accepted", lodged_at=now),
        declaration_with_items(trader=trader, item={"origin_country": "CL"}),  # not lodged
        declaration_with_items(discharge_location="PEPAI", status="accepted", lodged_at=now),
        declaration_with_items(3, declarant=broker, item={"origin_country": "GT"}),
    ]
    return [*regular, cancelled, *others]


def _fresh(declarations: list[Declaration]) -> list[Declaration]:
    found = Declaration.objects.in_bulk([d.pk for d in declarations])
    return [found[d.pk] for d in declarations]


def _stored(after: int, audit_after: int) -> tuple[list[Any], list[Any], list[Any]]:
    """Rows written since the given ids, field by field without ids and timestamps."""
    assessments = RiskAssessment.objects.filter(pk__gt=after).order_by("pk")
    rows = [
        (
            a.declaration_id,
            a.declaration_version,
            a.channel,
            a.matches,
            a.random_selected,
            a.profiles_evaluated,
            a.assessed_on,
            a.created_by_id,
        )
        for a in assessments
    ]
    matches = sorted(
        RiskMatch.objects.filter(assessment__pk__gt=after).values_list(
            "assessment__declaration_id", "profile_id", "code", "channel", "is_random"
        )
    )
    events = list(
        AuditEvent.objects.filter(pk__gt=audit_after, verb="risk.assessed")
        .order_by("seq")
        .values_list("verb", "target_type", "actor_id", "organisation_id", "payload")
    )
    return rows, matches, events


def _last_ids() -> tuple[int, int]:
    last = RiskAssessment.objects.order_by("-pk").values_list("pk", flat=True).first()
    event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    return last or 0, event or 0


def test_a_batch_stores_what_the_single_calls_store() -> None:
    _profiles()
    declarations = _declarations()
    by = UserFactory()

    start = _last_ids()
    single = {
        d.pk: services.risk_assess(declaration=d, by=by, savepoint=False)
        for d in _fresh(declarations)
    }
    one_by_one = _stored(*start)

    start = _last_ids()
    batch = _fresh(declarations)
    assessed = services.risk_assess_many(
        declarations=batch, facts=declaration_facts_many(batch), by=by
    )
    in_a_batch = _stored(*start)

    start = _last_ids()
    unread = _fresh(declarations)  # facts not given: read by the service
    services.risk_assess_many(declarations=unread, facts={}, by=by)
    facts_read_here = _stored(*start)

    assert in_a_batch == one_by_one
    assert facts_read_here == one_by_one
    assert list(assessed) == [d.pk for d in declarations]
    for pk, assessment in assessed.items():
        assert assessment.pk is not None
        assert assessment.declaration_id == pk
        assert (assessment.channel, assessment.matches) == (
            single[pk].channel,
            single[pk].matches,
        )
    rows, matches, events = one_by_one
    assert len(rows) == len(events) == 15
    assert {row[2] for row in rows} >= {"yellow", "red"}
    matched = {code for _, _, code, _, _ in matches}
    assert matched >= {"SEL-AVOCADO", "AL-MEDFLY", "NEW-TRADER", "BUSY-BROKER"}


def test_a_batch_costs_the_queries_of_one_declaration() -> None:
    _profiles(random_rate="100")  # every declaration has a matched profile to store
    declarations = _declarations()
    clear_all()  # as if committed: the set-up's writes no longer bypass the snapshot
    services.risk_assess(declaration=declarations[0], by=None)  # warms the snapshot
    counts = []
    for size in (1, 15):
        batch = _fresh(declarations[:size])
        facts = declaration_facts_many(batch)
        with CaptureQueriesContext(connection) as queries:
            assessed = services.risk_assess_many(declarations=batch, facts=facts, by=None)
        assert len(assessed) == size
        counts.append(len(queries))
    # The compliance record, the assessments, their matches, the audit events (chain
    # head read, events, head update).
    assert counts == [6, 6]


def _counted_one_by_one(declaration: Declaration, limits: dict[str, int | None]) -> dict[str, int]:
    """The compliance record as it was counted before batches, one query per fact: the
    reference the batch's subqueries must give."""
    before = declaration.lodged_at or timezone.now()
    earlier = (
        Declaration.objects.filter(lodged_at__isnull=False, lodged_at__lt=before)
        .exclude(pk=declaration.pk)
        .exclude(status__in=["rejected", "cancelled"])
    )
    party = {
        TRADER: {"trader_id": declaration.trader_id},
        DECLARANT: {"declarant_id": declaration.declarant_id},
    }
    counts = {}
    for name, limit in limits.items():
        rows = earlier.filter(**party[name])
        counts[name] = (rows if limit is None else rows[:limit]).count()
    return counts


@pytest.mark.parametrize(
    "limits",
    [
        {TRADER: None, DECLARANT: None},
        {TRADER: 1},
        {TRADER: 3, DECLARANT: 2},
        {DECLARANT: None},
    ],
)
def test_the_compliance_record_of_a_batch_is_counted_as_one_by_one(
    limits: dict[str, int | None],
) -> None:
    declarations = _fresh(_declarations())
    expected = {d.pk: _counted_one_by_one(d, limits) for d in declarations}
    with CaptureQueriesContext(connection) as queries:
        counts = selectors.prior_declaration_counts_many(declarations=declarations, limits=limits)
    assert len(queries) == 1
    assert counts == expected
    assert len({tuple(c.values()) for c in counts.values()}) > 1  # the counts differ
    assert selectors.prior_declaration_counts_many(declarations=declarations, limits={}) == {
        d.pk: {} for d in declarations
    }


def test_an_empty_batch_does_nothing() -> None:
    with CaptureQueriesContext(connection) as queries:
        assert services.risk_assess_many(declarations=[], facts={}, by=None) == {}
    assert len(queries) == 0
