"""Money in national currency: Decimal only, rounded half up to the currency's minor
units (ISO 4217), never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import iso4217
from django.conf import settings

from ventanilla.reference.models import Currency

DEFAULT_MINOR_UNITS = 2


def national_currency() -> str:
    return str(getattr(settings, "VENTANILLA_NATIONAL_CURRENCY", "PEN"))


def minor_units(currency: str) -> int:
    """The reference table first (it is what the administration publishes), then the
    ISO 4217 list shipped with ``iso4217``, then two decimals."""
    row = Currency.objects.as_of().filter(code=currency).exclude(minor_units=None).first()
    if row is not None and row.minor_units is not None:
        return int(row.minor_units)
    try:
        exponent = iso4217.Currency(currency).exponent
    except ValueError:
        exponent = None
    return DEFAULT_MINOR_UNITS if exponent is None else int(exponent)


def quantize(amount: Decimal, places: int) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def money(amount: Decimal, currency: str) -> Decimal:
    return quantize(amount, minor_units(currency))


def money_str(amount: Decimal | None, currency: str, places: int | None = None) -> str | None:
    """Amount as a string with exactly the currency's minor units (API output)."""
    if amount is None:
        return None
    return str(quantize(amount, minor_units(currency) if places is None else places))
