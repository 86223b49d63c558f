"""Reads of reference data. Public: anyone, signed in or not, may read reference data
(TFA 1.1: classification and procedures are published), so these take no user."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from ventanilla.core.text import digits
from ventanilla.reference.models import (
    Country,
    Currency,
    CustomsOffice,
    DocumentType,
    HSCode,
    HSEdition,
    HSSection,
    Location,
    PackageType,
    TariffLine,
    UnitOfMeasure,
)
from ventanilla.reference.search import words as search_words


def _matching_words(qs: QuerySet, words: list[str]) -> QuerySet:
    """Every word must start a word of ``search_text`` (words are single-space separated,
    see ventanilla.reference.search), so "pina" finds "piñas" but not "spinach"."""
    for word in words:
        qs = qs.filter(Q(search_text__startswith=word) | Q(search_text__contains=f" {word}"))
    return qs


def hs_edition_current(*, day: dt.date | None = None) -> HSEdition | None:
    day = day or timezone.localdate()
    return (
        HSEdition.objects.filter(valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        .order_by("-valid_from")
        .first()
    )


def hs_code_qs(*, edition: HSEdition | None = None, day: dt.date | None = None) -> QuerySet[HSCode]:
    edition = edition or hs_edition_current(day=day)
    if edition is None:
        return HSCode.objects.as_of(day).none()
    return HSCode.objects.as_of(day).filter(edition=edition)


def hs_search(
    *, query: str, edition: HSEdition | None = None, limit: int | None = 50
) -> QuerySet[HSCode]:
    """By code ("0804", "0804.40", "080440") or by words in English or Spanish, with or
    without accents ("palta", "aguacate", "cafe"). Every word must match."""
    qs = hs_code_qs(edition=edition)
    query = query.strip()
    if not query:
        return qs.none()
    code = digits(query)
    if code and len(code) >= 2 and len(code) >= len(query.replace(".", "").replace(" ", "")):
        return qs.filter(code__startswith=code[:6]).order_by("code")[:limit]
    words = [w for w in search_words(query) if len(w) >= 2]
    if not words:
        return qs.none()
    qs = _matching_words(qs, words)
    # Subheadings are what a declaration needs; show them first, in code order.
    return qs.order_by("-level", "code")[:limit]


def hs_children(*, parent_code: str, edition: HSEdition | None = None) -> QuerySet[HSCode]:
    return hs_code_qs(edition=edition).filter(parent_code=parent_code).order_by("code")


def hs_chapters(*, edition: HSEdition | None = None) -> QuerySet[HSCode]:
    return hs_code_qs(edition=edition).filter(level=2).order_by("code")


def hs_code_get(*, code: str, edition: HSEdition | None = None) -> HSCode | None:
    return hs_code_qs(edition=edition).filter(code=digits(code)).first()


def hs_ancestors(*, node: HSCode) -> list[HSCode]:
    """Chapter and heading above a node, top first (for breadcrumbs)."""
    codes = [node.code[:n] for n in (2, 4) if n < len(node.code)]
    found = {c.code: c for c in hs_code_qs(edition=node.edition).filter(code__in=codes)}
    return [found[c] for c in codes if c in found]


def hs_sections(*, edition: HSEdition | None = None) -> QuerySet[HSSection]:
    edition = edition or hs_edition_current()
    return HSSection.objects.filter(edition=edition).order_by("position")


def hs_section_get(*, edition: HSEdition, number: str) -> HSSection | None:
    return HSSection.objects.filter(edition=edition, number=number).first()


@dataclass
class HSCodeDetail:
    """One node with what a detail page or API answer shows around it."""

    node: HSCode
    section: HSSection | None
    ancestors: list[HSCode] = field(default_factory=list)
    children: list[HSCode] = field(default_factory=list)
    tariff_lines: list[TariffLine] = field(default_factory=list)


def hs_code_detail(*, code: str, edition: HSEdition | None = None) -> HSCodeDetail | None:
    node = hs_code_get(code=code, edition=edition)
    if node is None:
        return None
    return HSCodeDetail(
        node=node,
        section=hs_section_get(edition=node.edition, number=node.section),
        ancestors=hs_ancestors(node=node),
        children=list(hs_children(parent_code=node.code, edition=node.edition)),
        tariff_lines=list(tariff_lines_under(hs_code=node.code)) if node.level == 6 else [],
    )


def tariff_lines_under(*, hs_code: str, day: dt.date | None = None) -> QuerySet[TariffLine]:
    return TariffLine.objects.as_of(day).filter(hs_code=hs_code).order_by("code")


def country_qs(*, day: dt.date | None = None) -> QuerySet[Country]:
    return Country.objects.as_of(day).order_by("code")


def country_search(*, query: str, limit: int | None = 50) -> QuerySet[Country]:
    qs = _matching_words(country_qs(), search_words(query))
    return qs[:limit]


def currency_qs(*, day: dt.date | None = None) -> QuerySet[Currency]:
    return Currency.objects.as_of(day).order_by("code")


def location_qs(*, day: dt.date | None = None) -> QuerySet[Location]:
    return Location.objects.as_of(day).order_by("unlocode")


def location_search(
    *, query: str = "", country: str = "", function: str = "", limit: int | None = 50
) -> QuerySet[Location]:
    """``function``: seaport, airport, rail, road, multimodal or border_crossing."""
    qs = location_qs()
    if country:
        qs = qs.filter(country=country.upper()[:2])
    flags = {
        "seaport": "is_seaport",
        "airport": "is_airport",
        "rail": "is_rail",
        "road": "is_road",
        "multimodal": "is_multimodal",
        "border_crossing": "is_border_crossing",
    }
    if function in flags:
        qs = qs.filter(**{flags[function]: True})
    query = query.strip()
    if len(query) == 5 and query.isalnum():
        exact = qs.filter(unlocode=query.upper())
        if exact.exists():
            return exact
    qs = _matching_words(qs, search_words(query))
    return qs[:limit]


def customs_office_qs(*, day: dt.date | None = None) -> QuerySet[CustomsOffice]:
    return CustomsOffice.objects.as_of(day).order_by("code")


def unit_qs(*, day: dt.date | None = None) -> QuerySet[UnitOfMeasure]:
    return UnitOfMeasure.objects.as_of(day).order_by("code")


def package_type_qs(*, day: dt.date | None = None) -> QuerySet[PackageType]:
    return PackageType.objects.as_of(day).order_by("code")


def document_type_qs(*, day: dt.date | None = None) -> QuerySet[DocumentType]:
    return DocumentType.objects.as_of(day).order_by("code")
