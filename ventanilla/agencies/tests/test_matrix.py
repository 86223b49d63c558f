"""The requirement matrix and customs are read from per-day snapshots: matching in Python
gives exactly the lines (and order) the database query gave; a line added, changed or
ended, or customs changed, reaches the next routing, committed or not; routing a 10-item
declaration costs a bounded number of queries."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from typing import Any

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ventanilla.agencies import selectors, services
from ventanilla.agencies.models import InspectionCalendar, RequirementLine
from ventanilla.agencies.selectors import _blank_or, _prefixes
from ventanilla.agencies.slots import slot_rules
from ventanilla.agencies.tests.factories import line
from ventanilla.core.snapshots import clear_all
from ventanilla.declarations.facts import declaration_facts

pytestmark = pytest.mark.django_db


@pytest.fixture
def settled(world: Any) -> Any:
    """The world as if committed: its writes no longer keep the snapshots bypassed (in a
    test they stay open, since the test's transaction is rolled back)."""
    clear_all()
    return world


def reference_query(facts: dict[str, Any], day: dt.date) -> list[RequirementLine]:
    """The database query ``requirements_for_facts`` ran before the snapshot."""
    items_q = Q(pk__in=[])
    for item in facts.get("items", []):
        prefixes = _prefixes(item.get("tariff_line") or item.get("hs_code") or "")
        if prefixes:
            items_q |= Q(hs_prefix__in=prefixes) & _blank_or(
                "origin_country", item.get("origin_country") or "~~"
            )
    qs = (
        RequirementLine.objects.as_of(day)
        .filter(items_q)
        .filter(_blank_or("declaration_type", facts.get("declaration_type") or "~~"))
        .filter(_blank_or("procedure_code", facts.get("procedure_code") or "~~"))
        .filter(_blank_or("export_country", facts.get("export_country") or "~~"))
        .filter(_blank_or("destination_country", facts.get("destination_country") or "~~"))
        .order_by("agency_id", "sequence", "key")
    )
    return list(qs)


def test_matching_in_python_gives_the_lines_and_order_of_the_query(world):
    today = timezone.localdate()
    rng = random.Random(7)
    agencies = [world.plant, world.food, world.customs]
    prefixes = ["0", "08", "0804", "080440", "08044000", "0804400000", "03", "0306", "84"]
    for n, prefix in enumerate(prefixes * 4):
        line(
            agency=rng.choice(agencies),
            key=f"K-{n:03d}",
            hs_prefix=prefix,
            sequence=rng.choice([0, 0, 1, 2]),
            origin_country=rng.choice(["", "", "MX", "CN"]),
            declaration_type=rng.choice(["", "", "IM", "EX"]),
            procedure_code=rng.choice(["", "4000", "1000"]),
            export_country=rng.choice(["", "MX"]),
            destination_country=rng.choice(["", "PE"]),
            valid_from=rng.choice([dt.date(2020, 1, 1), today, today + dt.timedelta(days=1)]),
            valid_to=rng.choice([None, None, today, today + dt.timedelta(days=2)]),
        )
    codes = ["0804400000", "0804409000", "0306171000", "8471300000", "", "08.04.40", "7403"]
    cases = 0
    for tariff_line, hs_code, origin, header in itertools.product(
        codes,
        ["080440", ""],
        ["MX", "cn", "", None],
        [("IM", "4000", "MX", "PE"), ("ex", "", None, "PE"), ("", "1000", "CN", "")],
    ):
        facts = {
            "declaration_type": header[0],
            "procedure_code": header[1],
            "export_country": header[2],
            "destination_country": header[3],
            "items": [
                {"tariff_line": tariff_line, "hs_code": hs_code, "origin_country": origin},
                {"tariff_line": "0306171000", "hs_code": "030617", "origin_country": "CN"},
            ][: rng.choice([1, 2])],
        }
        for day in (today, today + dt.timedelta(days=1), today + dt.timedelta(days=3)):
            expected = [ln.pk for ln in reference_query(facts, day)]
            assert [ln.pk for ln in selectors.requirements_for_facts(facts=facts, day=day)] == (
                expected
            ), facts
            cases += bool(expected)
    assert cases > 50  # the matrix is varied enough for the comparison to mean something


def _routed_to(world: Any) -> list[str]:
    declaration = world.declaration(item={"is_perishable": False})
    reviews = services.reviews_open(declaration=declaration, channel="green", by=None)
    return [r.agency.code for r in reviews]


def test_a_line_added_or_ended_reaches_the_next_routing_once_committed(
    settled, django_capture_on_commit_callbacks
):
    world = settled
    assert _routed_to(world) == ["AG-PLANT"]
    with django_capture_on_commit_callbacks(execute=True):
        food = services.requirement_line_add(
            agency=world.food,
            hs_prefix="0804",
            action="permit",
            document_type_code="N853",
            description_en="Pesticide residues",
            by=None,
        )
    assert _routed_to(world) == ["AG-FOOD", "AG-PLANT"]
    with django_capture_on_commit_callbacks(execute=True):
        services.requirement_line_change(
            line=food, changes={"hs_prefix": "0805"}, valid_from=world_tomorrow(), by=None
        )
    assert _routed_to(world) == ["AG-FOOD", "AG-PLANT"]  # the change starts tomorrow
    facts = {"items": [{"tariff_line": "0804400000", "origin_country": "MX"}]}
    tomorrow = selectors.requirements_for_facts(facts=facts, day=world_tomorrow())
    assert [ln.key for ln in tomorrow] == ["AG-PLANT-0001"]
    with django_capture_on_commit_callbacks(execute=True):
        services.requirement_line_end(line=world.plant_line, by=None)
    assert _routed_to(world) == ["AG-FOOD"]


def world_tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)


