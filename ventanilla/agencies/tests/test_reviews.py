"""Agency reviews: routing, idempotency, amendments, sequencing, service levels and the
clock, decisions with reasons, the signal to the orchestrator and the trader's notices."""

from __future__ import annotations

import datetime as dt

import pytest

from ventanilla.agencies import selectors, services
from ventanilla.agencies.models import AgencyReview, InformationRequest, ReviewEvent
from ventanilla.agencies.tests.conftest import START
from ventanilla.agencies.tests.factories import line
from ventanilla.audit.models import AuditEvent
from ventanilla.core.errors import BusinessError, ConflictError
from ventanilla.declarations.models import MilestoneEvent
from ventanilla.declarations.selectors import declaration_qs_for

pytestmark = pytest.mark.django_db


def english(label: dict[str, str]) -> str:
    """A label sent in both languages (the Spanish comes from the catalogue)."""
    assert sorted(label) == ["en", "es"]
    return label["en"]


def test_tfa_10_4_one_declaration_routed_to_every_agency_that_must_act(world):
    declaration = world.declaration(n=2, item={"is_perishable": False})
    fish = declaration.items.last()
    fish.hs_code, fish.tariff_line = "030617", "0306171000"
    fish.save()
    reviews = services.reviews_open(declaration=declaration, channel="green", by=None)
    assert [(r.agency.code, r.status, r.round) for r in reviews] == [
        ("AG-FOOD", "pending", 1),
        ("AG-PLANT", "pending", 1),
    ]
    plant = reviews[1]
    assert plant.required_documents == ["N851"]
    assert [ln.key for ln in plant.requirement_lines.all()] == ["AG-PLANT-0001"]
    assert (plant.sla_hours, plant.pending_at, plant.priority) == (24, START, 0)
    assert plant.due_at == START + dt.timedelta(hours=24)
    events = ReviewEvent.objects.filter(review=plant)
    assert list(events.values_list("from_status", "to_status")) == [("", "pending")]
    assert AuditEvent.objects.filter(verb="agency_review.opened").count() == 2


def test_customs_reviews_on_yellow_and_starts_as_inspection_on_red(
    world, sent, django_capture_on_commit_callbacks
):
    yellow = world.declaration(item={"hs_code": "740311", "tariff_line": "7403110000"})
    reviews = services.reviews_open(declaration=yellow, channel="yellow", by=None)
    assert [(r.agency.code, r.status, r.risk_channel) for r in reviews] == [
        ("AG-CUSTOMS", "pending", "yellow")
    ]
    red = world.declaration()
    with django_capture_on_commit_callbacks(execute=True):
        reviews = services.reviews_open(
            declaration=red, channel="red", by=None, reason_category="random_check"
        )
    assert [(r.agency.code, r.status) for r in reviews] == [
        ("AG-CUSTOMS", "inspection_required"),
        ("AG-PLANT", "pending"),
    ]
    customs = reviews[0]
    assert customs.sla_hours == 4  # perishable avocados (TFA 7.9)
    [notice] = sent
    assert notice["kind"] == "inspection_selected"
    assert [o.code for o in notice["organisations"]] == [
        world.trader.code,
        world.broker.code,
        world.carrier.code,
    ]
    params = dict(notice["params"])
    assert english(params.pop("reason_category")) == "Random check"
    assert params == {
        "reference": red.lrn,
        "agency": {"en": "Customs", "es": "Customs"},
        "agency_codes": ["AG-CUSTOMS"],
        "review_id": customs.pk,
        "reason_category_code": "random_check",
        "expected_at": "2026-12-01T10:00:00-05:00",
        "location": "PECLL",
    }
    green = world.declaration(item={"hs_code": "740311", "tariff_line": "7403110000"})
    assert services.reviews_open(declaration=green, channel="green", by=None) == []


def test_reviews_open_is_idempotent_for_the_same_version(world, signals):
    declaration = world.declaration()
    first = services.reviews_open(declaration=declaration, channel="yellow", by=None)
    again = services.reviews_open(declaration=declaration, channel="yellow", by=None)
    also = services.reviews_open(declaration=declaration, channel="yellow", by=None, reopen=True)
    assert [r.pk for r in first] == [r.pk for r in again] == [r.pk for r in also]
    assert AgencyReview.objects.count() == 2
    assert len(signals) == 2


