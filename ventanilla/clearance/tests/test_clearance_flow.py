"""The single-window story at service level, one test per TFA measure."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.test import TestCase
from django.utils import translation

from ventanilla.agencies.models import AgencyReview, Inspection
from ventanilla.agencies.services.inspections import inspection_book, inspection_record_result
from ventanilla.agencies.services.reviews import review_decide
from ventanilla.clearance import services
from ventanilla.clearance.selectors import declaration_timeline
from ventanilla.clearance.tests.conftest import coffee, valid
from ventanilla.declarations.models import Declaration, MilestoneEvent, StatusChange
from ventanilla.declarations.tests.conftest import payload
from ventanilla.duties.selectors import assessment_latest
from ventanilla.notifications.models import Notice
from ventanilla.payments.models import GuaranteeMovement
from ventanilla.payments.selectors import financial_state
from ventanilla.payments.services.guarantee import guarantee_reserve
from ventanilla.payments.services.payment import payment_start
from ventanilla.risk.demo import load_demo_risk

pytestmark = pytest.mark.django_db


def submit(world: dict[str, Any], data: dict[str, Any]) -> Declaration:
    lodged = services.declaration_submit(
        data=valid(data), declarant=world["broker"], by=world["users"]["broker"]
    )
    return Declaration.objects.get(pk=lodged.declaration.pk)


def act(function: Any, **kwargs: Any) -> Any:
    """Run a service as a request would: notices and tasks go out after commit."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return function(**kwargs)


def pay(world: dict[str, Any], declaration: Declaration) -> None:
    # The sandbox provider confirms asynchronously, from a task enqueued on commit.
    with TestCase.captureOnCommitCallbacks(execute=True):
        payment_start(
            declaration=declaration,
            by=world["users"]["broker"],
            idempotency_key=f"pay-{declaration.pk}",
        )


def test_tfa_7_1_green_declaration_cleared_before_arrival_and_released_on_arrival(world):
    d = submit(world, coffee("COF-1"))
    assert d.channel == "green" and d.status == "accepted"  # duties due, not yet paid
    pay(world, d)
    d.refresh_from_db()
    assert d.status == "ready_for_release" and d.arrived_at is None
    released = services.arrival_report(
        organisation=world["carrier"], by=world["users"]["carrier"], conveyance_ref="MSC ANDES 123E"
    )
    assert [x.pk for x in released] == [d.pk]
    d.refresh_from_db()
    assert d.status == "released" and d.released_at >= d.arrived_at
    assert set(
        MilestoneEvent.objects.filter(declaration=d).values_list("milestone", flat=True)
    ) == {"lodgement", "acceptance", "payment", "arrival", "release"}


def test_tfa_7_2_duties_computed_per_item_and_shown_before_payment(world):
    d = submit(world, payload(lrn="AVO-DUTY", items=2))
    assessment = assessment_latest(declaration=d)
    money = financial_state(declaration=d)
    # 2 × USD 24,000 at 3.75 = PEN 180,000; duty 0 %; VAT 18 % on value + duty.
    assert money.currency == "PEN"
    assert money.amount_due == Decimal("32400.00")
    assert assessment.total == Decimal("32400.00")
    notice = Notice.objects.get(kind="duties_due", organisation=world["broker"])
    assert Decimal(notice.params["amount"]) == Decimal("32400.00")


def test_tfa_10_4_one_submission_reaches_every_agency(world):
    load_demo_risk()
    d = submit(world, payload(lrn="AVO-ROUTE"))
    agencies = set(
        AgencyReview.objects.filter(declaration=d).values_list("agency__code", flat=True)
    )
    assert agencies == {"AG-PLANT", "AG-CUSTOMS"}  # matrix (08 → plant) + red channel
    assert d.channel == "red" and d.status == "under_control"


