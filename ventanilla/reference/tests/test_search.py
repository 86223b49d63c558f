"""Search on the demo set: codes with and without dots, English and Spanish words, with
and without accents."""

from __future__ import annotations

import pytest

from ventanilla.reference import selectors
from ventanilla.reference.loaders.report import LoadReport

pytestmark = pytest.mark.django_db


def codes(query: str) -> list[str]:
    return [c.code for c in selectors.hs_search(query=query)]


@pytest.mark.parametrize("query", ["0804.40", "080440", "0804 40", " 080440 "])
def test_search_by_subheading_code(demo: LoadReport, query: str) -> None:
    assert codes(query) == ["080440"]


def test_search_by_heading_and_chapter_code(demo: LoadReport) -> None:
    assert codes("08.04") == ["0804", "080430", "080440", "080450"]
    assert codes("0901") == ["0901", "090111", "090112", "090121", "090122", "090190"]
    assert codes("26") == ["26", "2603", "260300"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("avocados", ["080440", "0804"]),
        ("Avocado", ["080440", "0804"]),
        ("grapes fresh", ["080610", "0806"]),
        ("aguacate", ["080440", "0804"]),
        ("AGUACATES", ["080440", "0804"]),
        ("palta", ["080440", "0804"]),
        ("piña", ["080430", "0804"]),
        ("pina", ["080430", "0804"]),
        ("espárragos", ["070920"]),
        ("esparragos", ["070920"]),
        ("arándanos", ["081040"]),
        ("alpaca", ["611019"]),
        ("cobre refinado", ["740200", "740311", "740312", "740811", "740819", "7402", "7403"]),
    ],
)
def test_search_by_words(demo: LoadReport, query: str, expected: list[str]) -> None:
    assert codes(query) == expected


@pytest.mark.parametrize("query", ["café", "cafe", "CAFÉ", "Café tostado"])
def test_search_coffee_with_and_without_accents(demo: LoadReport, query: str) -> None:
    found = codes(query)
    assert "090121" in found and "090122" in found
    assert all(c.startswith("09") for c in found)


def test_word_search_matches_word_starts_only(demo: LoadReport) -> None:
    # A query word must start a word: "guacate" is inside "aguacates", not at its start.
    assert codes("guacate") == []
    assert codes("x") == []
    assert codes("") == []


def test_country_and_location_search(demo: LoadReport) -> None:
    assert [c.code for c in selectors.country_search(query="perú")] == ["PE"]
    assert [c.code for c in selectors.country_search(query="peru")] == ["PE"]
    assert "MX" in [c.code for c in selectors.country_search(query="méxico")]
    assert [x.unlocode for x in selectors.location_search(query="callao")] == ["PECLL"]
    assert [x.unlocode for x in selectors.location_search(query="pecll")] == ["PECLL"]
    assert [x.unlocode for x in selectors.location_search(query="lazaro")] == ["MXLZC"]
    borders = selectors.location_search(function="border_crossing")
    assert [x.unlocode for x in borders] == ["CLCCD", "CLCGA", "CLLIB"]
    airports_pe = selectors.location_search(country="pe", function="airport")
    assert [x.unlocode for x in airports_pe] == [
        "PEAQP",
        "PECUZ",
        "PEILQ",
        "PEIQT",
        "PELIM",
        "PEPIO",
        "PETBP",
        "PETCQ",
        "PETYL",
    ]