def test_reopen_after_amendment_supersedes_open_reviews_and_opens_a_new_round(world, signals):
    declaration = world.declaration()
    first = services.reviews_open(declaration=declaration, channel="yellow", by=None)
    customs, plant = first
    services.review_decide(review=customs, decision="approve", by=world.customs_officer)
    services.information_request(
        review=plant, message="Send the certificate", by=world.plant_officer
    )
    declaration.version = 2
    declaration.save()
    signals.clear()
    second = services.reviews_open(declaration=declaration, channel="yellow", by=None, reopen=True)
    assert [(r.agency.code, r.round, r.declaration_version, r.status) for r in second] == [
        ("AG-CUSTOMS", 2, 2, "pending"),
        ("AG-PLANT", 2, 2, "pending"),
    ]
    old = {r.agency.code: r.status for r in AgencyReview.objects.filter(round=1)}
    assert old == {"AG-CUSTOMS": "approved", "AG-PLANT": "superseded"}  # decisions stay
    assert InformationRequest.objects.get().status == "withdrawn"
    assert [s[1] for s in signals] == ["superseded", "pending", "pending"]
    assert selectors.clearance_state(declaration=declaration).approved_agencies == ()


def test_tfa_8_sequencing_later_agencies_wait_for_earlier_approvals(world, signals):
    line(
        agency=world.food,
        key="F-AFTER",
        hs_prefix="0804",
        sequence=1,
        sla_hours=10,
        perishable_sla_hours=2,
    )
    declaration = world.declaration()
    reviews = services.reviews_open(declaration=declaration, channel="green", by=None)
    assert [(r.agency.code, r.sequence, r.status, r.due_at) for r in reviews] == [
        ("AG-PLANT", 0, "pending", START + dt.timedelta(hours=4)),
        ("AG-FOOD", 1, "waiting", None),
    ]
    signals.clear()
    services.review_decide(review=reviews[0], decision="approve", by=world.plant_officer)
    food = AgencyReview.objects.get(pk=reviews[1].pk)
    assert (food.status, food.due_at) == ("pending", START + dt.timedelta(hours=2))
    assert [(s[0], s[1]) for s in signals] == [(reviews[0].pk, "approved"), (food.pk, "pending")]


def test_waiting_reviews_stay_waiting_when_an_earlier_agency_refuses(world):
    line(agency=world.food, key="F-AFTER", hs_prefix="0804", sequence=1)
    declaration = world.declaration()
    plant, food = services.reviews_open(declaration=declaration, channel="green", by=None)
    services.review_decide(
        review=plant,
        decision="reject",
        reason="Certificate forged",
        reason_category="documents_incomplete",
        by=world.plant_officer,
    )
    assert AgencyReview.objects.get(pk=food.pk).status == "waiting"
    state = selectors.clearance_state(declaration=declaration)
    assert (state.any_rejected, state.all_approved) == (True, False)


def test_tfa_7_9_perishable_reviews_get_the_shorter_service_level(world):
    fresh = world.declaration()
    dry = world.declaration(item={"is_perishable": False})
    [p] = services.reviews_open(declaration=fresh, channel="green", by=None)
    [d] = services.reviews_open(declaration=dry, channel="green", by=None)
    assert (p.priority, p.sla_hours, p.due_at) == (10, 4, START + dt.timedelta(hours=4))
    assert (d.priority, d.sla_hours, d.due_at) == (0, 24, START + dt.timedelta(hours=24))