def test_an_uncommitted_line_routes_in_its_own_transaction(world):
    assert _routed_to(world) == ["AG-PLANT"]
    added = services.requirement_line_add(
        agency=world.food,
        hs_prefix="08",
        action="permit",
        document_type_code="N853",
        description_en="Residues",
        by=None,
    )
    assert _routed_to(world) == ["AG-FOOD", "AG-PLANT"]
    services.requirement_line_end(line=added, valid_to=world_tomorrow(), by=None)
    assert _routed_to(world) == ["AG-FOOD", "AG-PLANT"]  # still in force today


def test_customs_follows_its_organisation(settled, django_capture_on_commit_callbacks):
    world = settled
    assert selectors.customs_agency() == world.customs
    with CaptureQueriesContext(connection) as queries:
        selectors.customs_agency()
    assert len(queries) == 0
    with django_capture_on_commit_callbacks(execute=True):
        world.customs.is_active = False
        world.customs.save()
    assert selectors.customs_agency() is None


def test_slot_rules_follow_the_calendar(settled, django_capture_on_commit_callbacks):
    assert slot_rules(location="PECLL").slot_minutes == 30
    with CaptureQueriesContext(connection) as queries:
        slot_rules(location="PECLL")
    assert len(queries) == 0
    with django_capture_on_commit_callbacks(execute=True):
        InspectionCalendar.objects.create(location="PECLL", slot_minutes=45)
    assert slot_rules(location="PECLL").slot_minutes == 45
    assert slot_rules(location="PEPAI").slot_minutes == 30


def test_routing_a_ten_item_declaration_costs_a_few_queries(
    world, sent, django_assert_max_num_queries
):
    warm = world.declaration(item={"is_perishable": False})
    declaration = world.declaration(n=10, lodged_at=timezone.now())
    again = world.declaration(n=10, lodged_at=timezone.now())
    line(agency=world.food, key="F-ALSO", hs_prefix="0804", sequence=1)
    clear_all()  # as if committed
    services.reviews_open(declaration=warm, channel="red", by=None)  # warms the snapshots
    # Savepoint and release, the lock with the latest round, the items and parties
    # (facts), then per review: the review, its lines (none for customs), its event and
    # its audit event (chain head read, event, head update); and the inspections booked,
    # for the first free slot.
    with django_assert_max_num_queries(23):
        reviews = services.reviews_open(declaration=declaration, channel="red", by=None)
    assert [(r.agency.code, r.status) for r in reviews] == [
        ("AG-CUSTOMS", "inspection_required"),
        ("AG-PLANT", "pending"),
        ("AG-FOOD", "waiting"),
    ]
    # The orchestrator's call: facts known, lodged in its own transaction, no savepoint.
    facts = declaration_facts(again)
    with django_assert_max_num_queries(18):
        routed = services.reviews_open(
            declaration=again,
            channel="red",
            by=None,
            facts=facts,
            first_round=True,
            savepoint=False,
        )
    assert [(r.agency.code, r.status) for r in routed] == [
        (r.agency.code, r.status) for r in reviews
    ]


def test_the_current_reviews_and_the_clearance_state_cost_one_query_each(
    world, django_assert_num_queries
):
    declaration = world.declaration()
    assert list(selectors.reviews_current(declaration=declaration)) == []
    services.reviews_open(declaration=declaration, channel="red", by=None)
    with django_assert_num_queries(1):
        current = list(selectors.reviews_current(declaration=declaration))
    assert [r.agency.code for r in current] == ["AG-CUSTOMS", "AG-PLANT"]
    with django_assert_num_queries(1):  # customs' inspection is due: no need to look further
        assert selectors.clearance_state(declaration=declaration).inspection_open
