from __future__ import annotations

from decimal import Decimal

import pytest

from ventanilla.declarations.tests.factories import declaration_with_items
from ventanilla.duties import services
from ventanilla.duties.demo import load_demo_duties

pytestmark = pytest.mark.django_db


def test_demo_duties_load_once_and_assess_the_demo_lines():
    assert load_demo_duties() == {"tariff_measures": 28, "exchange_rates": 2}
    assert load_demo_duties() == {"tariff_measures": 0, "exchange_rates": 0}

    avocados = declaration_with_items(1)  # 24,000 USD
    coffee_co = declaration_with_items(
        1,
        item={
            "tariff_line": "0901119000",
            "origin_country": "CO",
            "preference_code": "AP",
            "customs_value": Decimal("10000.00"),
        },
    )
    shrimp = declaration_with_items(
        1, item={"tariff_line": "0306179900", "customs_value": Decimal("10000.00")}
    )

    # 90,000.00 PEN at 0 % + 18 % VAT = 16,200.00
    assert services.duties_assess(declaration=avocados, by=None).total == Decimal("16200.00")
    # Pacific Alliance preference: 0 % duty, VAT 18 % × 37,500.00 = 6,750.00
    assert services.duties_assess(declaration=coffee_co, by=None).total == Decimal("6750.00")
    # heading 0306: 6 % × 37,500.00 = 2,250.00; VAT 18 % × 39,750.00 = 7,155.00
    assert services.duties_assess(declaration=shrimp, by=None).total == Decimal("9405.00")
