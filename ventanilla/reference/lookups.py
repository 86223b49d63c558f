"""Batch look-ups used to validate declarations: at most one query per code list,
whatever the number of items or declarations, so lodging a 999-item declaration (or
1,000 declarations in bulk) costs the same few queries.

Codes seen recently are answered from per-process snapshots (``core.snapshots``) keyed
by (day, code): the same tariff lines, ports and offices recur in most declarations, and
reference data is effective-dated, so a day's answer never changes within the day
except through a load, which clears the snapshots."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable
from typing import Any, cast

from django.utils import timezone

from ventanilla.core.snapshots import Snapshot
from ventanilla.reference.models import Country, Currency, CustomsOffice, Location, TariffLine


def _codes(keys: Iterable[Hashable]) -> list[str]:
    """The codes of (day, code) snapshot keys."""
    return [cast(tuple[dt.date, str], key)[1] for key in keys]


_TARIFF_LINES: Snapshot[TariffLine] = Snapshot(
    "reference.tariff_lines", watch=("reference.TariffLine", "reference.HSEdition")
)
_CODES: dict[str, Snapshot[bool]] = {
    name: Snapshot(f"reference.{name}", watch=(label,))
    for name, label in (
        ("countries", "reference.Country"),
        ("currencies", "reference.Currency"),
        ("locations", "reference.Location"),
        ("offices", "reference.CustomsOffice"),
    )
}


def tariff_lines_in_force(
    codes: Iterable[str], day: dt.date | None = None
) -> dict[str, TariffLine]:
    """The national tariff lines in force on ``day``, by code (rows are shared between
    requests: read them, never change them)."""
    day = day or timezone.localdate()
    wanted = {(day, c) for c in codes if c}
    if not wanted:
        return {}

    def load(keys: set[Hashable]) -> dict[Hashable, TariffLine]:
        rows = TariffLine.objects.as_of(day).filter(code__in=_codes(keys)).select_related("edition")
        return {(day, row.code): row for row in rows}

    found = _TARIFF_LINES.get_many(wanted, load)
    return {cast(tuple[dt.date, str], k)[1]: row for k, row in found.items() if row is not None}


def _in_force(
    name: str, model: Any, column: str, codes: Iterable[str], day: dt.date | None
) -> set[str]:
    day = day or timezone.localdate()
    wanted = {(day, c.upper()) for c in codes if c}
    if not wanted:
        return set()

    def load(keys: set[Hashable]) -> dict[Hashable, bool]:
        values = (
            model.objects.as_of(day)
            .filter(**{f"{column}__in": _codes(keys)})
            .values_list(column, flat=True)
        )
        return {(day, code): True for code in values}

    found = _CODES[name].get_many(wanted, load)
    return {code for code, known in zip(_codes(found), found.values(), strict=True) if known}


def countries_in_force(codes: Iterable[str], day: dt.date | None = None) -> set[str]:
    return _in_force("countries", Country, "code", codes, day)


def currencies_in_force(codes: Iterable[str], day: dt.date | None = None) -> set[str]:
    return _in_force("currencies", Currency, "code", codes, day)


def locations_in_force(codes: Iterable[str], day: dt.date | None = None) -> set[str]:
    return _in_force("locations", Location, "unlocode", codes, day)


def customs_offices_in_force(codes: Iterable[str], day: dt.date | None = None) -> set[str]:
    return _in_force("offices", CustomsOffice, "code", codes, day)
