"""The agencies API: thin views over the services, one error shape, Idempotency-Key on
writes, and what each side may see (officers the whole case, traders the category)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ventanilla.agencies import services
from ventanilla.agencies.models import AgencyReview, Inspection, RequirementLine, ReviewEvent
from ventanilla.agencies.tests.conftest import client_for
from ventanilla.audit.models import AuditEvent
from ventanilla.core.idempotency import IdempotencyRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def routed(world):
    declaration = world.declaration()
    customs, plant = services.reviews_open(declaration=declaration, channel="yellow", by=None)
    return declaration, customs, plant


def test_queue_lists_the_agencys_reviews_with_clocks(world, routed):
    _declaration, _customs, plant = routed
    data = client_for(world.plant_officer).get(reverse("api-agencies-reviews")).json()
    [row] = data["results"]
    assert (row["id"], row["agency_code"], row["status"], row["is_perishable"]) == (
        plant.pk,
        "AG-PLANT",
        "pending",
        True,
    )
    assert (row["time_left_seconds"], row["breached"], row["required_documents"]) == (
        4 * 3600,
        False,
        ["N851"],
    )
    url = reverse("api-agencies-reviews")
    assert client_for(world.plant_officer).get(url, {"perishable": "false"}).json()["results"] == []
    bad = client_for(world.plant_officer).get(url, {"breached": "maybe", "status": "nope"})
    assert bad.status_code == 400
    assert sorted((e["field"], e["code"]) for e in bad.json()["errors"]) == [
        ("breached", "invalid"),
        ("status", "invalid_choice"),
    ]


def test_tfa_8_review_detail_is_the_whole_case_on_one_screen(world, routed):
    declaration, customs, plant = routed
    services.review_decide(review=customs, decision="approve", by=world.customs_officer)
    data = (
        client_for(world.plant_officer).get(reverse("api-agencies-review", args=[plant.pk])).json()
    )
    assert data["review"]["id"] == plant.pk
    assert [ln["key"] for ln in data["review"]["requirement_lines"]] == ["AG-PLANT-0001"]
    assert data["missing_documents"] == ["N851"]
    assert data["declaration"]["lrn"] == declaration.lrn
    assert data["declaration"]["channel"] == declaration.channel
    assert [i["hs_code"] for i in data["declaration"]["items"]] == ["080440"]
    assert [d["type_code"] for d in data["declaration"]["documents"]] == ["N380"]
    assert [(r["agency_code"], r["status"]) for r in data["other_reviews"]] == [
        ("AG-CUSTOMS", "approved")
    ]
    assert data["inspection"] is None
    assert [e["to_status"] for e in data["review"]["events"]] == ["pending"]


def test_another_agencys_officer_gets_404_and_changes_nothing(world, routed):
    _declaration, _customs, plant = routed
    client = client_for(world.food_officer)
    assert client.get(reverse("api-agencies-review", args=[plant.pk])).status_code == 404
    response = client.post(
        reverse("api-agencies-review-decide", args=[plant.pk]),
        {"decision": "approve"},
        format="json",
    )
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"
    plant.refresh_from_db()
    assert plant.status == "pending"


def test_decide_without_reason_is_400_with_codes_and_fields_and_writes_nothing(world, routed):
    _declaration, _customs, plant = routed
    before = (ReviewEvent.objects.count(), AuditEvent.objects.count())
    response = client_for(world.plant_officer).post(
        reverse("api-agencies-review-decide", args=[plant.pk]),
        {"decision": "reject"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="d-1",
    )
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "code": "reason_required",
                "field": "reason",
                "message": "Give the reason for refusing or inspecting: it is kept on record.",
            },
            {
                "code": "reason_category_required",
                "field": "reason_category",
                "message": "Choose the reason category the trader will see.",
            },
        ]
    }
    assert (ReviewEvent.objects.count(), AuditEvent.objects.count()) == before
    assert IdempotencyRecord.objects.count() == 0
    missing = client_for(world.plant_officer).post(
        reverse("api-agencies-review-decide", args=[plant.pk]), {}, format="json"
    )
    assert missing.json()["errors"] == [
        {"code": "required", "field": "decision", "message": "This field is required."}
    ]


def test_decide_with_idempotency_key_is_not_repeated(world, routed):
    _declaration, _customs, plant = routed
    url = reverse("api-agencies-review-decide", args=[plant.pk])
    body = {"decision": "reject", "reason": "Forged", "reason_category": "documents_incomplete"}
    first = client_for(world.plant_officer).post(
        url, body, format="json", HTTP_IDEMPOTENCY_KEY="d-2"
    )
    again = client_for(world.plant_officer).post(
        url, body, format="json", HTTP_IDEMPOTENCY_KEY="d-2"
    )
    assert (first.status_code, again.status_code) == (200, 200)
    assert again["Idempotent-Replayed"] == "true"
    assert first.json()["review"]["status"] == "rejected"
    assert AuditEvent.objects.filter(verb="agency_review.decided").count() == 1
    conflict = client_for(world.plant_officer).post(url, body, format="json")
    assert conflict.status_code == 409
    assert conflict.json()["errors"][0]["code"] == "review_transition_refused"


def test_trader_answers_through_the_api_and_never_sees_internal_reasons(world, routed):
    declaration, _customs, plant = routed
    officer = client_for(world.plant_officer)
    created = officer.post(
        reverse("api-agencies-review-information-request", args=[plant.pk]),
        {"message": "Which cold store?"},
        format="json",
    )
    assert created.status_code == 201
    trader = client_for(world.trader_user)
    [row] = trader.get(reverse("api-agencies-information-requests"), {"status": "open"}).json()[
        "results"
    ]
    assert (row["message"], row["agency_name"], row["declaration_id"]) == (
        "Which cold store?",
        "Plant Health",
        declaration.pk,
    )
    assert (
        client_for(world.other_trader_user)
        .get(reverse("api-agencies-information-requests"))
        .json()["results"]
        == []
    )
    url = reverse("api-agencies-information-answer", args=[row["id"]])
    assert client_for(world.other_trader_user).post(url, {"answer": "x"}).status_code == 404
    blank = trader.post(url, {"answer": ""}, format="json")
    assert blank.json()["errors"][0]["code"] == "answer_required"
    answered = trader.post(url, {"answer": "Frío Callao"}, format="json")
    assert (answered.status_code, answered.json()["status"]) == (200, "answered")
    officer.post(
        reverse("api-agencies-review-decide", args=[plant.pk]),
        {
            "decision": "inspect",
            "reason": "Officer's private suspicion",
            "reason_category": "phytosanitary_risk",
        },
        format="json",
    )
    seen = trader.get(reverse("api-agencies-declaration-reviews", args=[declaration.pk]))
    assert seen.status_code == 200
    text = seen.content.decode()
    assert "private suspicion" not in text and "channel" not in text and "yellow" not in text
    plant_row = next(r for r in seen.json()["reviews"] if r["agency_code"] == "AG-PLANT")
    assert (plant_row["status"], plant_row["reason_category"]) == (
        "inspection_required",
        "phytosanitary_risk",
    )
    assert (
        client_for(world.other_trader_user)
        .get(reverse("api-agencies-declaration-reviews", args=[declaration.pk]))
        .status_code
        == 404
    )


def test_tfa_8_book_then_join_through_the_api_and_record_results(world):
    declaration = world.declaration()
    customs, plant = services.reviews_open(declaration=declaration, channel="red", by=None)
    plant_client, customs_client = (
        client_for(world.plant_officer),
        client_for(world.customs_officer),
    )
    plant_client.post(
        reverse("api-agencies-review-decide", args=[plant.pk]),
        {"decision": "inspect", "reason": "Alert", "reason_category": "phytosanitary_risk"},
        format="json",
    )
    booked = customs_client.post(
        reverse("api-agencies-review-inspection", args=[customs.pk]),
        {"place": "Bay 3"},
        format="json",
    )
    assert booked.status_code == 200
    data = booked.json()
    assert (data["location"], data["place"], data["status"]) == ("PECLL", "Bay 3", "booked")
    assert sorted(p["agency_code"] for p in data["participants"]) == ["AG-CUSTOMS", "AG-PLANT"]
    joined = plant_client.post(
        reverse("api-agencies-review-inspection", args=[plant.pk]), {}, format="json"
    )
    assert joined.json()["id"] == data["id"]
    assert Inspection.objects.count() == 1
    pk = data["id"]
    started = plant_client.post(reverse("api-agencies-inspection-start", args=[pk]))
    assert started.json()["status"] == "in_progress"
    result = plant_client.post(
        reverse("api-agencies-inspection-result", args=[pk]),
        {"result": "sample_taken", "notes": "3 cartons"},
        format="json",
    )
    own = next(p for p in result.json()["participants"] if p["agency_code"] == "AG-PLANT")
    other = next(p for p in result.json()["participants"] if p["agency_code"] == "AG-CUSTOMS")
    assert (own["result"], own["notes"], other["notes"]) == ("sample_taken", "3 cartons", None)
    sample = plant_client.post(
        reverse("api-agencies-inspection-sample", args=[pk]),
        {"reference": "S-9", "lab": "National Lab"},
        format="json",
    )
    assert sample.status_code == 201
    adverse = plant_client.post(
        reverse("api-agencies-sample-result", args=[sample.json()["id"]]),
        {"result": "Pest", "adverse": True},
        format="json",
    )
    assert adverse.json()["adverse"] is True
    second = client_for(world.broker_user).post(
        reverse("api-agencies-second-test-request", args=[sample.json()["id"]]),
        {"lab": "SGS"},
        format="json",
    )
    assert (second.status_code, second.json()["status"]) == (201, "requested")
    done = plant_client.post(
        reverse("api-agencies-second-test-result", args=[second.json()["id"]]),
        {"result": "Clean", "adverse": False},
        format="json",
    )
    assert (done.status_code, done.json()["status"]) == (200, "completed")
    customs_client.post(
        reverse("api-agencies-inspection-result", args=[pk]),
        {"result": "no_irregularity"},
        format="json",
    )
    assert AgencyReview.objects.get(pk=customs.pk).status == "approved"
    assert Inspection.objects.get().status == "completed"


def test_next_slot_for_officers(world):
    url = reverse("api-agencies-inspection-next-slot")
    ok = client_for(world.plant_officer).get(url, {"location": "PECLL", "perishable": "true"})
    assert ok.json() == {
        "location": "PECLL",
        "perishable": True,
        "slot": "2026-12-01T10:00:00-05:00",
    }
    bad = client_for(world.plant_officer).get(url, {"location": "12"})
    assert bad.json()["errors"][0]["code"] == "location_invalid"


def test_supervisor_maintains_only_own_agency_matrix(world):
    client = client_for(world.plant_supervisor)
    url = reverse("api-agencies-requirements")
    created = client.post(
        url,
        {
            "hs_prefix": "0901",
            "action": "review",
            "description_en": "Green coffee",
            "sla_hours": 48,
            "perishable_sla_hours": 48,
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="r-1",
    )
    assert created.status_code == 201
    assert (created.json()["key"], created.json()["agency_code"]) == ("AG-PLANT-0002", "AG-PLANT")
    listed = client.get(url).json()["results"]
    assert sorted(r["key"] for r in listed) == ["AG-PLANT-0001", "AG-PLANT-0002"]
    food_line = client.post(
        reverse("api-agencies-requirement-change", args=[world.food_line.pk]),
        {"sla_hours": 1},
        format="json",
    )
    assert food_line.status_code == 404
    other_agency = client.post(
        url,
        {"agency": world.food.pk, "hs_prefix": "03", "action": "review", "description_en": "Fish"},
        format="json",
    )
    assert other_agency.status_code == 403
    changed = client.post(
        reverse("api-agencies-requirement-change", args=[world.plant_line.pk]),
        {"perishable_sla_hours": 2},
        format="json",
    )
    assert changed.status_code == 201
    assert changed.json()["perishable_sla_hours"] == 2
    history = client.get(url, {"history": "true"}).json()["results"]
    assert len(history) == 3
    invalid = client.post(
        url, {"hs_prefix": "9", "action": "permit", "description_en": ""}, format="json"
    )
    assert sorted((e["field"], e["code"]) for e in invalid.json()["errors"]) == [
        ("description_en", "description_required"),
        ("document_type_code", "document_type_required"),
        ("hs_prefix", "hs_prefix_invalid"),
    ]
    ended = client.post(
        reverse("api-agencies-requirement-end", args=[changed.json()["id"]]),
        {"valid_to": "2026-12-31"},
        format="json",
    )
    assert ended.json()["valid_to"] == "2026-12-31"
    assert RequirementLine.objects.count() == 4


def test_a_line_citing_an_unknown_document_is_refused_in_the_readers_language(world):
    client = client_for(world.plant_supervisor)
    before = RequirementLine.objects.count()
    refused = client.post(
        reverse("api-agencies-requirements"),
        {
            "hs_prefix": "0804",
            "action": "permit",
            "document_type_code": "N999",
            "description_en": "Certificate",
            "origin_country": "XX",
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert refused.status_code == 400
    assert sorted((e["field"], e["code"], e["message"]) for e in refused.json()["errors"]) == [
        (
            "document_type_code",
            "document_type_unknown",
            "Este tipo de documento no está en la lista de referencia de tipos de documento"
            " vigentes.",
        ),
        (
            "origin_country",
            "country_unknown",
            "Este país no está en la lista de referencia de países vigentes.",
        ),
    ]
    assert RequirementLine.objects.count() == before


def test_public_lookup_for_the_trade_portal(world):
    url = reverse("api-agencies-public-requirements")
    data = client_for(None).get(url, {"hs_code": "0804.40", "origin": "MX"}).json()
    [row] = data["results"]
    assert (row["agency_name"], row["document_type_code"], row["perishable_sla_hours"]) == (
        "Plant Health",
        "N851",
        4,
    )
    assert row["description_es"] == "Certificado fitosanitario para fruta fresca"
    spanish = client_for(None).get(url, {"hs_code": "0804"}, HTTP_ACCEPT_LANGUAGE="es").json()
    assert spanish["results"][0]["description"] == "Certificado fitosanitario para fruta fresca"
    missing = client_for(None).get(url)
    assert (missing.status_code, missing.json()["errors"][0]["field"]) == (400, "hs_code")
