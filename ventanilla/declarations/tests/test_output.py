"""The API's output shapes (api/output.py) are DRF's exactly: ``represent`` walks a
plan of the serializers' fields instead of DRF's per-field machinery, and must give
the very same answer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from ventanilla.declarations.api.output import (
    DeclarationOut,
    DeclarationSummaryOut,
    represent,
    represent_many,
)
from ventanilla.declarations.models import Declaration
from ventanilla.declarations.tests.factories import declaration_with_items

pytestmark = pytest.mark.django_db


def drf(serializer_class: Any, instance: Any, trader_side: bool) -> dict[str, Any]:
    return dict(serializer_class(instance, context={"trader_side": trader_side}).data)


@pytest.mark.parametrize("trader_side", [True, False])
@pytest.mark.parametrize("language", ["en", "es"])
def test_a_declaration_is_represented_as_drf_represents_it(trader_side, language):
    declaration = declaration_with_items(
        3,
        status="released",
        channel="yellow",
        arrived_at=dt.datetime(2026, 12, 1, 9, 30, 15, 250000, tzinfo=dt.UTC),
        released_at=None,
        item={"supplementary_quantity": Decimal("12.500"), "description": "Paltas ñ"},
    )
    declaration = Declaration.objects.get(pk=declaration.pk)
    with translation.override(language):
        for serializer_class in (DeclarationOut, DeclarationSummaryOut):
            fast = represent(serializer_class, declaration, trader_side=trader_side)
            assert fast == drf(serializer_class, declaration, trader_side)
            assert list(fast) == list(drf(serializer_class, declaration, trader_side))
    assert len(fast) == len(DeclarationSummaryOut.Meta.fields)


def test_many_are_represented_each_as_drf_would():
    declarations = [declaration_with_items(n) for n in (1, 2)]
    assert represent_many(DeclarationSummaryOut, declarations) == [
        drf(DeclarationSummaryOut, d, True) for d in declarations
    ]
    full = represent(DeclarationOut, declarations[1])
    assert (full["channel"], len(full["items"]), full["items"][1]["sequence"]) == (None, 2, 2)
