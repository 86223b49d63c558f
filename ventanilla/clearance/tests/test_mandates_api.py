"""TFA 10.6 through the trader API: the demo broker lodges for the demo traders while
their mandates are in force; once revoked, single and bulk lodgements are refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from ventanilla.accounts import services as accounts
from ventanilla.accounts.models import Mandate
from ventanilla.clearance.tests.conftest import coffee
from ventanilla.declarations.models import Declaration

pytestmark = pytest.mark.django_db


def test_tfa_10_6_api_refuses_a_broker_whose_mandate_was_revoked(world: dict[str, Any]) -> None:
    broker = APIClient()
    broker.force_authenticate(world["users"]["broker"])
    assert (
        broker.post(reverse("api-declaration-lodge"), coffee("MAN-1"), format="json").status_code
        == 201
    )
    mandate = Mandate.objects.get(trader=world["trader"], broker=world["broker"])
    accounts.mandate_revoke(mandate=mandate, by=world["users"]["trader"], reason="Ended")
    single = broker.post(reverse("api-declaration-lodge"), coffee("MAN-2"), format="json")
    assert single.status_code == 403
    assert single.json()["errors"] == [
        {
            "code": "no_representation_mandate",
            "field": "parties.0.identifier",
            "message": (
                "This customs broker holds no representation mandate in force from this trader."
            ),
        }
    ]
    rows = [coffee("MAN-3"), coffee("MAN-4")]
    rows[0]["parties"][0]["identifier"] = "20100000002"  # trader B's mandate is in force
    bulk = broker.post(reverse("api-declaration-bulk"), {"declarations": rows}, format="json")
    assert bulk.status_code == 403
    assert [(e["code"], e["field"]) for e in bulk.json()["errors"]] == [
        ("no_representation_mandate", "declarations.1.parties.0.identifier")
    ]
    assert list(Declaration.objects.values_list("lrn", flat=True)) == ["MAN-1"]
    # In Spanish.
    spanish = broker.post(
        reverse("api-declaration-lodge"), coffee("MAN-5"), format="json", HTTP_ACCEPT_LANGUAGE="es"
    )
    assert spanish.status_code == 403
    assert "mandato" in spanish.json()["errors"][0]["message"]


def test_tfa_10_6_amendment_cannot_hand_a_declaration_to_an_unrepresented_trader(
    world: dict[str, Any],
) -> None:
    broker = APIClient()
    broker.force_authenticate(world["users"]["broker"])
    data = coffee("MAN-AM-1")
    created = broker.post(reverse("api-declaration-lodge"), data, format="json").json()
    trader_b = world["orgs"]["20100000002"]
    accounts.mandate_revoke(
        mandate=Mandate.objects.get(trader=trader_b, broker=world["broker"]),
        by=world["users"]["trader-b"],
        reason="Ended",
    )
    moved = {**data, "reason": "Importer corrected"}
    moved["parties"] = [dict(p) for p in data["parties"]]
    moved["parties"][0]["identifier"] = trader_b.code
    refused = broker.post(
        reverse("api-declaration-amend", args=[created["id"]]), moved, format="json"
    )
    assert refused.status_code == 403
    assert [(e["code"], e["field"]) for e in refused.json()["errors"]] == [
        ("no_representation_mandate", "parties.0.identifier")
    ]
    unchanged = Declaration.objects.get(pk=created["id"])
    assert (unchanged.trader_id, unchanged.version) == (world["trader"].pk, 1)


def test_tfa_10_6_a_broker_whose_mandate_was_revoked_cannot_amend_or_cancel(
    world: dict[str, Any],
) -> None:
    broker = APIClient()
    broker.force_authenticate(world["users"]["broker"])
    data = coffee("MAN-AM-2")
    created = broker.post(reverse("api-declaration-lodge"), data, format="json").json()
    mandate = Mandate.objects.get(trader=world["trader"], broker=world["broker"])
    accounts.mandate_revoke(mandate=mandate, by=world["users"]["trader"], reason="Ended")
    amended = broker.post(
        reverse("api-declaration-amend", args=[created["id"]]),
        {**data, "incoterm": "CIF", "reason": "Incoterm corrected"},
        format="json",
    )
    assert amended.status_code == 403
    assert amended.json()["errors"][0]["code"] == "no_representation_mandate"
    cancelled = broker.post(
        reverse("api-declaration-cancel", args=[created["id"]]),
        {"reason": "Buyer cancelled"},
        format="json",
    )
    assert cancelled.status_code == 403
    assert [(e["code"], e["field"]) for e in cancelled.json()["errors"]] == [
        ("no_representation_mandate", "organisation")
    ]
    d = Declaration.objects.get(pk=created["id"])
    assert (d.status, d.version, d.incoterm) == ("accepted", 1, "FOB")
