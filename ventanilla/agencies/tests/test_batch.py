"""Routing and the clearance state for a batch of declarations (ADR 0006): exactly the
reviews, events, audit events, notices and states that routing the declarations one by
one gives, for a number of queries that does not grow with the batch."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from ventanilla.agencies import selectors, services
from ventanilla.agencies.models import AgencyReview, ReviewEvent
from ventanilla.agencies.services import ReviewRequest
from ventanilla.agencies.slots import inspection_next_slot, inspection_next_slots
from ventanilla.agencies.tests.factories import line
from ventanilla.audit.models import AuditEvent
from ventanilla.core.errors import BusinessError, ConflictError
from ventanilla.core.snapshots import clear_all
from ventanilla.declarations.facts import declaration_facts
from ventanilla.declarations.models import Declaration

pytestmark = pytest.mark.django_db

AVOCADO = {"tariff_line": "0804400000", "hs_code": "080440"}
FISH = {"tariff_line": "0306171000", "hs_code": "030617", "origin_country": "EC"}
COPPER = {"tariff_line": "7403110000", "hs_code": "740311"}
# (channel, item, perishable, discharge location, reason category)
KINDS = [
    ("red", AVOCADO, True, "PECLL", "random_check"),
    ("green", AVOCADO, False, "PECLL", "other"),
    ("yellow", FISH, True, "PEPAI", "valuation"),
    ("red", FISH, False, "PEPAI", "sanitary_risk"),
    ("green", COPPER, False, "PECLL", "other"),
    ("yellow", COPPER, True, "PECLL", "origin"),
    ("red", COPPER, False, "", "classification"),
]


def _declarations(world: Any, n: int) -> list[tuple[Declaration, str, str]]:
    out = []
    for k in range(n):
        channel, item, perishable, location, reason = KINDS[k % len(KINDS)]
        declaration = world.declaration(
            item={**item, "is_perishable": perishable},
            discharge_location=location,
            loading_location="" if not location else "MXZLO",
        )
        out.append((declaration, channel, reason))
    return out


def _requests(batch: list[tuple[Declaration, str, str]]) -> list[ReviewRequest]:
    return [ReviewRequest(d, channel, reason, declaration_facts(d)) for d, channel, reason in batch]


def _review_rows(declaration: Declaration) -> list[tuple[Any, ...]]:
    rows = []
    for r in AgencyReview.objects.filter(declaration=declaration).order_by("pk"):
        rows.append(
            (
                r.agency_id,
                r.round,
                r.declaration_version,
                r.status,
                r.sequence,
                r.required_documents,
                r.risk_channel,
                r.priority,
                r.sla_hours,
                r.pending_at,
                r.due_at,
                r.paused_at,
                r.reason,
                r.reason_category,
                sorted(ln.key for ln in r.requirement_lines.all()),
                list(
                    ReviewEvent.objects.filter(review=r)
                    .order_by("pk")
                    .values_list(
                        "from_status",
                        "to_status",
                        "at",
                        "actor_id",
                        "actor_organisation_id",
                        "reason",
                        "reason_category",
                    )
                ),
            )
        )
    return rows


def _audit_rows(declarations: list[Declaration]) -> list[tuple[Any, ...]]:
    """The routing's audit events in order, the declaration by its place in the batch."""
    place = {d.pk: n for n, d in enumerate(declarations)}
    agency_of = dict(AgencyReview.objects.values_list("pk", "agency_id"))
    return [
        (
            e.verb,
            e.actor_label,
            e.organisation_id,
            agency_of[int(e.target_id)],
            {**e.payload, "declaration": place[e.payload["declaration"]]},
        )
        for e in AuditEvent.objects.filter(verb="agency_review.opened").order_by("seq")
        if e.payload["declaration"] in place
    ]


def _notice_rows(sent: list[dict[str, Any]], declarations: list[Declaration]) -> list[Any]:
    place = {d.pk: n for n, d in enumerate(declarations)}
    rows = []
    for notice in sent:
        if notice["declaration_id"] not in place:
            continue
        params = {k: v for k, v in notice["params"].items() if k not in ("reference", "review_id")}
        rows.append(
            (
                notice["kind"],
                place[notice["declaration_id"]],
                [o.pk for o in notice["organisations"]],
                params,
                notice["by"],
            )
        )
    return rows


def test_a_batch_opens_exactly_the_reviews_one_by_one_routing_opens(
    world, sent, django_capture_on_commit_callbacks
):
    line(agency=world.food, key="F-AVOCADO", hs_prefix="0804", sequence=1, sla_hours=72)
    held = world.declaration()
    services.reviews_open(declaration=held, channel="red", by=None)
    services.inspection_book(declaration=held, location="PECLL", by=world.customs_officer)
    singles = _declarations(world, 14)
    batched = _declarations(world, 14)
    sent.clear()
    for request in _requests(singles):
        with django_capture_on_commit_callbacks(execute=True):
            services.reviews_open(
                declaration=request.declaration,
                channel=request.channel,
                by=world.customs_officer,
                reason_category=request.reason_category,
                facts=dict(request.facts or {}),
                first_round=True,
                savepoint=False,
            )
    one_by_one = list(sent)
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = services.reviews_open_many(requests=_requests(batched), by=world.customs_officer)
    for (single, *_), (batch, *_) in zip(singles, batched, strict=True):
        assert _review_rows(batch) == _review_rows(single)
        assert [r.pk for r in result[batch.pk]] == [
            r.pk for r in selectors.reviews_current(declaration=batch)
        ]
    assert _audit_rows([d for d, *_ in batched]) == _audit_rows([d for d, *_ in singles])
    told = _notice_rows(sent, [d for d, *_ in batched])
    assert told == _notice_rows(one_by_one, [d for d, *_ in singles])
    assert len(told) == 6  # one per red declaration: customs holds the goods (TFA 5.2)
    # The varied batch means something: sequencing, perishables, booked slots.
    statuses = {r.status for reviews in result.values() for r in reviews}
    assert statuses == {"inspection_required", "pending", "waiting"}
    assert len({n[3]["expected_at"] for n in told}) > 1


