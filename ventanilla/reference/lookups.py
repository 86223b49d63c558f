"""Batch look-ups used to validate declarations: one query per code list, whatever the
number of items, so lodging a 999-item declaration costs the same few queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from ventanilla.reference.models import Country, Currency, CustomsOffice, Location, TariffLine


def tariff_lines_in_force(
    codes: Iterable[str], day: dt.date | None = None
) -> dict[str, TariffLine]:
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    rows = TariffLine.objects.as_of(day).filter(code__in=wanted).select_related("edition")
    return {row.code: row for row in rows}


def countries_in_force(codes: Iterable[str], day: dt.date | None = None) -> set[str]:
    wanted = {c.upper() for c in codes if c}
    return set(Country.objects.as_of(day).filter(code__in=wanted).values_list("code", flat=True))


def currencies_in_force(codes: Iterable[str], day: dt.date | None = None) -> set[str]:
    wanted = {c.upper() for c in codes if c}
    return set(Currency.objects.as_of(day).filter(code__in=wanted).values_list("code", flat=True))


def locations_in_force(codes: Iterable[str], day: dt.date | None = None) -> set[str]:
    wanted = {c.upper() for c in codes if c}
    return set(
        Location.objects.as_of(day).filter(unlocode__in=wanted).values_list("unlocode", flat=True)
    )


def customs_offices_in_force(codes: Iterable[str], day: dt.date | None = None) -> set[str]:
    wanted = {c.upper() for c in codes if c}
    return set(
        CustomsOffice.objects.as_of(day).filter(code__in=wanted).values_list("code", flat=True)
    )
