"""The shared versioning rules on a small table (units of measure)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from ventanilla.reference.loaders.tables import TABLES
from ventanilla.reference.loaders.versioning import RunDates, apply_plan, plan_versions
from ventanilla.reference.models import UnitOfMeasure

pytestmark = pytest.mark.django_db

SPEC = TABLES["units"].spec
D1, D2, D3 = dt.date(2024, 1, 1), dt.date(2025, 1, 1), dt.date(2026, 1, 1)


def unit(code: str, name_en: str, name_es: str | None = None, symbol: str = "") -> dict[str, Any]:
    return {"code": code, "symbol": symbol, "name_en": name_en, "name_es": name_es}


def load(rows: list[dict[str, Any]], day: dt.date, close_missing: bool = True) -> dict[str, int]:
    plan = plan_versions(
        spec=SPEC,
        scope=UnitOfMeasure.objects.all(),
        rows=rows,
        dates=RunDates(day, day),
        close_missing=close_missing,
    )
    return apply_plan(plan).as_dict()


def test_create_change_close_reopen() -> None:
    assert load([unit("KGM", "kilogram", "kilogramo"), unit("LTR", "litre")], D1)["created"] == 2

    counts = load([unit("KGM", "kilogramme"), unit("MTR", "metre")], D2)

    assert counts == {"created": 1, "changed": 1, "closed": 1, "unchanged": 0, "skipped": 0}
    old, new = UnitOfMeasure.objects.filter(code="KGM").order_by("valid_from")
    assert (old.name_en, old.valid_from, old.valid_to) == ("kilogram", D1, D2)
    assert (new.name_en, new.name_es, new.valid_from, new.valid_to) == (
        "kilogramme",
        "kilogramo",
        D2,
        None,  # Spanish carried over from the old version
    )
    assert new.search_text == "kgm kilogramme kilogramo"
    assert UnitOfMeasure.objects.get(code="LTR").valid_to == D2

    counts = load([unit("KGM", "kilogramme"), unit("MTR", "metre"), unit("LTR", "litre")], D3)

    assert counts == {"created": 1, "changed": 0, "closed": 0, "unchanged": 2, "skipped": 0}
    assert [
        (u.valid_from, u.valid_to)
        for u in UnitOfMeasure.objects.filter(code="LTR").order_by("valid_from")
    ] == [(D1, D2), (D3, None)]


def test_partial_load_closes_nothing() -> None:
    load([unit("KGM", "kilogram"), unit("LTR", "litre")], D1)
    counts = load([unit("KGM", "kilogram")], D2, close_missing=False)
    assert counts == {"created": 0, "changed": 0, "closed": 0, "unchanged": 1, "skipped": 0}
    assert UnitOfMeasure.objects.current().count() == 2


def test_new_spanish_text_is_a_change() -> None:
    load([unit("KGM", "kilogram")], D1)
    counts = load([unit("KGM", "kilogram", "kilogramo")], D2)
    assert counts["changed"] == 1
    assert UnitOfMeasure.objects.current().get(code="KGM").name_es == "kilogramo"


def test_rundates_default() -> None:
    explicit = RunDates.resolve(D2, baseline=D1)
    assert (explicit.changes, explicit.new_keys) == (D2, D2)
    implicit = RunDates.resolve(None, baseline=D1)
    assert implicit.new_keys == D1
    assert implicit.changes == timezone.localdate()
