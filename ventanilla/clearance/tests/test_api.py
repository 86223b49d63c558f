"""Trader API: lodge (single, bulk, retried), amend, cancel; every refusal is a 4xx with
codes and field paths, never a 500 — also for random input (hypothesis)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from ventanilla.clearance.tests.conftest import coffee
from ventanilla.declarations.models import Declaration, GoodsItem
from ventanilla.declarations.tests.conftest import payload

pytestmark = pytest.mark.django_db

LODGE = "api-declaration-lodge"


@pytest.fixture
def broker(world: dict[str, Any]) -> APIClient:
    client = APIClient()
    client.force_authenticate(world["users"]["broker"])
    return client


def test_lodge_single_returns_the_accepted_declaration(broker):
    response = broker.post(reverse(LODGE), coffee("API-1"), format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "accepted" and len(body["mrn"]) == 18
    assert body["channel"] is None  # never shown to the trader side
    assert [i["hs_code"] for i in body["items"]] == ["090111"]


def test_retried_lodgement_with_the_same_key_creates_nothing_new(broker):
    data = coffee("API-2")
    first = broker.post(reverse(LODGE), data, format="json", HTTP_IDEMPOTENCY_KEY="erp-42")
    again = broker.post(reverse(LODGE), data, format="json", HTTP_IDEMPOTENCY_KEY="erp-42")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    # Without the key the LRN still guards: same content answers 200 with the first.
    third = broker.post(reverse(LODGE), data, format="json")
    assert third.status_code == 200 and third.json()["id"] == first.json()["id"]
    assert Declaration.objects.filter(lrn="API-2").count() == 1


def test_bulk_lodges_every_declaration_once(broker):
    rows = [coffee(f"API-B{n}") for n in range(4)]
    response = broker.post(reverse("api-declaration-bulk"), {"declarations": rows}, format="json")
    assert response.status_code == 201
    assert [r["created"] for r in response.json()["declarations"]] == [True] * 4
    again = broker.post(reverse("api-declaration-bulk"), {"declarations": rows}, format="json")
    assert [r["created"] for r in again.json()["declarations"]] == [False] * 4
    assert Declaration.objects.filter(lrn__startswith="API-B").count() == 4


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        (lambda d: d.update(declaration_type="XX"), "invalid_choice", "declaration_type"),
        (lambda d: d.update(items=[]), "items_required", "items"),
        (lambda d: d["items"][0].update(tariff_line="12"), "invalid", "items.0.tariff_line"),
        (
            lambda d: d["items"][0].update(tariff_line="9999999999"),
            "tariff_line_unknown",
            "items.0.tariff_line",
        ),
        (
            lambda d: d["items"][0].update(net_mass_kg="99999"),
            "net_mass_above_gross",
            "items.0.net_mass_kg",
        ),
        (lambda d: d["items"][0].update(customs_value="abc"), "invalid", "items.0.customs_value"),
        (lambda d: d.update(invoice_currency="ZZZ"), "currency_unknown", "invoice_currency"),
        (lambda d: d.update(loading_location="ZZZZZ"), "location_unknown", "loading_location"),
        (lambda d: d.update(office_code="NOWHERE"), "office_unknown", "office_code"),
        (
            lambda d: d.update(estimated_arrival=None),
            "estimated_arrival_missing",
            "estimated_arrival",
        ),
        (lambda d: d["parties"].pop(0), "main_party_missing", "parties"),
        (
            lambda d: d["parties"][0].update(identifier="X"),
            "trader_not_registered",
            "parties.0.identifier",
        ),
        (lambda d: d.pop("lrn"), "required", "lrn"),
    ],
)
def test_every_validation_case_answers_400_with_code_and_path(broker, change, code, field):
    data = payload(lrn="API-BAD")
    change(data)
    response = broker.post(reverse(LODGE), data, format="json")
    assert response.status_code == 400
    assert {"code": code, "field": field} in [
        {"code": e["code"], "field": e["field"]} for e in response.json()["errors"]
    ]
    assert Declaration.objects.count() == 0 and GoodsItem.objects.count() == 0


def test_amend_then_cancel(broker):
    data = coffee("API-AM")
    created = broker.post(reverse(LODGE), data, format="json").json()
    changed = {**data, "incoterm": "CIF", "reason": "Incoterm corrected"}
    amended = broker.post(
        reverse("api-declaration-amend", args=[created["id"]]), changed, format="json"
    )
    assert amended.status_code == 200 and amended.json()["version"] == 2
    no_reason = broker.post(
        reverse("api-declaration-cancel", args=[created["id"]]), {}, format="json"
    )
    assert no_reason.status_code == 400
    assert no_reason.json()["errors"][0]["field"] == "reason"
    cancelled = broker.post(
        reverse("api-declaration-cancel", args=[created["id"]]),
        {"reason": "Buyer cancelled"},
        format="json",
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    late = broker.post(
        reverse("api-declaration-amend", args=[created["id"]]), changed, format="json"
    )
    assert late.status_code == 409 and late.json()["errors"][0]["code"] == "not_amendable"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    mutation=st.dictionaries(
        st.sampled_from(
            [
                "lrn",
                "declaration_type",
                "items",
                "parties",
                "documents",
                "invoice_amount",
                "estimated_arrival",
                "transport_mode",
                "perishable",
            ]
        ),
        json_values,
        max_size=4,
    )
)
def test_random_input_never_gives_a_500(broker, mutation):
    data = {**payload(lrn="API-FUZZ"), **mutation}
    response = broker.post(reverse(LODGE), json.dumps(data), content_type="application/json")
    assert response.status_code < 500, response.content[:300]
    if response.status_code >= 400:
        assert response.json()["errors"]


@pytest.mark.parametrize("value", ["abc", "-1", "0", "99999999"])
def test_an_organisation_parameter_not_the_callers_is_refused_not_a_500(broker, value):
    response = broker.post(
        f"{reverse(LODGE)}?organisation={value}", coffee("API-ORG"), format="json"
    )
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "forbidden"


@pytest.mark.parametrize("idempotency_key", ["", "erp-race"])
def test_the_same_lrn_lodged_concurrently_is_a_conflict_not_a_500(
    broker, world, monkeypatch, idempotency_key
):
    """Two requests lodge one LRN at once: both look, find nothing, and the second
    insert meets the first's unique key (simulated: the look finds nothing)."""
    from ventanilla.declarations import lrn

    data = coffee("API-RACE")
    assert broker.post(reverse(LODGE), data, format="json").status_code == 201
    monkeypatch.setattr(lrn, "existing", lambda *args: {})
    headers = {"HTTP_IDEMPOTENCY_KEY": idempotency_key} if idempotency_key else {}
    response = broker.post(reverse(LODGE), data, format="json", **headers)
    assert response.status_code == 409
    assert [(e["code"], e["field"]) for e in response.json()["errors"]] == [
        ("lrn_being_lodged", "lrn")
    ]
    assert Declaration.objects.filter(lrn="API-RACE").count() == 1
    spanish = broker.post(reverse(LODGE), data, format="json", HTTP_ACCEPT_LANGUAGE="es")
    assert spanish.json()["errors"][0]["message"] == (
        "Otra solicitud está presentando este LRN en este momento. "
        "Envíela de nuevo para obtener su resultado."
    )
    # Sent again once the first has committed: its result, as any repeated lodgement.
    monkeypatch.undo()
    again = broker.post(reverse(LODGE), data, format="json", **headers)
    assert again.status_code == 200 and again.json()["lrn"] == "API-RACE"


def test_a_bulk_lodgement_names_the_declaration_whose_lrn_is_being_lodged(
    broker, world, monkeypatch
):
    """The same race in bulk: the answer names the declaration that collided, and none
    of the request's declarations is stored."""
    from ventanilla.declarations import lrn

    lodged = coffee("API-BRACE")
    assert broker.post(reverse(LODGE), lodged, format="json").status_code == 201
    rows = [coffee("API-BR0"), lodged, coffee("API-BR2")]
    body = {"declarations": rows}

    def send() -> Any:
        url = reverse("api-declaration-bulk")
        return broker.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="erp-bulk-race")

    monkeypatch.setattr(lrn, "existing", lambda *args: {})
    response = send()
    assert response.status_code == 409
    assert [(e["code"], e["field"]) for e in response.json()["errors"]] == [
        ("lrn_being_lodged", "declarations.1.lrn")
    ]
    assert sorted(
        Declaration.objects.filter(lrn__startswith="API-BR").values_list("lrn", flat=True)
    ) == ["API-BRACE"]
    # Once the race is over, the same request (same key) lodges the other two.
    monkeypatch.undo()
    again = send()
    assert again.status_code == 201
    assert [r["created"] for r in again.json()["declarations"]] == [True, False, True]