def test_tfa_8_joint_inspection_one_appointment_then_release_at_arrival(world):
    load_demo_risk()
    users = world["users"]
    d = submit(world, payload(lrn="AVO-STORY"))
    plant_review = AgencyReview.objects.get(declaration=d, agency=world["plant"])
    act(
        review_decide,
        review=plant_review,
        decision="inspect",
        reason="Fruit fly alert",
        reason_category="phytosanitary_risk",
        by=users["plant"],
    )
    inspection = act(inspection_book, declaration=d, location="PECLL", by=users["customs"])
    again = act(inspection_book, declaration=d, location="PECLL", by=users["plant"])
    assert again.pk == inspection.pk and Inspection.objects.filter(declaration=d).count() == 1
    by_agency = {"AG-CUSTOMS": users["customs"], "AG-PLANT": users["plant"]}
    for participant in inspection.participants.select_related("agency"):
        act(
            inspection_record_result,
            participant=participant,
            result="no_irregularity",
            by=by_agency[participant.agency.code],
        )
    d.refresh_from_db()
    assert d.status == "accepted"  # every agency approved; duties still due
    pay(world, d)
    d.refresh_from_db()
    assert d.status == "ready_for_release"
    act(
        services.arrival_report,
        organisation=world["carrier"],
        by=users["carrier"],
        conveyance_ref="MSC ANDES 123E",
    )
    d.refresh_from_db()
    assert d.status == "released"
    released = Notice.objects.filter(kind="released", declaration_id=d.pk)
    assert {n.organisation.code for n in released} == {"20100000001", "20100000003", "20100000004"}
    assert len({n.created_at for n in released}) == 1  # the same moment for everyone
    for kind in ("inspection_selected", "inspection_ended"):
        told = set(
            Notice.objects.filter(kind=kind, declaration_id=d.pk).values_list(
                "organisation__code", flat=True
            )
        )
        assert {"20100000001", "20100000004"} <= told, kind
    path = list(StatusChange.objects.filter(declaration=d).values_list("to_status", flat=True))
    assert path == [
        "lodged",
        "accepted",
        "under_control",
        "accepted",
        "ready_for_release",
        "released",
    ]


def test_tfa_7_3_release_against_guarantee_before_final_duties(world):
    d = submit(world, coffee("COF-GUAR"))
    money = financial_state(declaration=d)
    guarantee_reserve(declaration=d, amount=money.amount_due, by=world["users"]["trader"])
    d.refresh_from_db()
    assert d.status == "ready_for_release"
    services.arrival_report(
        organisation=world["carrier"], by=world["users"]["carrier"], mrns=[d.mrn]
    )
    d.refresh_from_db()
    assert d.status == "released"
    assert financial_state(declaration=d).paid == Decimal("0")  # released before payment


def test_tfa_7_9_perishables_get_shorter_service_levels(world):
    d = submit(world, payload(lrn="AVO-SLA"))
    review = AgencyReview.objects.get(declaration=d, agency=world["plant"])
    assert d.is_perishable and review.sla_hours == 4


def test_rejection_by_an_agency_refuses_the_declaration_and_tells_the_trader(world):
    load_demo_risk()  # the fruit-fly alert: customs reviews the avocados too
    d = submit(world, payload(lrn="AVO-REJ"))
    # TFA 7.3: a guarantee held for the goods is given back once they are refused.
    held = financial_state(declaration=d).amount_due
    guarantee_reserve(declaration=d, amount=held, by=world["users"]["trader"])
    assert financial_state(declaration=d).guaranteed == held > 0
    review = AgencyReview.objects.get(declaration=d, agency=world["plant"])
    review_decide(
        review=review,
        decision="reject",
        reason="Certificate forged",
        reason_category="documents_incomplete",
        by=world["users"]["plant"],
    )
    d.refresh_from_db()
    assert d.status == "rejected"
    notice = Notice.objects.get(kind="declaration_rejected", organisation=world["trader"])
    assert notice.params["reason_category"] == {
        "en": "Documents incomplete",
        "es": "Documentación incompleta",
    }
    assert "forged" not in str(notice.params)  # the officer's words stay internal
    # TFA 8: the other agencies' reviews leave their queues, with the reason.
    others = AgencyReview.objects.filter(declaration=d).exclude(agency=world["plant"])
    assert others.exists()
    assert {(r.status, r.events.latest("pk").reason) for r in others} == {
        ("superseded", "Refused by another border agency: no review is needed.")
    }
    money = financial_state(declaration=d)
    assert (money.guaranteed, money.outstanding, money.closed) == (Decimal("0"), 0, True)
    released = GuaranteeMovement.objects.get(declaration=d, kind="release")
    assert released.amount == held


def test_amendment_reassesses_and_reopens_reviews(world):
    data = payload(lrn="AVO-AMEND")
    d = submit(world, data)
    changed = {**data, "incoterm": "CIF", "reason": "Incoterm corrected"}
    reason = changed.pop("reason")
    amended = services.declaration_amend_and_assess(
        declaration=d, data=valid(changed), reason=reason, by=world["users"]["broker"]
    )
    assert amended.version == 2
    statuses = list(
        AgencyReview.objects.filter(declaration=d).order_by("pk").values_list("round", "status")
    )
    assert statuses[0] == (1, "superseded") and statuses[-1][0] == 2