def test_a_batch_gives_back_the_reviews_already_open(world, sent):
    batch = _declarations(world, 4)
    first = services.reviews_open_many(requests=_requests(batch), by=None)
    count = AgencyReview.objects.count()
    again = services.reviews_open_many(requests=_requests(batch), by=None, first_round=False)
    assert AgencyReview.objects.count() == count
    assert {pk: [r.pk for r in rs] for pk, rs in again.items()} == {
        pk: [r.pk for r in rs] for pk, rs in first.items()
    }
    fresh = _declarations(world, 1)
    mixed = services.reviews_open_many(
        requests=_requests(batch[:1] + fresh), by=None, first_round=False
    )
    assert [r.pk for r in mixed[batch[0][0].pk]] == [r.pk for r in first[batch[0][0].pk]]
    assert [(r.agency.code, r.round) for r in mixed[fresh[0][0].pk]] == [
        ("AG-CUSTOMS", 1),
        ("AG-PLANT", 1),
    ]


def test_an_invalid_request_refuses_the_batch_before_any_write(world):
    batch = _declarations(world, 3)
    requests = _requests(batch)
    bad = ReviewRequest(batch[1][0], "red", "not-a-category", None)
    with pytest.raises(BusinessError):
        services.reviews_open_many(requests=[requests[0], bad], by=None)
    world.customs.agency_function = "plant_health"
    world.customs.save()
    with pytest.raises(ConflictError), transaction.atomic():
        services.reviews_open_many(requests=requests, by=None)
    assert not AgencyReview.objects.exists()


def _routing_queries(
    batch: list[tuple[Declaration, str, str]], django_capture_on_commit_callbacks: Any
) -> int:
    requests = _requests([(Declaration.objects.get(pk=d.pk), c, r) for d, c, r in batch])
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks() as callbacks,
    ):
        services.reviews_open_many(requests=requests, by=None)
    assert len(callbacks) == 1  # every notice of the batch, handed over together
    with (
        CaptureQueriesContext(connection) as sending,
        django_capture_on_commit_callbacks(),  # the messages' own sending: not counted
    ):
        callbacks[0]()
    return len(queries) + len(sending)


def test_routing_a_batch_costs_the_same_queries_as_one_declaration(
    world, django_capture_on_commit_callbacks
):
    line(agency=world.food, key="F-AVOCADO", hs_prefix="0804", sequence=1)
    warm, one, fifteen = (_declarations(world, n) for n in (len(KINDS), 1, 15))
    clear_all()  # as if the world were committed: the snapshots are kept
    services.reviews_open_many(requests=_requests(warm), by=None)  # warms them
    # The parties told (the caller's instances have none loaded), the booked
    # inspections; reviews, links, events; the chain (3); notices, members, endpoints,
    # e-mails; the chain again (3).
    assert _routing_queries(one, django_capture_on_commit_callbacks) == 15
    assert _routing_queries(fifteen, django_capture_on_commit_callbacks) == 15


def test_the_clearance_states_of_a_batch_are_each_declarations_state(
    world, django_assert_max_num_queries
):
    batch = [d for d, *_ in _declarations(world, 15)]
    services.reviews_open_many(requests=_requests([(d, "green", "other") for d in batch]), by=None)
    services.reviews_open(declaration=batch[0], channel="red", by=None)  # no second round
    plant = selectors.reviews_current(declaration=batch[1]).get(agency=world.plant)
    services.review_decide(review=plant, decision="approve", by=world.plant_officer)
    fish = selectors.reviews_current(declaration=batch[2]).get(agency=world.food)
    services.information_request(review=fish, message="Cold chain?", by=world.food_officer)
    held = world.declaration()
    services.reviews_open(declaration=held, channel="red", by=None)
    services.inspection_book(declaration=held, location="PECLL", by=world.customs_officer)
    customs = selectors.reviews_current(declaration=held).get(agency=world.customs)
    services.review_decide(review=customs, decision="approve", by=world.customs_officer)
    copper = batch[4]
    copper.version = 2
    copper.save()
    services.reviews_open(declaration=copper, channel="red", by=None, reopen=True)
    everything = [*batch, held, world.declaration()]
    with django_assert_max_num_queries(2):
        states = selectors.clearance_states(declarations=everything)
    assert states == {d.pk: selectors.clearance_state(declaration=d) for d in everything}
    assert states[batch[1].pk].all_approved
    assert states[batch[2].pk].information_requested
    assert states[held.pk].inspection_open
    assert states[everything[-1].pk].all_approved  # no agency must act
    assert selectors.clearance_states(declarations=[]) == {}


def test_the_next_slots_of_several_places_are_each_places_next_slot(world):
    held = world.declaration()
    services.reviews_open(declaration=held, channel="red", by=None)
    services.inspection_book(declaration=held, location="PECLL", by=world.customs_officer)
    places = [("PECLL", True), ("PECLL", False), ("PEPAI", False), ("PEPAI", True)]
    slots = inspection_next_slots(places=places)
    assert slots == {
        (location, perishable): inspection_next_slot(location=location, perishable=perishable)
        for location, perishable in places
    }
    assert inspection_next_slots(places=[]) == {}
