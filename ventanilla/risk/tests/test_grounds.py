"""TFA 5.2: a selection tells the trader its ground, derived from the decisive profile,
never the profile itself."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from ventanilla.accounts.choices import AgencyFunction
from ventanilla.accounts.tests.factories import AgencyFactory
from ventanilla.declarations.tests.factories import declaration_with_items
from ventanilla.risk import grounds, services
from ventanilla.risk.tests.factories import published_profile

pytestmark = pytest.mark.django_db

AVOCADOS = {"field": "hs_code", "op": "startswith", "value": ["0804"]}


def ground(**profile) -> str:  # type: ignore[no-untyped-def]
    if profile:
        published_profile(**profile)
    assessment = services.risk_assess(declaration=declaration_with_items(2), by=None)
    return grounds.selection_ground(assessment=assessment)


def test_a_value_test_is_a_valuation_ground_even_beside_the_hs_code() -> None:
    criteria = [AVOCADOS, {"field": "customs_value", "op": "gt", "value": "1000"}]
    assert ground(code="SEL-VAL", criteria=criteria) == grounds.VALUATION


def test_an_origin_test_is_an_origin_ground() -> None:
    criteria = [AVOCADOS, {"field": "origin_country", "op": "in", "value": ["MX"]}]
    assert ground(code="SEL-ORI", criteria=criteria) == grounds.ORIGIN


def test_goods_alone_are_a_classification_ground() -> None:
    assert ground(code="SEL-HS", criteria=[AVOCADOS]) == grounds.CLASSIFICATION


@pytest.mark.parametrize(
    ("function", "expected"),
    [
        (AgencyFunction.PLANT_HEALTH, grounds.PHYTOSANITARY),
        (AgencyFunction.FOOD_SAFETY, grounds.SANITARY),
        (AgencyFunction.ANIMAL_HEALTH, grounds.SANITARY),
        (AgencyFunction.CUSTOMS, grounds.OTHER),
    ],
)
def test_tfa_5_1_an_import_alert_answers_its_owner_agencys_concern(function, expected) -> None:
    today = timezone.localdate()
    assert (
        ground(
            owner=AgencyFactory(agency_function=function),
            code="AL-FLY",
            kind="import_alert",
            channel="red",
            criteria=[],
            hs_prefixes=["080440"],
            origin_countries=["MX"],
            ends_on=today,
            review_on=today,
        )
        == expected
    )


def test_a_random_draw_alone_is_a_random_check() -> None:
    assert (
        ground(code="RND-ALL", kind="random", channel="red", criteria=[], random_rate=Decimal(100))
        == grounds.RANDOM
    )


def test_no_selection_has_no_ground_to_tell() -> None:
    assert ground() == grounds.OTHER
