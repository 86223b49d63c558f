"""Reference rows and a lodgement payload shared by the declaration tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from ventanilla.accounts.tests.factories import MandateFactory, OrganisationFactory, member
from ventanilla.reference.models import (
    Country,
    Currency,
    CustomsOffice,
    HSEdition,
    Location,
    TariffLine,
)


def make_reference() -> None:
    edition, _ = HSEdition.objects.get_or_create(
        code="2022", defaults={"name": "HS 2022", "valid_from": dt.date(2022, 1, 1)}
    )
    for code, hs, text in (
        ("0804400000", "080440", "Avocados, fresh"),
        ("7403110000", "740311", "Copper cathodes"),
        ("0901119000", "090111", "Coffee, not roasted"),
    ):
        TariffLine.objects.get_or_create(
            code=code,
            defaults={
                "edition": edition,
                "hs_code": hs,
                "description_en": text,
                "supplementary_unit": "",
            },
        )
    for code, name in (("PE", "Peru"), ("MX", "Mexico"), ("CL", "Chile"), ("US", "United States")):
        Country.objects.get_or_create(
            code=code, defaults={"alpha3": code + "X", "numeric": "000", "name_en": name}
        )
    Currency.objects.get_or_create(code="USD", defaults={"name_en": "US Dollar", "minor_units": 2})
    for code in ("PECLL", "MXZLO", "CLSAI"):
        Location.objects.get_or_create(
            unlocode=code,
            defaults={
                "country": code[:2],
                "name": code,
                "name_ascii": code,
                "function": "1-------",
                "is_seaport": True,
            },
        )
    CustomsOffice.objects.get_or_create(
        code="PECLL0118",
        defaults={"name_en": "Callao maritime", "unlocode": "PECLL", "country": "PE"},
    )


@pytest.fixture
def reference(db: Any) -> None:
    make_reference()


@pytest.fixture
def parties(db: Any) -> dict[str, Any]:
    trader = OrganisationFactory(kind="trader", code="20100000001", name="Andes Fresh")
    broker = OrganisationFactory(kind="broker", code="20100000003", name="Callao Brokers")
    carrier = OrganisationFactory(kind="carrier", code="20100000004", name="Pacific Lines")
    # The broker lodges for the trader: the trader gave it a mandate (TFA 10.6).
    MandateFactory(trader=trader, broker=broker)
    return {
        "trader": trader,
        "broker": broker,
        "carrier": carrier,
        "broker_user": member("broker_declarant", broker),
        "trader_user": member("trader_declarant", trader),
        "carrier_user": member("carrier_operator", carrier),
    }


def payload(lrn: str = "BRK-2026-0001", items: int = 1, **overrides: Any) -> dict[str, Any]:
    """A valid pre-arrival import of fresh avocados from Mexico into Callao."""
    data: dict[str, Any] = {
        "lrn": lrn,
        "declaration_type": "IM",
        "procedure_code": "4000",
        "office_code": "PECLL0118",
        "transport_mode": "1",
        "conveyance_ref": "MSC ANDES 123E",
        "transport_document_ref": "MSCUBL0001",
        "loading_location": "MXZLO",
        "discharge_location": "PECLL",
        "estimated_arrival": (timezone.now() + dt.timedelta(days=5)).isoformat(),
        "export_country": "MX",
        "destination_country": "PE",
        "incoterm": "FOB",
        "invoice_currency": "USD",
        "invoice_amount": str(24000 * items),
        "parties": [
            {
                "role": "importer",
                "name": "Andes Fresh",
                "identifier": "20100000001",
                "country": "PE",
            },
            {
                "role": "declarant",
                "name": "Callao Brokers",
                "identifier": "20100000003",
                "country": "PE",
            },
            {
                "role": "carrier",
                "name": "Pacific Lines",
                "identifier": "20100000004",
                "country": "PE",
            },
        ],
        "items": [
            {
                "tariff_line": "0804400000",
                "description": f"Fresh Hass avocados lot {n}",
                "origin_country": "MX",
                "package_type": "CT",
                "package_count": 1200,
                "gross_mass_kg": "12600",
                "net_mass_kg": "12000",
                "customs_value": "24000.00",
                "documents": [{"type_code": "N851", "reference": f"MX-PHYTO-{n}"}],
            }
            for n in range(1, items + 1)
        ],
        "documents": [{"type_code": "N380", "reference": "INV-1", "issued_on": "2026-11-20"}],
    }
    data.update(overrides)
    return data
