"""Tariff measures and exchange rates in force on a day, answered from per-process
snapshots (``core.snapshots``) instead of the database on every assessment.

Both tables are small, published configuration (TFA 1.1) read by every lodgement, and
effective-dated: a snapshot is keyed by the day it was read for, so a declaration is
always assessed with the rows in force on its own acceptance date, never another day's
(TFA 7.3: the final determination uses the same data as the provisional one). Publishing
or closing a version saves the model, which drops the snapshot; other processes see the
change within the snapshot's TTL.

Rows held here are shared between requests: read them, never change them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from decimal import Decimal

from ventanilla.core.snapshots import Snapshot
from ventanilla.duties.models import ExchangeRate, TariffMeasure

# (trade flow, tariff code or HS prefix) -> the measures on exactly that code.
MeasureTable = dict[tuple[str, str], tuple[TariffMeasure, ...]]


def _load_measures(day: Hashable) -> MeasureTable:
    assert isinstance(day, dt.date)
    table: dict[tuple[str, str], list[TariffMeasure]] = {}
    for m in TariffMeasure.objects.as_of(day).order_by("pk"):
        table.setdefault((m.trade_flow, m.tariff_code), []).append(m)
    return {key: tuple(rows) for key, rows in table.items()}


def _load_rates(day: Hashable) -> dict[str, Decimal]:
    assert isinstance(day, dt.date)
    rates: dict[str, Decimal] = {}
    # The latest version starting on or before the day wins, as ``order_by("-valid_from")
    # .first()`` did per currency.
    for currency, rate in (
        ExchangeRate.objects.as_of(day)
        .order_by("currency", "-valid_from")
        .values_list("currency", "rate")
    ):
        rates.setdefault(currency, rate)
    return rates


_MEASURES: Snapshot[MeasureTable] = Snapshot(
    "duties.tariff_measures", _load_measures, watch=("duties.TariffMeasure",)
)
_RATES: Snapshot[dict[str, Decimal]] = Snapshot(
    "duties.exchange_rates", _load_rates, watch=("duties.ExchangeRate",)
)


def measures_on(tariff_line: str, day: dt.date, flow: str) -> list[TariffMeasure]:
    """Every measure in force on ``day`` for ``flow`` on the line or one of its HS
    prefixes (two digits and longer), as the database query on prefixes returned."""
    table = _MEASURES.get(day)
    found: list[TariffMeasure] = []
    for n in range(2, len(tariff_line) + 1):
        found.extend(table.get((flow, tariff_line[:n]), ()))
    return found


def exchange_rate_on(currency: str, day: dt.date, national: str) -> Decimal | None:
    """Units of national currency per unit of ``currency`` in force on ``day`` (WCO 118),
    or ``None`` when none is published."""
    if currency == national:
        return Decimal(1)
    return _RATES.get(day).get(currency)
