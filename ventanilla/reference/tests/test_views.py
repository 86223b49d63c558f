"""The public reference pages: HS browser, countries and locations."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.urls import reverse

from ventanilla.core.text import fold
from ventanilla.reference.models import (
    Country,
    HSCode,
    HSEdition,
    HSSection,
    Location,
    TariffLine,
)

pytestmark = pytest.mark.django_db


def _search_text(*parts: str) -> str:
    """Accent-folded lower-case words, as the reference loaders store them."""
    return " ".join(re.findall(r"[a-z0-9]+", fold(" ".join(parts))))


HS_ROWS = [
    # code, level, parent, section, English, Spanish
    ("08", 2, "", "II", "Edible fruit and nuts", "Frutas y frutos comestibles"),
    (
        "0804",
        4,
        "08",
        "II",
        "Dates, figs, pineapples, avocados, guavas, mangoes",
        "Dátiles, higos, piñas, aguacates, guayabas, mangos",
    ),
    ("080440", 6, "0804", "II", "Avocados", "Aguacates (paltas)"),
    (
        "080450",
        6,
        "0804",
        "II",
        "Guavas, mangoes and mangosteens",
        "Guayabas, mangos y mangostanes",
    ),
    ("09", 2, "", "II", "Coffee, tea, maté and spices", "Café, té, yerba mate y especias"),
    ("0901", 4, "09", "II", "Coffee", "Café"),
]


@pytest.fixture
def hs_data() -> HSEdition:
    edition = HSEdition.objects.create(
        code="HS2022", name_en="HS 2022", name_es="SA 2022", valid_from=dt.date(2022, 1, 1)
    )
    HSSection.objects.create(
        edition=edition,
        number="II",
        position=2,
        name_en="Vegetable products",
        name_es="Productos del reino vegetal",
    )
    for code, level, parent, section, en, es in HS_ROWS:
        HSCode.objects.create(
            edition=edition,
            code=code,
            level=level,
            parent_code=parent,
            section=section,
            description_en=en,
            description_es=es,
            search_text=_search_text(code, en, es),
            valid_from=dt.date(2022, 1, 1),
        )
    TariffLine.objects.create(
        edition=edition,
        code="0804400000",
        hs_code="080440",
        description_en="Avocados, fresh or dried",
        description_es="Aguacates (paltas), frescos o secos",
        supplementary_unit="KGM",
    )
    return edition


@pytest.fixture
def places() -> None:
    for code, alpha3, numeric, en, es in [
        ("PE", "PER", "604", "Peru", "Perú"),
        ("CL", "CHL", "152", "Chile", "Chile"),
        ("DE", "DEU", "276", "Germany", "Alemania"),
    ]:
        Country.objects.create(
            code=code,
            alpha3=alpha3,
            numeric=numeric,
            name_en=en,
            name_es=es,
            search_text=_search_text(code, alpha3, numeric, en, es),
        )
    for unlocode, name, flags in [
        ("PECLL", "Callao", {"is_seaport": True, "is_road": True}),
        ("PELIM", "Lima", {"is_airport": True}),
        ("CLVAP", "Valparaíso", {"is_seaport": True}),
    ]:
        Location.objects.create(
            unlocode=unlocode,
            country=unlocode[:2],
            name=name,
            name_ascii=fold(name),
            function="1",
            search_text=_search_text(unlocode, name),
            **flags,
        )


def _codes(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.code for c in response.context["results"]]


# --- HS browser ---------------------------------------------------------------------


def test_hs_page_without_query_shows_the_tree(client, hs_data) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("reference:hs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Section II: Vegetable products" in html
    assert "Edible fruit and nuts" in html
    assert 'href="/reference/hs/08/"' in html
    assert "<title>HS browser — Ventanilla</title>" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("avocado", ["080440", "0804"]),
        ("aguacate", ["080440", "0804"]),
        ("paltas", ["080440"]),
        ("Avocados", ["080440", "0804"]),
        ("cafe", ["0901", "09"]),
        ("café", ["0901", "09"]),
        ("0804", ["0804", "080440", "080450"]),
        ("0804.40", ["080440"]),
        ("080440", ["080440"]),
    ],
)
def test_hs_search(client, hs_data, query, expected) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("reference:hs"), {"q": query})
    assert response.status_code == 200
    assert _codes(response) == expected
    # The page keeps what the user typed.
    assert f'value="{query}"' in response.content.decode()


def test_hs_search_nothing_found(client, hs_data) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("reference:hs"), {"q": "submarine"})
    assert response.status_code == 200
    assert _codes(response) == []
    assert "Nothing matches" in response.content.decode()


def test_hs_htmx_returns_only_the_results_fragment(client, hs_data) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("reference:hs"), {"q": "avocado"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "0804.40" in html
    assert "<html" not in html
    assert "usa-header" not in html
    assert 'id="hs-results"' not in html  # the fragment goes inside the region
    assert "HX-Request" in response["Vary"]


def test_hs_htmx_history_restore_gets_the_whole_page(client, hs_data) -> None:  # type: ignore[no-untyped-def]
    response = client.get(
        reverse("reference:hs"),
        {"q": "avocado"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in response.content.decode()


def test_hs_page_has_search_as_you_type(client, hs_data) -> None:  # type: ignore[no-untyped-def]
    html = client.get(reverse("reference:hs")).content.decode()
    assert 'hx-trigger="keyup changed delay:250ms, search"' in html
    assert 'id="hs-results" aria-live="polite"' in html
    assert 'method="get" action="/reference/hs/"' in html


def test_hs_node_subheading(client, hs_data) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("reference:hs_node", args=["080440"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Avocados" in html
    # Breadcrumb of ancestors, linking up.
    assert 'href="/reference/hs/08/"' in html
    assert 'href="/reference/hs/0804/"' in html
    # National tariff lines.
    assert "0804400000" in html
    assert "KGM" in html
    # The other language, marked as such.
    assert '<dd lang="es">Aguacates (paltas)</dd>' in html


def test_hs_node_heading_lists_children(client, hs_data) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("reference:hs_node", args=["0804"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/reference/hs/080440/"' in html
    assert 'href="/reference/hs/080450/"' in html


def test_hs_node_dotted_code_redirects(client, hs_data) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/reference/hs/0804.40/")
    assert response.status_code == 301
    assert response["Location"] == "/reference/hs/080440/"


def test_hs_node_unknown_is_404(client, hs_data) -> None:  # type: ignore[no-untyped-def]
    assert client.get(reverse("reference:hs_node", args=["999999"])).status_code == 404


def test_hs_in_spanish(client, hs_data) -> None:  # type: ignore[no-untyped-def]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    response = client.get(reverse("reference:hs_node", args=["080440"]))
    html = response.content.decode()
    assert '<html lang="es">' in html
    assert "Aguacates (paltas)" in html
    assert '<dd lang="en">Avocados</dd>' in html


def test_hs_search_in_spanish_by_accept_language(client, hs_data) -> None:  # type: ignore[no-untyped-def]
    response = client.get(
        reverse("reference:hs"), {"q": "avocado"}, headers={"Accept-Language": "es"}
    )
    html = response.content.decode()
    assert '<html lang="es">' in html
    assert "Aguacates (paltas)" in html


# --- Countries and locations --------------------------------------------------------


def test_countries_page(client, places) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("reference:countries"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Peru" in html and "PER" in html and "604" in html
    assert "<caption>" in html


def test_countries_search_keeps_the_query(client, places) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("reference:countries"), {"q": "peru"})
    assert [c.code for c in response.context["page_obj"].object_list] == ["PE"]
    assert 'value="peru"' in response.content.decode()


def test_countries_in_spanish(client, places) -> None:  # type: ignore[no-untyped-def]
    response = client.get(
        reverse("reference:countries"), {"q": "alemania"}, headers={"Accept-Language": "es"}
    )
    assert [c.code for c in response.context["page_obj"].object_list] == ["DE"]
    assert "Alemania" in response.content.decode()


def test_countries_paginate_by_50(client) -> None:  # type: ignore[no-untyped-def]
    for n in range(120):
        Country.objects.create(
            code=f"{n:02d}" if n < 100 else f"X{chr(65 + n - 100)}",
            alpha3=f"{n:03d}",
            numeric=f"{n:03d}",
            name_en=f"Country {n:03d}",
            name_es=f"País {n:03d}",
            search_text=f"country {n:03d}",
        )
    first = client.get(reverse("reference:countries"))
    assert len(first.context["page_obj"].object_list) == 50
    html = first.content.decode()
    assert 'class="usa-pagination"' in html
    assert 'href="?page=2"' in html
    third = client.get(reverse("reference:countries"), {"page": 3})
    assert len(third.context["page_obj"].object_list) == 20
    searched = client.get(reverse("reference:countries"), {"q": "country", "page": 2})
    assert 'href="?q=country&amp;page=3"' in searched.content.decode()


def test_countries_htmx_fragment(client, places) -> None:  # type: ignore[no-untyped-def]
    response = client.get(
        reverse("reference:countries"), {"q": "chile"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "Chile" in html and "<html" not in html


def test_locations_page_shows_functions_as_words(client, places) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("reference:locations"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "PECLL" in html
    assert "Seaport, Road terminal" in html
    assert "Peru" in html  # the country's name, not just its code


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "callao"}, ["PECLL"]),
        ({"q": "valparaiso"}, ["CLVAP"]),
        ({"q": "PELIM"}, ["PELIM"]),
        ({"country": "PE"}, ["PECLL", "PELIM"]),
        ({"function": "seaport"}, ["CLVAP", "PECLL"]),
        ({"country": "PE", "function": "airport"}, ["PELIM"]),
        ({"function": "no-such-function"}, ["CLVAP", "PECLL", "PELIM"]),
    ],
)
def test_locations_filters(client, places, params, expected) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("reference:locations"), params)
    assert [r["location"].unlocode for r in response.context["rows"]] == expected


def test_locations_keep_the_filters(client, places) -> None:  # type: ignore[no-untyped-def]
    html = client.get(
        reverse("reference:locations"), {"q": "cal", "country": "PE", "function": "seaport"}
    ).content.decode()
    assert 'value="cal"' in html
    assert '<option value="PE" selected>' in html
    assert '<option value="seaport" selected>' in html


def test_reference_pages_need_no_sign_in(client, hs_data, places) -> None:  # type: ignore[no-untyped-def]
    for name in ("reference:hs", "reference:countries", "reference:locations"):
        assert client.get(reverse(name)).status_code == 200
