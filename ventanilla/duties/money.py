"""Money in national currency: Decimal only, rounded half up to the currency's minor
units (ISO 4217), never float."""

from __future__ import annotations

from collections.abc import Hashable
from decimal import ROUND_HALF_UP, Decimal

import iso4217
from django.conf import settings
from django.utils import timezone

from ventanilla.core.snapshots import Snapshot
from ventanilla.reference.models import Currency

DEFAULT_MINOR_UNITS = 2


def _load_minor_units(day: Hashable) -> dict[str, int]:
    units: dict[str, int] = {}
    rows = (
        Currency.objects.as_of(day)  # type: ignore[arg-type]
        .exclude(minor_units=None)
        .order_by("code", "-valid_from")
        .values_list("code", "minor_units")
    )
    for code, places in rows:
        units.setdefault(code, int(places))
    return units


# The currency list is read for every amount shown or assessed; it is a few hundred rows
# of reference data, held per day (it is effective-dated) and dropped when a row is saved.
_MINOR_UNITS: Snapshot[dict[str, int]] = Snapshot(
    "duties.minor_units", _load_minor_units, watch=("reference.Currency",)
)


def national_currency() -> str:
    return str(getattr(settings, "VENTANILLA_NATIONAL_CURRENCY", "PEN"))


def minor_units(currency: str) -> int:
    """The reference table first (it is what the administration publishes), then the
    ISO 4217 list shipped with ``iso4217``, then two decimals."""
    places = _MINOR_UNITS.get(timezone.localdate()).get(currency)
    if places is not None:
        return places
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