def test_timeline_hides_officer_reasons_from_the_trader(world):
    d = submit(world, payload(lrn="AVO-TL"))
    review = AgencyReview.objects.get(declaration=d, agency=world["plant"])
    review_decide(
        review=review,
        decision="inspect",
        reason="Larvae seen in previous lot",
        reason_category="phytosanitary_risk",
        by=world["users"]["plant"],
    )
    trader_view = declaration_timeline(
        declaration=d, user=world["users"]["trader"], trader_side=True
    )
    officer_view = declaration_timeline(
        declaration=d, user=world["users"]["plant"], trader_side=False
    )
    assert not any("Larvae" in s.detail for s in trader_view)
    assert any("Larvae" in s.detail for s in officer_view)
    assert any(s.kind == "review" and "Phytosanitary risk" in s.detail for s in trader_view)


def test_timeline_steps_of_one_moment_read_in_their_order(world):
    """Lodgement and acceptance happen in one instant: the timeline still reads lodged
    before accepted (milestones in Time Release Study order, status changes as written)."""
    d = submit(world, payload(lrn="AVO-ORDER"))
    # Written in reverse, as a batch might: the order must not come from the table.
    first = d.milestones.get(milestone="lodgement")
    d.milestones.filter(pk=first.pk).delete()
    first.pk = None
    first.save()
    steps = declaration_timeline(declaration=d, user=world["users"]["trader"], trader_side=True)
    at = d.accepted_at
    same = [(s.kind, s.title) for s in steps if s.at == at and s.kind in ("milestone", "status")]
    assert same[:4] == [
        ("milestone", "Declaration lodged"),
        ("milestone", "Declaration accepted, channel assigned"),
        ("status", "Lodged"),
        ("status", "Accepted"),
    ]


def test_timeline_names_who_stamped_each_milestone_in_the_readers_language(world):
    d = submit(world, payload(lrn="AVO-SRC"))
    plant = world["users"]["plant"]
    review = AgencyReview.objects.get(declaration=d, agency=world["plant"])
    review_decide(
        review=review,
        decision="inspect",
        reason="Fruit fly alert",
        reason_category="phytosanitary_risk",
        by=plant,
    )
    inspection = act(inspection_book, declaration=d, location="PECLL", by=plant)
    [participant] = inspection.participants.all()
    act(inspection_record_result, participant=participant, result="no_irregularity", by=plant)
    act(
        services.arrival_report,
        mrns=[d.mrn],
        organisation=world["carrier"],
        by=world["users"]["carrier"],
    )

    def sources(language: str) -> dict[str, str]:
        with translation.override(language):
            steps = declaration_timeline(
                declaration=d, user=world["users"]["trader"], trader_side=True
            )
        return {s.title: s.actor for s in steps if s.kind == "milestone"}

    assert sources("en") == {
        "Declaration lodged": "the single window",
        "Declaration accepted, channel assigned": "the single window",
        "Physical inspection started": "border agencies",
        "Physical inspection ended": "border agencies",
        "All agency permits obtained": "border agencies",
        "Goods arrived": "Carrier or terminal operator",
    }
    assert sources("es") == {
        "Presentación de la declaración": "la ventanilla única",
        "Aceptación de la declaración y asignación de canal": "la ventanilla única",
        "Inicio del reconocimiento físico": "entidades de control fronterizo",
        "Fin del reconocimiento físico": "entidades de control fronterizo",
        "Obtención de todos los permisos de las entidades": "entidades de control fronterizo",
        "Llegada de las mercancías": "Transportista u operador de terminal",
    }


def test_bulk_lodgement_is_assessed_by_the_worker(world):
    rows = [valid(coffee(f"COF-B{n}")) for n in range(3)]
    with TestCase.captureOnCommitCallbacks(execute=True):
        lodged = services.declarations_submit_bulk(
            rows=rows, declarant=world["broker"], by=world["users"]["broker"]
        )
    for x in lodged:
        x.declaration.refresh_from_db()
        assert x.declaration.channel == "green"
        assert x.declaration.status == "accepted"


def test_demo_data_loads_twice_without_changes(db):
    call_command("load_demo", verbosity=0)
    counts = Declaration.objects.count()
    call_command("load_demo", verbosity=0)
    assert Declaration.objects.count() == counts


