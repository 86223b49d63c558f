"""Movement Reference Numbers (WCO D014): year, country, a running number and a check
character, 18 characters like the EU/UK MRN, assigned at acceptance."""

from __future__ import annotations

import datetime as dt
import string

from django.conf import settings

_ALPHABET = string.digits + string.ascii_uppercase


def check_character(body: str) -> str:
    """ISO 7064 MOD 37-36 style check: catches any single wrong or swapped character."""
    total = 36
    for char in body:
        total = (total + _ALPHABET.index(char)) % 36 or 36
        total = (total * 2) % 37
    return _ALPHABET[(37 - total) % 36]


def make_mrn(sequence: int, at: dt.datetime) -> str:
    country = getattr(settings, "VENTANILLA_COUNTRY", "PE")
    body = f"{at:%y}{country}{sequence:013d}"
    return body + check_character(body)