def test_clock_stops_while_information_is_requested_exact_seconds(
    world, clock, sent, django_capture_on_commit_callbacks
):
    [review] = services.reviews_open(declaration=world.declaration(), channel="green", by=None)
    due = review.due_at
    clock.advance(minutes=30)
    with django_capture_on_commit_callbacks(execute=True):
        request = services.information_request(
            review=review, message="Which cold store?", by=world.plant_officer
        )
    review.refresh_from_db()
    assert (review.status, review.paused_at) == ("information_requested", clock.now)
    assert review.time_left(clock.now + dt.timedelta(hours=9)) == dt.timedelta(hours=3, minutes=30)
    assert [(n["kind"], n["params"]["message"]) for n in sent] == [
        ("information_requested", "Which cold store?")
    ]
    assert [o.code for o in sent[0]["organisations"]] == [world.trader.code, world.broker.code]
    clock.advance(hours=2, minutes=13, seconds=7)
    answered = services.information_answer(
        request=request, answer="Frío Callao, bay 4", by=world.broker_user
    )
    review.refresh_from_db()
    assert answered.paused_seconds == 7987
    assert (review.status, review.paused_at, review.paused_seconds) == ("in_progress", None, 7987)
    assert review.due_at == due + dt.timedelta(seconds=7987)
    assert answered.answered_organisation == world.broker
    event = review.events.last()
    assert (event.actor, event.actor_organisation, event.to_status) == (
        world.broker_user,
        world.broker,
        "in_progress",
    )
    # A second pause adds up.
    request = services.information_request(
        review=review, message="Temperature log?", by=world.plant_officer
    )
    clock.advance(seconds=60)
    services.information_answer(request=request, answer="Attached", by=world.trader_user)
    review.refresh_from_db()
    assert (review.paused_seconds, review.due_at) == (8047, due + dt.timedelta(seconds=8047))


def test_only_the_trader_side_answers_and_only_open_requests(world):
    [review] = services.reviews_open(declaration=world.declaration(), channel="green", by=None)
    request = services.information_request(review=review, message="?", by=world.plant_officer)
    for user in (world.carrier_user, world.other_trader_user, world.food_officer):
        with pytest.raises(BusinessError) as err:
            services.information_answer(request=request, answer="x", by=user)
        assert err.value.http_status == 403
    with pytest.raises(BusinessError) as err:
        services.information_answer(request=request, answer="  ", by=world.trader_user)
    assert (err.value.items[0].code, err.value.items[0].field) == ("answer_required", "answer")
    services.information_answer(request=request, answer="ok", by=world.trader_user)
    with pytest.raises(ConflictError) as err:
        services.information_answer(request=request, answer="again", by=world.trader_user)
    assert err.value.items[0].code == "request_not_open"


def test_tfa_4_reject_and_inspect_need_a_reason_and_a_category_nothing_written(world, signals):
    [review] = services.reviews_open(declaration=world.declaration(), channel="green", by=None)
    signals.clear()
    before = (ReviewEvent.objects.count(), AuditEvent.objects.count())
    for decision in ("reject", "inspect"):
        with pytest.raises(BusinessError) as err:
            services.review_decide(
                review=review, decision=decision, reason=" ", by=world.plant_officer
            )
        assert [(i.code, i.field) for i in err.value.items] == [
            ("reason_required", "reason"),
            ("reason_category_required", "reason_category"),
        ]
    with pytest.raises(BusinessError) as err:
        services.review_decide(
            review=review,
            decision="reject",
            reason="Forged",
            reason_category="because",
            by=world.plant_officer,
        )
    assert [(i.code, i.field) for i in err.value.items] == [
        ("reason_category_invalid", "reason_category")
    ]
    review.refresh_from_db()
    assert (review.status, review.started_at) == ("pending", None)
    assert (ReviewEvent.objects.count(), AuditEvent.objects.count()) == before
    assert signals == []


def test_decision_in_one_action_from_pending_writes_both_steps(world, signals):
    [review] = services.reviews_open(declaration=world.declaration(), channel="yellow", by=None)[:1]
    signals.clear()
    decided = services.review_decide(review=review, decision="approve", by=world.customs_officer)
    assert (decided.status, decided.decided_by, decided.decided_at) == (
        "approved",
        world.customs_officer,
        START,
    )
    assert list(decided.events.values_list("from_status", "to_status")) == [
        ("", "pending"),
        ("pending", "in_progress"),
        ("in_progress", "approved"),
    ]
    assert signals == [(review.pk, "approved", review.declaration_id)]
    milestones = set(MilestoneEvent.objects.values_list("milestone", flat=True))
    assert milestones == {"document_check_start", "document_check_end"}


def test_other_agencies_cannot_act_on_a_review(world):
    [review] = services.reviews_open(declaration=world.declaration(), channel="green", by=None)
    with pytest.raises(BusinessError) as err:
        services.review_decide(review=review, decision="approve", by=world.food_officer)
    assert err.value.http_status == 403
    with pytest.raises(BusinessError):
        services.review_start(review=review, by=world.trader_user)
    review.refresh_from_db()
    assert review.status == "pending"


