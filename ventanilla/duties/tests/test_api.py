"""Duties API: duties shown before payment (TFA 7.2) to the trader side, every
assessment to customs, final determination after release by customs (TFA 7.3)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from ventanilla.accounts.tests.factories import AgencyFactory, member
from ventanilla.audit.models import AuditEvent
from ventanilla.declarations.tests.factories import declaration_with_items
from ventanilla.duties import services
from ventanilla.duties.models import DutyAssessment
from ventanilla.duties.tests.factories import ExchangeRateFactory, duty_and_vat

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def assessed():  # type: ignore[no-untyped-def]
    ExchangeRateFactory(currency="USD", rate=Decimal("3.75"))
    duty_and_vat("0804400000", duty="6", vat="18")
    declaration = declaration_with_items(1, status="accepted")
    services.duties_assess(declaration=declaration, by=None)
    return declaration


def test_tfa_7_2_trader_and_broker_see_the_duties_before_paying(assessed):
    url = reverse("api-duties-declaration", args=[assessed.pk])
    trader = member("trader_declarant", assessed.trader)
    broker = member("broker_declarant", assessed.declarant)

    data = _client(trader).get(url).json()

    assert _client(broker).get(url).json() == data
    assert {k: data[k] for k in ("number", "status", "currency", "total", "exchange_rates")} == {
        "number": 1,
        "status": "provisional",
        "currency": "PEN",
        "total": "22572.00",
        "exchange_rates": {"USD": "3.750000"},
    }
    assert [(t["measure_type"], t["amount"]) for t in data["totals"]] == [
        ("customs_duty", "5400.00"),
        ("vat", "17172.00"),
    ]
    assert [
        (
            row["measure_type"],
            row["base_amount"],
            row["ad_valorem_rate"],
            row["amount"],
            row["legal_basis"],
        )
        for row in data["lines"]
    ] == [
        ("customs_duty", "90000.00", "6", "5400.00", "Test tariff, Art. 1"),
        ("vat", "95400.00", "18", "17172.00", "Test VAT law, Art. 13"),
    ]


def test_tfa_7_2_duties_are_not_shown_to_the_carrier_nor_other_traders(assessed):
    url = reverse("api-duties-declaration", args=[assessed.pk])
    carrier = member("carrier_operator", assessed.carrier)
    stranger = member("trader_admin")

    refused = _client(carrier).get(url)
    hidden = _client(stranger).get(url)

    assert (refused.status_code, refused.json()["errors"][0]["code"]) == (403, "forbidden")
    assert (hidden.status_code, hidden.json()["errors"][0]["code"]) == (404, "not_found")


def test_tfa_7_2_not_yet_assessed_is_a_404_with_its_code():
    declaration = declaration_with_items(1)
    trader = member("trader_declarant", declaration.trader)

    response = _client(trader).get(reverse("api-duties-declaration", args=[declaration.pk]))

    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_assessed"


def test_tfa_7_3_customs_sees_every_assessment_the_trader_only_the_current(
    assessed, customs_officer
):
    trader = member("trader_declarant", assessed.trader)
    history = reverse("api-duties-assessments", args=[assessed.pk])
    first = DutyAssessment.objects.get(declaration=assessed)
    assessed.version = 2
    assessed.save(update_fields=["version"])
    services.duties_assess(declaration=assessed, by=None)

    rows = _client(customs_officer).get(history).json()
    detail = _client(customs_officer).get(reverse("api-duties-assessment", args=[first.pk]))

    assert [(r["number"], r["status"]) for r in rows] == [(2, "provisional"), (1, "superseded")]
    assert detail.json()["status"] == "superseded"
    assert _client(trader).get(history).status_code == 403
    assert _client(trader).get(reverse("api-duties-assessment", args=[first.pk])).status_code == 403


def test_tfa_7_3_other_agencies_do_not_see_duties(assessed, customs_sees_all):
    plant = member("agency_officer", AgencyFactory(agency_function="plant_health"))

    response = _client(plant).get(reverse("api-duties-assessments", args=[assessed.pk]))

    assert response.status_code == 403


def test_tfa_7_3_customs_finalises_after_release_others_may_not(assessed, customs_officer):
    url = reverse("api-duties-finalise", args=[assessed.pk])
    trader = member("trader_admin", assessed.trader)
    committee = member("committee_member")
    before = AuditEvent.objects.count()

    denied = [_client(u).post(url).status_code for u in (trader, committee)]
    not_released = _client(customs_officer).post(url)
    assert AuditEvent.objects.count() == before
    assert DutyAssessment.objects.get(declaration=assessed).status == "provisional"

    assessed.status = "released"
    assessed.save(update_fields=["status"])
    final = _client(customs_officer).post(url)

    assert denied == [403, 403]
    assert (not_released.status_code, not_released.json()["errors"]) == (
        409,
        [
            {
                "code": "not_released",
                "field": "status",
                "message": "Duties are finally determined after release: this declaration is not "
                "released.",
            }
        ],
    )
    assert (final.status_code, final.json()["status"], final.json()["total"]) == (
        200,
        "final",
        "22572.00",
    )
