"""Joint inspections (TFA 8, the "rainbow team"), the slot calendar (TFA 7.9), samples and
the second test (TFA 5.3)."""

from __future__ import annotations

import datetime as dt

import pytest

from ventanilla.agencies import selectors, services
from ventanilla.agencies.models import (
    AgencyReview,
    Inspection,
    InspectionCalendar,
    InspectionParticipant,
)
from ventanilla.agencies.tests.factories import line
from ventanilla.core.errors import BusinessError, ConflictError
from ventanilla.declarations.models import MilestoneEvent

pytestmark = pytest.mark.django_db

LIMA = dt.timezone(dt.timedelta(hours=-5))


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=LIMA)


@pytest.fixture
def held(world):
    """A perishable declaration selected red (customs) that plant health also inspects."""
    declaration = world.declaration()
    customs, plant = services.reviews_open(
        declaration=declaration, channel="red", by=None, reason_category="random_check"
    )
    plant = services.review_decide(
        review=plant,
        decision="inspect",
        reason="Fruit fly alert",
        reason_category="phytosanitary_risk",
        by=world.plant_officer,
    )
    return declaration, customs, plant


def test_tfa_8_joint_inspection_one_appointment_for_all_agencies(
    world, held, sent, signals, django_capture_on_commit_callbacks
):
    declaration, customs, plant = held
    signals.clear()
    with django_capture_on_commit_callbacks(execute=True):
        booked = services.inspection_book(
            declaration=declaration,
            location="PECLL",
            place="Terminal Norte, bay 3",
            by=world.customs_officer,
        )
        again = services.inspection_book(
            declaration=declaration, location="PECLL", scheduled_at=at(3, 9), by=world.plant_officer
        )
    assert again.pk == booked.pk
    assert Inspection.objects.count() == 1
    assert (booked.scheduled_at, booked.is_perishable, booked.status) == (at(1, 10), True, "booked")
    assert sorted(p.agency.code for p in booked.participants.all()) == ["AG-CUSTOMS", "AG-PLANT"]
    assert sorted(s[0] for s in signals) == sorted([customs.pk, plant.pk])
    [detained] = [n for n in sent if n["kind"] == "goods_detained"]
    params = detained["params"]
    assert (params["reference"], params["agency"], params["agency_codes"]) == (
        declaration.lrn,
        {"en": "Customs, Plant Health", "es": "Customs, Plant Health"},
        ["AG-CUSTOMS", "AG-PLANT"],
    )
    assert params["reason_category"]["en"] == "Random check; Phytosanitary risk"
    assert (params["scheduled_at"], params["expected_at"]) == (
        "2026-12-01T10:00:00-05:00",
        "2026-12-01T10:30:00-05:00",
    )
    assert (params["location"], params["place"]) == ("PECLL", "Terminal Norte, bay 3")
    assert [o.code for o in detained["organisations"]] == [
        world.trader.code,
        world.broker.code,
        world.carrier.code,
    ]


