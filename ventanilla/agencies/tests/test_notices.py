"""With the real notifications app: every notice this app sends is accepted by the
notice kinds registry (params and audience) and reaches the right organisations
(TFA 5.2, 5.3, 10.4)."""

from __future__ import annotations

import pytest

from ventanilla.agencies import services
from ventanilla.notifications.models import Notice
from ventanilla.notifications.rendering import render_notice

pytestmark = pytest.mark.django_db


def told(kind: str) -> list[str]:
    return sorted(Notice.objects.filter(kind=kind).values_list("organisation__code", flat=True))


def _plant_inspects(world, plant) -> None:  # type: ignore[no-untyped-def]
    services.review_decide(
        review=plant,
        decision="inspect",
        reason="Alert 12/2026",
        reason_category="phytosanitary_risk",
        by=world.plant_officer,
    )


def test_tfa_5_2_trader_and_carrier_told_when_goods_held_and_when_freed(
    world, django_capture_on_commit_callbacks
):
    declaration = world.declaration()
    movement = sorted([world.trader.code, world.broker.code, world.carrier.code])
    declarants = sorted([world.trader.code, world.broker.code])
    with django_capture_on_commit_callbacks(execute=True):
        _customs, plant = services.reviews_open(declaration=declaration, channel="red", by=None)
    with django_capture_on_commit_callbacks(execute=True):
        services.information_request(review=plant, message="Cold store?", by=world.plant_officer)
    request = plant.information_requests.get()
    services.information_answer(request=request, answer="Bay 4", by=world.trader_user)
    with django_capture_on_commit_callbacks(execute=True):
        _plant_inspects(world, plant)
    with django_capture_on_commit_callbacks(execute=True):
        inspection = services.inspection_book(
            declaration=declaration, location="PECLL", by=world.customs_officer
        )
    parts = {p.agency.code: p for p in inspection.participants.all()}
    services.inspection_record_result(
        participant=parts["AG-CUSTOMS"], result="no_irregularity", by=world.customs_officer
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.inspection_record_result(
            participant=parts["AG-PLANT"], result="sample_taken", by=world.plant_officer
        )
    sample = services.sample_record(
        participant=parts["AG-PLANT"],
        reference="S-1",
        lab="National Plant Lab",
        by=world.plant_officer,
    )
    services.sample_result_record(
        sample=sample, result="Pest found", adverse=True, by=world.plant_officer
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.review_decide(
            review=plant,
            decision="reject",
            reason="Pest in sample S-1",
            reason_category="phytosanitary_risk",
            by=world.plant_officer,
        )
    second = services.second_test_request(sample=sample, by=world.trader_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.second_test_result_record(
            request=second, result="No pest", adverse=False, by=world.plant_officer
        )
    assert told("inspection_selected") == sorted(movement * 2)  # customs, then plant
    assert told("goods_detained") == movement
    assert told("inspection_ended") == movement
    assert told("information_requested") == declarants
    assert told("review_decided") == declarants
    assert told("second_test_result") == declarants
    held = (
        Notice.objects.filter(kind="inspection_selected", organisation=world.carrier)
        .order_by("created_at", "pk")
        .last()
    )
    assert held.params["agency"] == {"en": "Plant Health", "es": "Plant Health"}
    assert held.declaration_id == declaration.pk
    every_param = str(list(Notice.objects.values_list("params", flat=True)))
    assert "Alert 12/2026" not in every_param and "S-1" in every_param  # no officer's words
    assert "Pest in sample" not in every_param


def test_tfa_1_1_a_notice_names_the_agency_in_each_readers_language(
    world, django_capture_on_commit_callbacks
):
    """The trader reading in Spanish and its carrier's system reading in English each see
    the agency's official name in their own language."""
    world.plant.names = {
        "en": "National Plant Health Service",
        "es": "Servicio Nacional de Sanidad Vegetal",
    }
    world.plant.save(update_fields=["names"])
    declaration = world.declaration()
    with django_capture_on_commit_callbacks(execute=True):
        _customs, plant = services.reviews_open(declaration=declaration, channel="red", by=None)
    with django_capture_on_commit_callbacks(execute=True):
        _plant_inspects(world, plant)
    notice = Notice.objects.filter(
        kind="inspection_selected", organisation=world.trader, params__agency_codes=["AG-PLANT"]
    ).get()
    assert notice.params["agency"] == {
        "en": "National Plant Health Service",
        "es": "Servicio Nacional de Sanidad Vegetal",
    }
    assert render_notice(notice, "es").body.startswith("Servicio Nacional de Sanidad Vegetal ")
    assert render_notice(notice, "en").body.startswith("National Plant Health Service ")
