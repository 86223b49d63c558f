"""The officer's pages: the queue of the officer's own agency ordered by urgency, the whole
case on one screen, the decision in one action with its reason, the joint inspection
booked or joined, and the result recorded on site."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ventanilla.agencies import services
from ventanilla.agencies.models import AgencyReview, InformationRequest, Inspection

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def errors_in(html: str) -> list[str]:
    summary = re.search(r"data-error-summary.*?</ul>", html, re.S)
    return re.findall(r'href="([^"]+)"', summary.group(0)) if summary else []


@pytest.fixture
def routed(world: Any) -> dict[str, AgencyReview]:
    """A perishable red declaration (customs inspects, plant reviews) and a dry one."""
    fresh = world.declaration()
    dry = world.declaration(
        item={"is_perishable": False, "tariff_line": "0801110000", "hs_code": "080111"}
    )
    reviews = {}
    for r in services.reviews_open(declaration=fresh, channel="red", by=None):
        reviews["customs" if r.agency == world.customs else "plant"] = r
    [reviews["dry"]] = services.reviews_open(declaration=dry, channel="green", by=None)
    return reviews


def test_queue_shows_the_agencys_own_reviews_perishables_first(world, routed):
    html = client_for(world.plant_officer).get(reverse("agencies:queue")).content.decode()
    rows = re.findall(r'href="/agencies/reviews/(\d+)/"', html)
    assert rows == [str(routed["plant"].pk), str(routed["dry"].pk)]
    assert html.count("vt-tag--perishable") == 1 and "left" in html
    customs = client_for(world.customs_officer).get(reverse("agencies:queue")).content.decode()
    assert re.findall(r'href="/agencies/reviews/(\d+)/"', customs) == [str(routed["customs"].pk)]
    html = (
        client_for(world.plant_officer)
        .get(reverse("agencies:queue"), {"perishable": "no"})
        .content.decode()
    )
    assert re.findall(r'href="/agencies/reviews/(\d+)/"', html) == [str(routed["dry"].pk)]


def test_only_officers_and_only_their_agencys_cases(world, routed):
    assert client_for(world.trader_user).get(reverse("agencies:queue")).status_code == 403
    assert (
        client_for(world.carrier_user)
        .get(reverse("agencies:case", args=[routed["plant"].pk]))
        .status_code
        == 403
    )
    assert (
        client_for(world.food_officer)
        .get(reverse("agencies:case", args=[routed["plant"].pk]))
        .status_code
        == 404
    )
    assert (
        client_for(world.plant_officer)
        .get(reverse("agencies:case", args=[routed["customs"].pk]))
        .status_code
        == 404
    )
    assert (
        client_for(world.food_officer)
        .post(
            reverse("agencies:decide", args=[routed["plant"].pk]),
            {"decision": "approve", "reason": "x"},
        )
        .status_code
        == 404
    )


def test_the_whole_case_on_one_screen(world, routed):
    html = (
        client_for(world.customs_officer)
        .get(reverse("agencies:case", args=[routed["customs"].pk]))
        .content.decode()
    )
    assert "Fresh Hass avocados" in html and "Plant Health" in html  # other agencies
    assert 'id="book-inspection"' in html and 'id="next-slot"' in html
    plant = (
        client_for(world.plant_officer)
        .get(reverse("agencies:case", args=[routed["plant"].pk]))
        .content.decode()
    )
    assert 'id="required-documents"' in plant and "N851" in plant and "Missing" in plant
    assert 'id="decision-form"' in plant


def test_a_decision_needs_its_reason(world, routed):
    officer = client_for(world.plant_officer)
    url = reverse("agencies:decide", args=[routed["plant"].pk])
    response = officer.post(url, {"decision": "approve", "reason": ""})
    assert response.status_code == 400 and errors_in(response.content.decode()) == ["#id_reason"]
    response = officer.post(url, {"decision": "reject", "reason": "Larvae found"})
    assert response.status_code == 400
    assert errors_in(response.content.decode()) == ["#id_reason_category"]
    assert "Larvae found" in response.content.decode()  # what was typed is kept
    response = officer.post(url, {"decision": "approve", "reason": "Certificate checked"})
    assert response.status_code == 302
    review = AgencyReview.objects.get(pk=routed["plant"].pk)
    assert review.status == "approved" and review.reason == "Certificate checked"


def test_ask_the_trader(world, routed):
    officer = client_for(world.plant_officer)
    url = reverse("agencies:decide", args=[routed["plant"].pk])
    response = officer.post(url, {"decision": "request_information", "message": ""})
    assert errors_in(response.content.decode()) == ["#id_message"]
    officer.post(url, {"decision": "request_information", "message": "Packing list?"})
    asked = InformationRequest.objects.get()
    assert asked.message == "Packing list?" and asked.review.status == "information_requested"


def test_book_one_joint_inspection_and_join_it(world, routed):
    customs = client_for(world.customs_officer)
    # "At a time I choose" needs the time, asked for beside its field.
    response = customs.post(
        reverse("agencies:book", args=[routed["customs"].pk]), {"location": "PECLL", "when": "at"}
    )
    assert response.status_code == 400
    assert errors_in(response.content.decode()) == ["#id_scheduled_at"]
    response = customs.post(
        reverse("agencies:book", args=[routed["customs"].pk]),
        {"location": "PECLL", "when": "next", "place": "Terminal 2"},
    )
    assert response.status_code == 302 and response["Location"].endswith("#inspection")
    inspection = Inspection.objects.get()
    assert inspection.is_perishable and inspection.place == "Terminal 2"
    # Plant health decides to inspect: it joins the appointment, no second one.
    client_for(world.plant_officer).post(
        reverse("agencies:decide", args=[routed["plant"].pk]),
        {"decision": "inspect", "reason": "Import alert", "reason_category": "phytosanitary_risk"},
    )
    assert Inspection.objects.count() == 1
    assert inspection.participants.count() == 2


def test_book_refuses_a_bad_place(world, routed):
    response = client_for(world.customs_officer).post(
        reverse("agencies:book", args=[routed["customs"].pk]), {"location": "X", "when": "next"}
    )
    assert response.status_code == 400
    assert errors_in(response.content.decode()) == ["#id_location"]


def test_record_results_on_site(world, routed):
    inspection = services.inspection_book(
        declaration=routed["customs"].declaration, location="PECLL", by=world.customs_officer
    )
    services.review_decide(
        review=routed["plant"],
        decision="inspect",
        reason="Alert",
        reason_category="phytosanitary_risk",
        by=world.plant_officer,
    )
    url = reverse("agencies:inspection", args=[inspection.pk])
    plant = client_for(world.plant_officer)
    html = plant.get(url).content.decode()
    assert 'id="result-form"' in html and "Fresh Hass avocados" in html
    assert client_for(world.food_officer).get(url).status_code == 404
    result_url = reverse("agencies:inspection_result", args=[inspection.pk])
    response = plant.post(result_url, {"result": "irregularity", "notes": ""})
    assert response.status_code == 400 and errors_in(response.content.decode()) == ["#id_notes"]
    plant.post(result_url, {"result": "no_irregularity"})
    client_for(world.customs_officer).post(result_url, {"result": "no_irregularity"})
    inspection.refresh_from_db()
    assert inspection.status == "completed"
    assert set(
        AgencyReview.objects.filter(pk__in=[routed["customs"].pk, routed["plant"].pk]).values_list(
            "status", flat=True
        )
    ) == {"approved"}
    html = plant.get(url).content.decode()
    assert 'id="result-form"' not in html and "No irregularity found" in html


def test_samples_and_laboratory_results(world, routed):
    inspection = services.inspection_book(
        declaration=routed["customs"].declaration, location="PECLL", by=world.customs_officer
    )
    customs = client_for(world.customs_officer)
    customs.post(
        reverse("agencies:inspection_result", args=[inspection.pk]), {"result": "sample_taken"}
    )
    response = customs.post(
        reverse("agencies:sample", args=[inspection.pk]),
        {"reference": "S-9", "lab": "National lab"},
    )
    assert response.status_code == 302
    sample = inspection.participants.get().samples.get()
    response = customs.post(
        reverse("agencies:sample_result", args=[sample.pk]),
        {f"s{sample.pk}-result": "Clean", f"s{sample.pk}-adverse": "0"},
    )
    sample.refresh_from_db()
    assert response.status_code == 302 and sample.adverse is False
    assert (
        client_for(world.plant_officer)
        .post(
            reverse("agencies:sample_result", args=[sample.pk]),
            {f"s{sample.pk}-result": "x", f"s{sample.pk}-adverse": "1"},
        )
        .status_code
        == 404
    )