def test_tfa_8_an_agency_deciding_later_joins_the_appointment_booked(
    world, held, sent, django_capture_on_commit_callbacks
):
    declaration, _customs, _plant = held
    line(agency=world.food, key="F-ALSO", hs_prefix="0804")
    declaration.version = 2  # the food line came with an amendment: a new round
    declaration.save()
    _c, food, _p = services.reviews_open(
        declaration=declaration, channel="red", by=None, reopen=True
    )
    booked = services.inspection_book(
        declaration=declaration, location="PECLL", by=world.customs_officer
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.review_decide(
            review=food,
            decision="inspect",
            reason="Residue check",
            reason_category="sanitary_risk",
            by=world.food_officer,
        )
    assert Inspection.objects.filter(status="booked").count() == 1
    assert sorted(p.agency.code for p in booked.participants.all()) == ["AG-CUSTOMS", "AG-FOOD"]
    [selected] = sent
    assert (selected["kind"], selected["params"]["expected_at"]) == (
        "inspection_selected",
        booked.scheduled_at.isoformat(),
    )


def test_only_an_agency_awaiting_inspection_books(world, held):
    declaration, _customs, _plant = held
    with pytest.raises(ConflictError) as err:
        services.inspection_book(declaration=declaration, location="PECLL", by=world.food_officer)
    assert err.value.items[0].code == "inspection_not_required"
    with pytest.raises(BusinessError) as err:
        services.inspection_book(
            declaration=declaration, location="callao", by=world.customs_officer
        )
    assert (err.value.items[0].code, err.value.items[0].field) == ("location_invalid", "location")
    with pytest.raises(BusinessError) as err:
        services.inspection_book(
            declaration=declaration,
            location="PECLL",
            scheduled_at=at(1, 8),
            by=world.customs_officer,
        )
    assert err.value.items[0].code == "scheduled_in_past"
    assert Inspection.objects.count() == 0


def test_tfa_8_each_agency_records_and_the_inspection_completes_once(
    world, held, clock, sent, signals, django_capture_on_commit_callbacks
):
    declaration, customs, plant = held
    booked = services.inspection_book(
        declaration=declaration, location="PECLL", by=world.customs_officer
    )
    parts = {p.agency.code: p for p in booked.participants.all()}
    clock.advance(minutes=20)
    signals.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.inspection_record_result(
            participant=parts["AG-CUSTOMS"], result="no_irregularity", by=world.customs_officer
        )
    booked.refresh_from_db()
    assert (booked.status, booked.started_at) == ("in_progress", clock.now)
    assert AgencyReview.objects.get(pk=customs.pk).status == "inspection_required"
    assert sent == []
    assert signals == [(customs.pk, "inspection_required", declaration.pk)]
    with pytest.raises(ConflictError) as err:
        services.inspection_record_result(
            participant=parts["AG-CUSTOMS"],
            result="irregularity",
            notes="x",
            by=world.customs_officer,
        )
    assert err.value.items[0].code == "result_already_recorded"
    with pytest.raises(BusinessError) as err:
        services.inspection_record_result(
            participant=parts["AG-PLANT"], result="no_irregularity", by=world.customs_officer
        )
    assert err.value.http_status == 403
    clock.advance(minutes=10)
    signals.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.inspection_record_result(
            participant=parts["AG-PLANT"],
            result="irregularity",
            notes="Live larvae in 3 cartons",
            by=world.plant_officer,
        )
    booked.refresh_from_db()
    assert (booked.status, booked.ended_at) == ("completed", clock.now)
    assert sorted((s[0], s[1]) for s in signals) == sorted(
        [(customs.pk, "approved"), (plant.pk, "rejected")]
    )
    plant.refresh_from_db()
    assert (plant.status, plant.reason, plant.decided_by) == (
        "rejected",
        "Live larvae in 3 cartons",
        world.plant_officer,
    )
    [ended] = sent
    assert ended["kind"] == "inspection_ended"
    assert ended["params"]["result"]["en"] == (
        "Customs: No irregularity found; Plant Health: Irregularity found"
    )
    assert ended["params"]["results"] == [
        {"agency_code": "AG-CUSTOMS", "result": "no_irregularity"},
        {"agency_code": "AG-PLANT", "result": "irregularity"},
    ]
    assert [o.code for o in ended["organisations"]] == [
        world.trader.code,
        world.broker.code,
        world.carrier.code,
    ]
    assert "larvae" not in str(ended)
    assert set(MilestoneEvent.objects.values_list("milestone", flat=True)) >= {
        "inspection_start",
        "inspection_end",
    }
    with pytest.raises(ConflictError):
        services.inspection_start(inspection=booked, by=world.customs_officer)


def test_irregularity_needs_notes(world, held):
    declaration, _customs, _plant = held
    booked = services.inspection_book(
        declaration=declaration, location="PECLL", by=world.customs_officer
    )
    participant = booked.participants.get(agency=world.customs)
    with pytest.raises(BusinessError) as err:
        services.inspection_record_result(
            participant=participant, result="irregularity", notes=" ", by=world.customs_officer
        )
    assert [(i.code, i.field) for i in err.value.items] == [("notes_required", "notes")]
    participant.refresh_from_db()
    assert participant.result == ""


def test_amendment_cancels_the_open_appointment(world, held):
    declaration, _customs, _plant = held
    booked = services.inspection_book(
        declaration=declaration, location="PECLL", by=world.customs_officer
    )
    declaration.version = 2
    declaration.save()
    services.reviews_open(declaration=declaration, channel="green", by=None, reopen=True)
    booked.refresh_from_db()
    assert booked.status == "cancelled"
    assert list(booked.events.values_list("to_status", flat=True)) == ["booked", "cancelled"]


# --- the slot calendar (TFA 7.9) -----------------------------------------------------


def test_tfa_7_9_perishables_get_the_earlier_slot(world):
    # 20:10, after hours: perishables now, the rest tomorrow at opening.
    assert services.inspection_next_slot(
        location="PECLL", perishable=True, now=at(1, 20, 10)
    ) == at(1, 20, 30)
    assert services.inspection_next_slot(
        location="PECLL", perishable=False, now=at(1, 20, 10)
    ) == at(2, 7)


def test_tfa_7_9_a_place_per_slot_is_kept_for_perishables(world, held, clock):
    declaration, _customs, _plant = held
    ordinary = world.declaration(item={"is_perishable": False})
    [_c, _p] = services.reviews_open(declaration=ordinary, channel="red", by=None)
    booked = services.inspection_book(
        declaration=ordinary, location="PECLL", by=world.customs_officer
    )
    assert (booked.scheduled_at, booked.is_perishable) == (at(1, 10), False)
    # The ordinary place at 10:00 is taken; the perishable still gets 10:00.
    assert services.inspection_next_slot(location="PECLL", perishable=False) == at(1, 10, 30)
    assert services.inspection_next_slot(location="PECLL", perishable=True) == at(1, 10)
    fresh = services.inspection_book(
        declaration=declaration, location="PECLL", by=world.customs_officer
    )
    assert fresh.scheduled_at == at(1, 10)
    assert services.inspection_next_slot(location="PECLL", perishable=True) == at(1, 10, 30)
    assert services.inspection_next_slot(location="PEPAI", perishable=False) == at(1, 10)


def test_configured_calendar_for_a_place(world):
    InspectionCalendar.objects.create(
        location="PEPAI",
        opens_at=dt.time(8, 0),
        closes_at=dt.time(16, 0),
        slot_minutes=60,
        capacity=1,
        perishable_reserve=1,
        perishables_after_hours=False,
    )
    assert services.inspection_next_slot(location="PEPAI", perishable=True, now=at(1, 17)) == at(
        2, 8
    )
    assert services.inspection_next_slot(location="PEPAI", perishable=False, now=at(1, 9, 5)) == at(
        1, 10
    )


# --- samples and the second test (TFA 5.3) ----------------------------------------------


@pytest.fixture
def sampled(world, held):
    declaration, _customs, plant = held
    booked = services.inspection_book(
        declaration=declaration, location="PECLL", by=world.customs_officer
    )
    parts = {p.agency.code: p for p in booked.participants.all()}
    services.inspection_record_result(
        participant=parts["AG-CUSTOMS"], result="no_irregularity", by=world.customs_officer
    )
    services.inspection_record_result(
        participant=parts["AG-PLANT"], result="sample_taken", by=world.plant_officer
    )
    sample = services.sample_record(
        participant=parts["AG-PLANT"],
        reference="S-0001",
        lab="National Plant Lab",
        by=world.plant_officer,
    )
    return declaration, plant, sample


def test_a_sample_keeps_the_review_open_until_the_laboratory_answers(world, sampled):
    declaration, plant, _sample = sampled
    plant.refresh_from_db()
    assert plant.status == "inspection_required"
    assert Inspection.objects.get().status == "completed"  # the goods waited once
    state = selectors.clearance_state(declaration=declaration)
    assert (state.inspection_open, state.pending_agencies) == (True, (world.plant.pk,))


def test_tfa_5_3_second_test(world, sampled, sent, signals, django_capture_on_commit_callbacks):
    declaration, plant, sample = sampled
    with pytest.raises(ConflictError) as err:
        services.second_test_request(sample=sample, by=world.trader_user)
    assert err.value.items[0].code == "sample_not_adverse"
    services.sample_result_record(
        sample=sample, result="Ceratitis capitata found", adverse=True, by=world.plant_officer
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.review_decide(
            review=plant,
            decision="reject",
            reason="Pest found in sample",
            reason_category="phytosanitary_risk",
            by=world.plant_officer,
        )
    assert sent[-1]["params"]["second_test_available"] is True
    for outsider in (world.carrier_user, world.other_trader_user):
        with pytest.raises(BusinessError) as err:
            services.second_test_request(sample=sample, by=outsider)
        assert err.value.http_status == 403
    request = services.second_test_request(
        sample=sample, lab="SGS Callao", reason="Our own lab found none", by=world.trader_user
    )
    assert (request.status, request.requested_organisation) == ("requested", world.trader)
    with pytest.raises(ConflictError) as err:
        services.second_test_request(sample=sample, by=world.broker_user)
    assert err.value.items[0].code == "second_test_exists"
    signals.clear()
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = services.second_test_result_record(
            request=request, result="No pest found", adverse=False, by=world.plant_officer
        )
    assert (done.status, done.adverse) == ("completed", False)
    plant.refresh_from_db()
    # The agency must consider the second result: the refusal goes back to the officer.
    assert (plant.status, plant.decided_at) == ("in_progress", None)
    assert plant.events.last().reason.endswith("(TFA 5.3).")
    assert signals == [(plant.pk, "in_progress", declaration.pk)]
    [notice] = sent
    assert (notice["kind"], notice["params"]["adverse"], notice["params"]["sample_reference"]) == (
        "second_test_result",
        False,
        "S-0001",
    )
    assert [o.code for o in notice["organisations"]] == [world.trader.code, world.broker.code]
    services.review_decide(review=plant, decision="approve", by=world.plant_officer)
    assert selectors.clearance_state(declaration=declaration).all_approved is True


def test_tfa_5_3_no_decision_while_a_second_test_is_pending(world, sampled):
    _declaration, plant, sample = sampled
    services.sample_result_record(
        sample=sample, result="Residue above limit", adverse=True, by=world.plant_officer
    )
    services.second_test_request(sample=sample, by=world.broker_user)
    with pytest.raises(BusinessError) as err:
        services.review_decide(
            review=plant,
            decision="reject",
            reason="x",
            reason_category="sanitary_risk",
            by=world.plant_officer,
        )
    assert [i.code for i in err.value.items] == ["second_test_pending"]
    assert InspectionParticipant.objects.get(review=plant).result == "sample_taken"
