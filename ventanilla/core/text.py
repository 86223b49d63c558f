"""Text helpers for search: accent- and case-insensitive matching in both languages."""

from __future__ import annotations

import re

from unidecode import unidecode

_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """Lower-case ASCII folding: "Café, piña" -> "cafe, pina". Stored beside the text so a
    plain LIKE query on either database is accent-insensitive."""
    if not text:
        return ""
    return _SPACES.sub(" ", unidecode(text).lower()).strip()


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)
