"""The public reference API at /api/public/v1/: read-only, paginated, bilingual."""

from __future__ import annotations

from typing import Any

import pycountry
import pytest
from django.test import Client

from ventanilla.reference.loaders.report import LoadReport

pytestmark = pytest.mark.django_db

BASE = "/api/public/v1/"
PAGE_KEYS = {"count", "next", "previous", "results"}


def get(client: Client, path: str, language: str = "en", **params: Any) -> Any:
    response = client.get(BASE + path, params, headers={"accept-language": language})
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize(
    ("path", "count", "first"),
    [
        ("hs/", 10, {"code": "03", "level": 2}),
        ("countries/", len(pycountry.countries), {"code": "AD"}),
        ("currencies/", len(pycountry.currencies), {"code": "AED"}),
        ("locations/", 43, {"unlocode": "CLANF"}),
        ("customs-offices/", 12, {"code": "CLARI0003"}),
        ("units/", 16, {"code": "C62"}),
        ("package-types/", 19, {"code": "BA"}),
        ("document-types/", 14, {"code": "ADVRUL"}),
    ],
)
def test_lists_are_public_and_paginated(
    client: Client, demo: LoadReport, path: str, count: int, first: dict[str, Any]
) -> None:
    body = get(client, path)
    assert set(body) == PAGE_KEYS
    assert body["count"] == count
    assert body["previous"] is None
    assert len(body["results"]) == min(count, 50)
    assert (body["next"] is not None) == (count > 50)
    assert {k: body["results"][0][k] for k in first} == first

    assert client.post(BASE + path, {}).status_code == 405
    assert client.delete(BASE + path).status_code == 405


def test_page_size_and_second_page(client: Client, demo: LoadReport) -> None:
    body = get(client, "countries/", page_size=100, page=2)
    assert len(body["results"]) == 100
    assert body["results"][0]["code"] == sorted(c.alpha_2 for c in pycountry.countries)[100]


def test_hs_list_search_and_children(client: Client, demo: LoadReport) -> None:
    assert [r["code"] for r in get(client, "hs/", q="palta")["results"]] == ["080440", "0804"]
    assert [r["code"] for r in get(client, "hs/", q="0804.40")["results"]] == ["080440"]
    children = get(client, "hs/", parent="0804")["results"]
    assert [(r["code"], r["display_code"]) for r in children] == [
        ("080430", "0804.30"),
        ("080440", "0804.40"),
        ("080450", "0804.50"),
    ]
    assert [r["code"] for r in get(client, "hs/", parent="08")["results"]] == [
        "0803",
        "0804",
        "0805",
        "0806",
        "0807",
        "0810",
    ]


def test_hs_detail_in_english_and_spanish(client: Client, demo: LoadReport) -> None:
    english = get(client, "hs/0804.40/")
    assert english["code"] == "080440"
    assert english["display_code"] == "0804.40"
    assert english["level"] == 6
    assert english["description"] == "Fruit, edible; avocados, fresh or dried"
    assert english["description_en"] == "Fruit, edible; avocados, fresh or dried"
    assert english["description_es"] == "Aguacates (paltas), frescos o secos"
    assert english["parent"] == "0804"
    assert english["section"]["number"] == "II"
    assert english["section"]["name"] == "Vegetable products"
    assert [a["code"] for a in english["ancestors"]] == ["08", "0804"]
    assert english["children"] == []
    assert [(t["code"], t["supplementary_unit"]) for t in english["tariff_lines"]] == [
        ("0804400000", "KGM"),
    ]

    spanish = get(client, "hs/080440/", language="es")
    assert spanish["description"] == "Aguacates (paltas), frescos o secos"
    assert spanish["section"]["name"] == "Productos del reino vegetal"
    assert spanish["ancestors"][1]["description"].startswith("Dátiles, higos, piñas")
    assert spanish["tariff_lines"][0]["description"] == "Aguacates (paltas), frescos o secos"

    heading = get(client, "hs/0804/")
    assert [c["code"] for c in heading["children"]] == ["080430", "080440", "080450"]
    assert heading["tariff_lines"] == []


def test_hs_detail_unknown_code_is_404(client: Client, demo: LoadReport) -> None:
    response = client.get(BASE + "hs/999999/")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"
    assert client.post(BASE + "hs/080440/").status_code == 405


def test_language_switch_on_lists(client: Client, demo: LoadReport) -> None:
    peru_en = get(client, "countries/", q="peru")["results"]
    peru_es = get(client, "countries/", language="es", q="peru")["results"]
    assert [(c["code"], c["name"]) for c in peru_en] == [("PE", "Peru")]
    assert [(c["code"], c["name"]) for c in peru_es] == [("PE", "Perú")]
    units = {u["code"]: u["name"] for u in get(client, "units/", language="es")["results"]}
    assert units["KGM"] == "kilogramo"
    docs = {d["code"]: d for d in get(client, "document-types/", language="es")["results"]}
    assert docs["N851"]["name"] == "Certificado fitosanitario"
    assert docs["N851"]["agency_function"] == "plant_health"
    assert docs["N851"]["name_en"] == "Phytosanitary certificate"


def test_locations_filters(client: Client, demo: LoadReport) -> None:
    ports = get(client, "locations/", country="PE", function="seaport")["results"]
    assert [p["unlocode"] for p in ports] == [
        "PECHY",
        "PECLL",
        "PEILQ",
        "PEIQT",
        "PELIM",
        "PEMRI",
        "PEPAI",
        "PEPIO",
        "PESVY",
        "PETYL",
    ]
    assert all(p["is_seaport"] for p in ports)
    found = get(client, "locations/", q="valparaiso")["results"]
    assert [(p["unlocode"], p["coordinates"]) for p in found] == [("CLVAP", "3302S 07138W")]
    response = client.get(BASE + "locations/", {"function": "spaceport"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "function"


def test_schema_documents_the_public_endpoints(client: Client) -> None:
    response = client.get("/api/schema/", headers={"accept": "application/json"})
    assert response.status_code == 200
    text = response.content.decode()
    for path in (
        "hs/",
        "hs/{code}/",
        "countries/",
        "currencies/",
        "locations/",
        "customs-offices/",
        "units/",
        "package-types/",
        "document-types/",
    ):
        assert f"/api/public/v1/{path}" in text
