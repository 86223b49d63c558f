"""The searchable text of reference rows, built one way for loaders, the admin and
queries alike: accent-folded, lower-case words (``fold``) with punctuation dropped, so
"(paltas)" is found by "palta" and a query word can be matched at the start of a word
("pina" finds "piñas" but not "spinach")."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.db import models

from ventanilla.core.text import fold

_WORD = re.compile(r"[a-z0-9]+")

# Per model: the fields whose words a search should find, both languages.
SEARCH_FIELDS: dict[str, tuple[str, ...]] = {
    "HSCode": ("code", "description_en", "description_es"),
    "TariffLine": ("code", "hs_code", "description_en", "description_es"),
    "Country": ("code", "alpha3", "name_en", "name_es"),
    "Currency": ("code", "name_en", "name_es"),
    "Location": ("unlocode", "name", "name_ascii"),
    "CustomsOffice": ("code", "unlocode", "name_en", "name_es"),
    "UnitOfMeasure": ("code", "symbol", "name_en", "name_es"),
    "PackageType": ("code", "name_en", "name_es"),
    "DocumentType": ("code", "name_en", "name_es"),
}


def words(text: str | None) -> list[str]:
    return _WORD.findall(fold(text))


def search_text(*parts: Any) -> str:
    return " ".join(words(" ".join(str(p) for p in parts if p)))


def row_search_text(model: type[models.Model], row: Mapping[str, Any]) -> str:
    return search_text(*(row.get(f) for f in SEARCH_FIELDS[model.__name__]))


def instance_search_text(obj: models.Model) -> str:
    return search_text(*(getattr(obj, f) for f in SEARCH_FIELDS[type(obj).__name__]))
