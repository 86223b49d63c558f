"""Authorization matrix: every API endpoint × every role, with the expected answer, and
proof that a denied call changed nothing.

Every URL under /api/ must appear here: a new endpoint without a row fails the
completeness test, so nobody ships an endpoint whose access was never decided.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from ventanilla.accounts import services
from ventanilla.accounts.models import Organisation, User
from ventanilla.accounts.tests.factories import AgencyFactory, OrganisationFactory, member
from ventanilla.core.text import fold

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "trader_a",
    "trader_b",
    "broker",
    "carrier",
    "customs",
    "plant",
    "food",
    "customs_supervisor",
    "committee",
    "admin",
]


@dataclass
class World:
    users: dict[str, User | None]
    trader_a: Organisation
    token_id: int


def _reference_rows() -> None:
    """Just enough reference data for every public detail route to resolve."""
    m = {
        name: apps.get_model("reference", name)
        for name in ("HSEdition", "HSCode", "Country", "Location")
    }
    edition = m["HSEdition"].objects.create(
        code="2022", name="HS 2022", valid_from=dt.date(2022, 1, 1)
    )
    for code, level, parent, text in (
        ("08", 2, "", "Edible fruit"),
        ("0804", 4, "08", "Dates, figs, avocados"),
        ("080440", 6, "0804", "Avocados"),
    ):
        m["HSCode"].objects.create(
            edition=edition,
            code=code,
            level=level,
            parent_code=parent,
            description_en=text,
            search_text=fold(f"{code} {text}"),
        )
    m["Country"].objects.create(
        code="PE", alpha3="PER", numeric="604", name_en="Peru", search_text="pe peru"
    )
    m["Location"].objects.create(
        unlocode="PECLL",
        country="PE",
        name="Callao",
        name_ascii="Callao",
        function="1-------",
        is_seaport=True,
        search_text="pecll callao",
    )


@pytest.fixture
def world() -> World:
    trader_a = OrganisationFactory(kind="trader")
    customs = AgencyFactory(agency_function="customs")
    users: dict[str, User | None] = {
        "anonymous": None,
        "trader_a": member("trader_admin", trader_a),
        "trader_b": member("trader_admin"),
        "broker": member("broker_admin"),
        "carrier": member("carrier_operator"),
        "customs": member("agency_officer", customs),
        "plant": member("agency_officer", AgencyFactory(agency_function="plant_health")),
        "food": member("agency_officer", AgencyFactory(agency_function="food_safety")),
        "customs_supervisor": member("agency_supervisor", customs),
        "committee": member("committee_member"),
        "admin": User.objects.create_superuser("root@example.test", "x"),
    }
    token = services.api_token_create(
        organisation=trader_a, user=users["trader_a"], name="ERP", by=users["trader_a"]
    ).token
    _reference_rows()
    return World(users=users, trader_a=trader_a, token_id=token.pk)


OWNER_ONLY = {"trader_a": 200, "admin": 200}  # everyone else: 404 (they cannot see it)


def _expect(default: int, anonymous: int = 401, **overrides: int) -> dict[str, int]:
    table = dict.fromkeys(ROLES, default)
    table["anonymous"] = anonymous
    table.update(overrides)
    return table


AUDITORS = {"customs_supervisor": 200, "committee": 200, "admin": 200}
OVERSIGHT = {"committee": 200, "admin": 200}


def _matrix(w: World) -> list[tuple[str, str, str, dict[str, Any], dict[str, int]]]:
    org = w.trader_a.pk
    trader_a_email = w.users["trader_a"].email  # type: ignore[union-attr]
    rows = [
        ("api-me", "get", reverse("api-me"), {}, _expect(200)),
        ("api-organisations", "get", reverse("api-organisations"), {}, _expect(200)),
        (
            "api-organisation",
            "get",
            reverse("api-organisation", args=[org]),
            {},
            _expect(404, **OWNER_ONLY),
        ),
        ("api-members", "get", reverse("api-members", args=[org]), {}, _expect(404, **OWNER_ONLY)),
        ("api-tokens", "get", reverse("api-tokens", args=[org]), {}, _expect(404, **OWNER_ONLY)),
        (
            "api-tokens",
            "post",
            reverse("api-tokens", args=[org]),
            {"name": "matrix", "user": trader_a_email},
            _expect(404, trader_a=201, admin=201),
        ),
        (
            "api-token-revoke",
            "post",
            reverse("api-token-revoke", args=[w.token_id]),
            {},
            _expect(404, **OWNER_ONLY),
        ),
        ("api-audit-events", "get", reverse("api-audit-events"), {}, _expect(403, **AUDITORS)),
        ("api-audit-verify", "get", reverse("api-audit-verify"), {}, _expect(403, **OVERSIGHT)),
    ]
    for name, path in _public_routes():
        rows.append((name, "get", path, {}, _expect(200, anonymous=200)))
        rows.append((name, "post", path, {}, _expect(405, anonymous=405)))
    return rows


PUBLIC_ARGS = {"code": "080440", "unlocode": "PECLL", "country": "PE", "pk": 1}


def _walk(resolver: URLResolver, prefix: str = "") -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            found += _walk(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and p.name:
            found.append((p.name, prefix + str(p.pattern)))
    return found


def _public_routes() -> list[tuple[str, str]]:
    routes = []
    for name, pattern in _walk(get_resolver()):
        if not pattern.startswith("api/public/"):
            continue
        kwargs = {
            k: v for k, v in PUBLIC_ARGS.items() if f"<{k}>" in pattern or f":{k}>" in pattern
        }
        routes.append((name, reverse(name, kwargs=kwargs)))
    return routes


def _snapshot() -> dict[str, int]:
    """Row counts of every table: a denied call must leave them all as they were."""
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.managed and not m._meta.proxy
    }


def _client(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.mark.parametrize("role", ROLES)
def test_every_endpoint_for_role(world: World, role: str) -> None:
    problems = []
    for name, method, path, data, expected in _matrix(world):
        before = _snapshot()
        response = getattr(_client(world.users[role]), method)(path, data, format="json")
        if response.status_code != expected[role]:
            problems.append(
                f"{method.upper()} {path} ({name}): expected {expected[role]}, "
                f"got {response.status_code}"
            )
        if expected[role] >= 400:
            assert "errors" in response.json(), f"{name}: error without the error shape"
            if _snapshot() != before:
                problems.append(f"{method.upper()} {path}: denied call changed the database")
        if method == "post" and response.status_code == 201 and name == "api-tokens":
            services.api_token_revoke(
                token=world.trader_a.tokens.get(pk=response.json()["id"]),
                by=world.users["trader_a"],  # type: ignore[arg-type]
            )
    assert problems == []


def test_matrix_covers_every_api_endpoint(world: World) -> None:
    api_names = {
        name
        for name, pattern in _walk(get_resolver())
        if pattern.startswith("api/") and name not in ("api-schema", "api-docs")
    }
    covered = {row[0] for row in _matrix(world)}
    assert api_names - covered == set()


def test_scoping_trader_sees_only_own_organisation(world: World) -> None:
    data = _client(world.users["trader_a"]).get(reverse("api-organisations")).json()
    assert [row["id"] for row in data["results"]] == [world.trader_a.pk]
    data = _client(world.users["trader_b"]).get(reverse("api-organisations")).json()
    assert world.trader_a.pk not in [row["id"] for row in data["results"]]
