"""Which goods are perishable when the trader does not say so (TFA 7.9).

HS chapters and headings of goods that decay quickly: live animals and plants, meat,
fish, dairy, eggs, cut flowers, fresh vegetables and fruit. An administration may widen
the list in settings (``VENTANILLA_PERISHABLE_HS_PREFIXES``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

DEFAULT_PREFIXES: tuple[str, ...] = (
    "01",
    "02",
    "03",
    "0401",
    "0402",
    "0403",
    "0405",
    "0406",
    "0407",
    "06",
    "07",
    "08",
)


_prefixes: tuple[str, ...] | None = None


def perishable_prefixes() -> tuple[str, ...]:
    # Read once: every goods item of a bulk lodgement asks, and an absent setting costs
    # a failed look-up each time.
    global _prefixes
    if _prefixes is None:
        _prefixes = tuple(getattr(settings, "VENTANILLA_PERISHABLE_HS_PREFIXES", DEFAULT_PREFIXES))
    return _prefixes


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs: Any) -> None:
    global _prefixes
    if setting == "VENTANILLA_PERISHABLE_HS_PREFIXES":
        _prefixes = None


def is_perishable_hs(hs_code: str) -> bool:
    # Dried fruit and nuts (0801-0802, 0813-0814) and dried vegetables (0712-0714) keep.
    if hs_code[:4] in {"0712", "0713", "0714", "0801", "0802", "0813", "0814"}:
        return False
    return hs_code.startswith(perishable_prefixes())
