"""The demo world the clearance tests run in: the curated reference set, demo
organisations and users, tariff measures, a guarantee account and a plant-health
requirement for fresh fruit (TFA 10.4: one submission reaches every agency)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from ventanilla.accounts.demo import load_demo_accounts
from ventanilla.accounts.models import Organisation, User
from ventanilla.agencies.services.requirements import requirement_line_add
from ventanilla.declarations.api.serializers import DeclarationInput
from ventanilla.declarations.tests.conftest import payload
from ventanilla.duties.demo import load_demo_duties
from ventanilla.payments.demo import load_demo_payments


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    call_command("load_reference_demo", verbosity=0)
    load_demo_accounts()
    load_demo_duties()
    load_demo_payments()
    plant = Organisation.objects.get(code="AG-PLANT")
    requirement_line_add(
        agency=plant,
        hs_prefix="08",
        action="permit",
        description_en="Phytosanitary certificate for fresh fruit",
        description_es="Certificado fitosanitario para fruta fresca",
        document_type_code="N851",
        sla_hours=24,
        perishable_sla_hours=4,
        by=None,
    )
    users = {u.email.split("@")[0]: u for u in User.objects.all()}
    orgs = {o.code: o for o in Organisation.objects.all()}
    return {
        "users": users,
        "orgs": orgs,
        "broker": orgs["20100000003"],
        "trader": orgs["20100000001"],
        "carrier": orgs["20100000004"],
        "plant": plant,
        "customs": orgs["AG-CUSTOMS"],
    }


def valid(data: dict[str, Any]) -> dict[str, Any]:
    serializer = DeclarationInput(data=data)
    assert serializer.is_valid(), serializer.errors
    return serializer.validated_data


def coffee(lrn: str) -> dict[str, Any]:
    """Green coffee beans from Colombia: no agency requirement in the test matrix."""
    data = payload(lrn=lrn, export_country="CO", loading_location="COBUN")
    data["items"] = [
        {
            "tariff_line": "0901119000",
            "description": "Green coffee beans",
            "origin_country": "CO",
            "package_type": "BG",
            "package_count": 320,
            "gross_mass_kg": "19500",
            "net_mass_kg": "19200",
            "customs_value": "96000.00",
            "documents": [],
        }
    ]
    data["invoice_amount"] = "96000.00"
    return data
