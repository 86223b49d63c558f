"""The duty arithmetic, without writing anything (WCO DutyTaxFee 50A).

Per item and measure type: base amount (WCO 116: customs value converted to national
currency at the rate in force on the acceptance date, WCO 118), rate (115), specific
base quantity (129) and amount assessed (120), each amount rounded half up to the
national currency's minor units. A VAT whose base is the "cascade" is computed on the
converted value plus the item's customs duty and excise.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from ventanilla.core.errors import BusinessError, ErrorItem
from ventanilla.declarations.choices import DeclarationType
from ventanilla.declarations.models import Declaration
from ventanilla.duties.choices import CASCADE_TYPES, COMPUTATION_ORDER, TaxBase
from ventanilla.duties.in_force import exchange_rate_on, measures_on
from ventanilla.duties.models import TariffMeasure
from ventanilla.duties.money import minor_units, quantize
from ventanilla.duties.rules import NoExchangeRate, NoTariffMeasure, QuantityMissing

# Mass units derived from the net mass (WCO 128, kilograms); others need the
# supplementary quantity (WCO 130), declared in the unit the tariff prescribes.
MASS_UNITS: dict[str, Decimal] = {"KGM": Decimal(1), "TNE": Decimal("0.001"), "GRM": Decimal(1000)}
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class LineResult:
    item_sequence: int
    tariff_line: str
    measure: TariffMeasure
    origin_country: str
    preference_code: str
    base_amount: Decimal | None
    base_quantity: Decimal | None
    quantity_unit: str
    amount: Decimal


@dataclass(frozen=True)
class Computation:
    day: dt.date
    currency: str
    lines: tuple[LineResult, ...]
    total: Decimal
    rates: dict[str, str]
    basis_hash: str


def assessment_day(declaration: Declaration) -> dt.date:
    """The acceptance date (the declaration's legal date), or today before acceptance."""
    if declaration.accepted_at is not None:
        return timezone.localdate(declaration.accepted_at)
    return timezone.localdate()


def _specificity(m: TariffMeasure) -> tuple[bool, bool, int, dt.date, int]:
    # A claimed preference wins over erga omnes, an origin-specific measure over a
    # general one, a national line over an HS prefix.
    return (bool(m.preference_code), bool(m.origin_country), len(m.tariff_code), m.valid_from, m.pk)


def choose_measures(
    measures: list[TariffMeasure], item: dict[str, Any]
) -> dict[str, TariffMeasure]:
    chosen: dict[str, TariffMeasure] = {}
    for m in measures:
        if not item["tariff_line"].startswith(m.tariff_code):
            continue
        if m.preference_code and m.preference_code != item["preference_code"]:
            continue
        if m.origin_country and m.origin_country != item["origin_country"]:
            continue
        current = chosen.get(m.measure_type)
        if current is None or _specificity(m) > _specificity(current):
            chosen[m.measure_type] = m
    return chosen


def _quantity(item: dict[str, Any], unit: str) -> Decimal | None:
    if unit in MASS_UNITS:
        return Decimal(item["net_mass_kg"]) * MASS_UNITS[unit]
    quantity = item.get("supplementary_quantity")
    return None if quantity is None else Decimal(quantity)


def _hash(
    facts: dict[str, Any],
    version: int,
    day: dt.date,
    currency: str,
    rates: dict[str, str],
    lines: list[LineResult],
) -> str:
    basis = {
        "declaration": facts["id"],
        "version": version,
        "day": day.isoformat(),
        "currency": currency,
        "rates": rates,
        "lines": [
            [r.item_sequence, r.measure.pk, str(r.base_amount), str(r.base_quantity), str(r.amount)]
            for r in lines
        ],
    }
    return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()


def compute(*, facts: dict[str, Any], version: int, day: dt.date, national: str) -> Computation:
    """Assess every item; raise one ``BusinessError`` listing every problem found."""
    places = minor_units(national)
    errors: list[ErrorItem] = []
    lines: list[LineResult] = []
    rates: dict[str, Decimal | None] = {}

    def rate(currency: str) -> Decimal | None:
        if currency not in rates:
            rates[currency] = exchange_rate_on(currency, day, national)
        return rates[currency]

    flow = facts["declaration_type"]
    items = facts["items"] if flow in (DeclarationType.IMPORT, DeclarationType.EXPORT) else []
    # Measures and rates come from the day's snapshots (``in_force``): no query per
    # assessment once the day's tables are held.
    chosen_by_item = [
        choose_measures(measures_on(item["tariff_line"], day, flow), item) for item in items
    ]
    # The invoice currency's rate is needed only when some measure applies.
    invoice_rate = rate(facts["invoice_currency"]) if any(chosen_by_item) else Decimal(1)
    if invoice_rate is None:
        errors.append(
            NoExchangeRate.error(
                "invoice_currency", currency=facts["invoice_currency"], day=day.isoformat()
            )
        )
    for n, (item, chosen) in enumerate(zip(items, chosen_by_item, strict=True)):
        if not chosen and flow == DeclarationType.IMPORT:
            errors.append(
                NoTariffMeasure.error(
                    f"items.{n}.tariff_line", line=item["tariff_line"], day=day.isoformat()
                )
            )
        if invoice_rate is None or not chosen:
            continue
        value = quantize(Decimal(item["customs_value"]) * invoice_rate, places)
        cascade = Decimal(0)
        for measure_type in COMPUTATION_ORDER:
            m = chosen.get(measure_type)
            if m is None:
                continue
            base_amount, quantity, amount = None, None, Decimal(0)
            if m.ad_valorem_rate is not None:
                base_amount = value + cascade if m.base == TaxBase.VALUE_PLUS_DUTIES else value
                amount += base_amount * m.ad_valorem_rate / HUNDRED
            if m.specific_rate is not None:
                quantity = _quantity(item, m.specific_unit)
                specific_fx = rate(m.specific_currency)
                if quantity is None:
                    errors.append(
                        QuantityMissing.error(
                            f"items.{n}.supplementary_quantity", unit=m.specific_unit
                        )
                    )
                    continue
                if specific_fx is None:
                    errors.append(
                        NoExchangeRate.error(
                            f"items.{n}.tariff_line",
                            currency=m.specific_currency,
                            day=day.isoformat(),
                        )
                    )
                    continue
                amount += quantity * m.specific_rate * specific_fx
            amount = quantize(amount, places)
            if measure_type in CASCADE_TYPES:
                cascade += amount
            lines.append(
                LineResult(
                    item_sequence=item["sequence"],
                    tariff_line=item["tariff_line"],
                    measure=m,
                    origin_country=item["origin_country"],
                    preference_code=m.preference_code,
                    base_amount=base_amount,
                    base_quantity=quantity,
                    quantity_unit=m.specific_unit if quantity is not None else "",
                    amount=amount,
                )
            )
    if errors:
        raise BusinessError(errors)
    used = {c: str(r) for c, r in sorted(rates.items()) if c != national and r is not None}
    return Computation(
        day=day,
        currency=national,
        lines=tuple(lines),
        total=sum((r.amount for r in lines), Decimal(0)),
        rates=used,
        basis_hash=_hash(facts, version, day, national, used, lines),
    )