def test_transition_table_refuses_what_it_does_not_list(world):
    [review] = services.reviews_open(declaration=world.declaration(), channel="green", by=None)
    services.review_decide(review=review, decision="approve", by=world.plant_officer)
    for call in (
        lambda: services.review_start(review=review, by=world.plant_officer),
        lambda: services.review_decide(
            review=review,
            decision="reject",
            reason="x",
            reason_category="other",
            by=world.plant_officer,
        ),
        lambda: services.information_request(review=review, message="?", by=world.plant_officer),
    ):
        with pytest.raises(ConflictError) as err:
            call()
        assert err.value.items[0].code == "review_transition_refused"


def test_tfa_10_4_trader_told_of_the_decision_without_the_officer_words(
    world, sent, django_capture_on_commit_callbacks
):
    [review] = services.reviews_open(declaration=world.declaration(), channel="green", by=None)
    with django_capture_on_commit_callbacks(execute=True):
        services.review_decide(
            review=review,
            decision="reject",
            reason="Officer suspects the certificate is forged",
            reason_category="documents_incomplete",
            by=world.plant_officer,
        )
    [notice] = sent
    assert notice["kind"] == "review_decided"
    assert [o.code for o in notice["organisations"]] == [world.trader.code, world.broker.code]
    params = dict(notice["params"])
    assert english(params.pop("decision")) == "Rejected"
    assert english(params.pop("reason_category")) == "Documents incomplete"
    assert params == {
        "reference": review.declaration.lrn,
        "agency": {"en": "Plant Health", "es": "Plant Health"},
        "agency_codes": ["AG-PLANT"],
        "review_id": review.pk,
        "decision_code": "rejected",
        "reason_category_code": "documents_incomplete",
        "second_test_available": False,
    }
    assert "forged" not in str(notice)


def test_notices_leave_only_when_the_change_is_committed(
    world, sent, django_capture_on_commit_callbacks
):
    [review] = services.reviews_open(declaration=world.declaration(), channel="green", by=None)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.review_decide(review=review, decision="approve", by=world.plant_officer)
    assert (len(callbacks), sent) == (1, [])


def test_clearance_state_summarises_the_latest_round(world):
    line(agency=world.food, key="F-ALSO", hs_prefix="0804")
    declaration = world.declaration()
    empty = selectors.clearance_state(declaration=declaration)
    assert (empty.required_agencies, empty.all_approved) == ((), True)
    customs, food, plant = services.reviews_open(declaration=declaration, channel="yellow", by=None)
    services.review_decide(review=customs, decision="approve", by=world.customs_officer)
    services.information_request(review=food, message="?", by=world.food_officer)
    services.review_decide(
        review=plant,
        decision="inspect",
        reason="Fruit fly alert",
        reason_category="phytosanitary_risk",
        by=world.plant_officer,
    )
    state = selectors.clearance_state(declaration=declaration)
    assert state == selectors.ClearanceState(
        required_agencies=tuple(sorted([world.customs.pk, world.food.pk, world.plant.pk])),
        approved_agencies=(world.customs.pk,),
        pending_agencies=tuple(sorted([world.food.pk, world.plant.pk])),
        any_rejected=False,
        information_requested=True,
        inspection_open=True,
        all_approved=False,
    )


def test_tfa_8_agency_sees_the_declarations_routed_to_it(world):
    declaration = world.declaration()
    services.reviews_open(declaration=declaration, channel="green", by=None)
    assert list(declaration_qs_for(user=world.plant_officer)) == [declaration]
    assert list(declaration_qs_for(user=world.food_officer)) == []


def test_every_change_tells_the_orchestrator_once_inside_the_transaction(world, signals):
    [review] = services.reviews_open(declaration=world.declaration(), channel="green", by=None)
    assert signals == [(review.pk, "pending", review.declaration_id)]
    services.review_start(review=review, by=world.plant_officer)
    request = services.information_request(review=review, message="?", by=world.plant_officer)
    services.information_answer(request=request, answer="!", by=world.trader_user)
    services.review_decide(review=review, decision="approve", by=world.plant_officer)
    assert [s[1] for s in signals] == [
        "pending",
        "in_progress",
        "information_requested",
        "in_progress",
        "approved",
    ]
    with pytest.raises(BusinessError):
        services.review_decide(review=review, decision="bogus", by=world.plant_officer)
    assert len(signals) == 5  # a refused call sends nothing
