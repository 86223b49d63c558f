from __future__ import annotations

from decimal import Decimal

import pytest

from ventanilla.accounts.tests.factories import AgencyFactory
from ventanilla.declarations.tests.factories import declaration_with_items
from ventanilla.risk import selectors, services
from ventanilla.risk.demo import load_demo_risk
from ventanilla.risk.models import RiskProfile

pytestmark = pytest.mark.django_db


def test_demo_profiles_load_once_and_select_the_reference_story() -> None:
    AgencyFactory(code="AG-CUSTOMS")
    AgencyFactory(code="AG-PLANT", agency_function="plant_health")
    assert load_demo_risk() == {"risk_profiles_created": 4, "risk_profiles_existing": 0}
    assert load_demo_risk() == {"risk_profiles_created": 0, "risk_profiles_existing": 4}
    assert RiskProfile.objects.count() == 4
    in_force = {
        p.code: (p.owner.code, p.kind, p.channel)
        for p in selectors.profiles_in_force(on=RiskProfile.objects.first().valid_from)
    }
    assert in_force == {
        "AL-MEDFLY-0804": ("AG-PLANT", "import_alert", "red"),
        "CU-VAL-7403": ("AG-CUSTOMS", "selectivity", "yellow"),
        "CU-NEW-TRADER": ("AG-CUSTOMS", "selectivity", "yellow"),
        "CU-RANDOM-3": ("AG-CUSTOMS", "random", "red"),
    }
    # Avocados from Mexico into Callao, by a trader with no record: the alert applies.
    avocados = services.risk_assess(declaration=declaration_with_items(), by=None)
    assert avocados.channel == "red"
    assert [m["code"] for m in avocados.matches if m["kind"] != "random"] == [
        "AL-MEDFLY-0804",
        "CU-NEW-TRADER",
    ]
    # Copper cathodes at 5.50 per kg net.
    copper = declaration_with_items(
        item={
            "hs_code": "740311",
            "tariff_line": "7403110000",
            "origin_country": "CL",
            "description": "Refined copper cathodes",
            "customs_value": Decimal("110000.00"),
            "net_mass_kg": Decimal("20000.000"),
            "gross_mass_kg": Decimal("20100.000"),
            "is_perishable": False,
        }
    )
    matched = services.risk_assess(declaration=copper, by=None).matches
    assert [m["explanation"] for m in matched if m["code"] == "CU-VAL-7403"] == [
        "HS code 740311 starts with 7403; value per kg 5.50 below 6.00 (item 1)"
    ]


def test_demo_needs_the_demo_agencies() -> None:
    with pytest.raises(LookupError):
        load_demo_risk()