def test_cancellation_closes_reviews_releases_the_guarantee_and_tells_the_parties(world):
    d = submit(world, payload(lrn="AVO-CANCEL"))
    money = financial_state(declaration=d)
    guarantee_reserve(declaration=d, amount=money.amount_due, by=world["users"]["trader"])
    assert financial_state(declaration=d).guaranteed == money.amount_due
    services.declaration_cancel_and_close(
        declaration=d, reason="Buyer cancelled", by=world["users"]["broker"]
    )
    d.refresh_from_db()
    assert d.status == "cancelled"
    open_reviews = AgencyReview.objects.filter(declaration=d).exclude(status="superseded")
    assert list(open_reviews) == []
    assert financial_state(declaration=d).guaranteed == Decimal("0")
    told = set(
        Notice.objects.filter(kind="declaration_cancelled", declaration_id=d.pk).values_list(
            "organisation__code", flat=True
        )
    )
    assert told == {"20100000001", "20100000003", "20100000004"}
    # A second cancellation changes nothing.
    services.declaration_cancel_and_close(
        declaration=d, reason="again", by=world["users"]["broker"]
    )
    assert Notice.objects.filter(kind="declaration_cancelled", declaration_id=d.pk).count() == 3


def test_nothing_falls_due_on_a_cancelled_declaration(world):
    """Duties assessed before the cancellation are no longer due: no payment and no
    guarantee can be started on it, and nothing was written by the refusals."""
    from ventanilla.core.errors import BusinessError
    from ventanilla.payments.models import GuaranteeMovement, Payment

    d = submit(world, payload(lrn="AVO-VOID"))
    assessed = financial_state(declaration=d)
    assert assessed.outstanding > 0 and not assessed.closed
    services.declaration_cancel_and_close(
        declaration=d, reason="Buyer cancelled", by=world["users"]["broker"]
    )
    d.refresh_from_db()
    money = financial_state(declaration=d)
    assert (money.amount_due, money.outstanding, money.closed, money.settled_for_release) == (
        assessed.amount_due,
        Decimal("0"),
        True,
        False,
    )
    with pytest.raises(BusinessError) as paid:
        payment_start(declaration=d, by=world["users"]["trader"], idempotency_key="void-1")
    assert paid.value.items[0].code == "nothing_due"
    with pytest.raises(BusinessError) as held:
        guarantee_reserve(declaration=d, amount=assessed.amount_due, by=world["users"]["trader"])
    assert held.value.items[0].code == "guarantee_exceeds_due"
    assert not Payment.objects.filter(declaration=d).exists()
    assert not GuaranteeMovement.objects.filter(declaration=d).exists()


def test_tfa_5_2_the_trader_is_told_the_ground_of_a_customs_selection(world):
    """The fruit-fly import alert of the plant-health agency makes the avocados red:
    customs' review, and the notice to trader and carrier, say "phytosanitary risk"."""
    load_demo_risk()
    d = act(submit, world=world, data=payload(lrn="AVO-GROUND"))
    customs = AgencyReview.objects.get(declaration=d, agency__code="AG-CUSTOMS")
    assert customs.reason_category == "phytosanitary_risk"
    notices = Notice.objects.filter(declaration_id=d.pk, kind="inspection_selected")
    assert {n.params["reason_category_code"] for n in notices} == {"phytosanitary_risk"}


def test_bulk_assessment_is_one_task_per_chunk_and_idempotent(world, monkeypatch):
    from ventanilla.clearance import tasks

    task = tasks.assess_declarations
    monkeypatch.setattr(tasks, "ASSESS_CHUNK", 2)
    enqueued: list[list[int]] = []
    monkeypatch.setattr(
        tasks,
        "assess_declarations",
        SimpleNamespace(enqueue=lambda ids, user_id: enqueued.append(ids)),
    )
    rows = [valid(coffee(f"COF-C{n}")) for n in range(3)]
    with TestCase.captureOnCommitCallbacks(execute=True):
        lodged = services.declarations_submit_bulk(
            rows=rows, declarant=world["broker"], by=world["users"]["broker"]
        )
    ids = [x.declaration.pk for x in lodged]
    assert enqueued == [ids[:2], ids[2:]]
    user_id = world["users"]["broker"].pk
    assert task.call(ids, user_id) == {"assessed": 3}
    assert task.call([*ids, 0], user_id) == {
        "already assessed": 3,
        "missing": 1,
    }
    assert set(Declaration.objects.filter(pk__in=ids).values_list("channel", flat=True)) == {
        "green"
    }
