"""Authorization matrix: every API endpoint × every method × every role, with the expected
answer, and proof that a refused call changed nothing (ADR 0003).

This module holds the accounts, audit and public rows and the completeness tests: every
(URL name, method) the API serves must have a row in one of the ``test_authorization_*``
modules, so nobody ships an endpoint whose access was never decided. The machinery is in
``authz.py``; the other areas are in ``test_authorization_<area>.py``.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from ventanilla.accounts import services as accounts
from ventanilla.demo.tests.authz import (
    ROLES,
    Demo,
    Row,
    api_endpoints,
    changed_tables,
    check,
    client_for,
    demo_world_fixture,
    everyone,
    expect,
    leaks,
    params,
    snapshot,
    url,
    walk,
)

demo_world = demo_world_fixture()


def _trader_a(d: Demo) -> int:
    return d.org("trader_a").pk


def _customs(d: Demo) -> int:
    return d.org("customs").pk


def _token(d: Demo) -> int:
    def make() -> int:
        user = d.user("trader_a")
        org = d.org("trader_a")
        return accounts.api_token_create(organisation=org, user=user, name="ERP", by=user).token.pk

    return int(d.once("token", make))


def _fresh_broker(d: Demo) -> str:
    """A broker no demo trader has given a mandate yet (the demo broker holds both)."""

    def make() -> str:
        org = accounts.organisation_create(
            kind="broker", name="Matrix Brokers S.A.C.", code="20199999999", by=None
        )
        return org.code

    return str(d.once("fresh_broker", make))


def _mandate_a(d: Demo) -> int:
    """Trader A's mandate to the demo broker (made by the demo loader)."""
    return d.org("trader_a").mandates_given.get(broker=d.org("broker")).pk


OWNER_A = {"trader_a": 200, "admin": 200}  # everyone else: 404 (they cannot see it)
CUSTOMS_MEMBERS = {"customs": 200, "customs_supervisor": 200, "admin": 200}
AUDITORS = {"customs_supervisor": 200, "committee": 200, "admin": 200}
OVERSIGHT = {"committee": 200, "admin": 200}

ROWS = [
    Row("api-me", "get", "me", url("api-me"), expect(200)),
    Row("api-organisations", "get", "mine", url("api-organisations"), expect(200)),
    Row(
        "api-organisation",
        "get",
        "trader A",
        url("api-organisation", _trader_a),
        expect(404, **OWNER_A),
    ),
    Row(
        "api-organisation",
        "get",
        "customs",
        url("api-organisation", _customs),
        expect(404, **CUSTOMS_MEMBERS),
    ),
    Row("api-members", "get", "trader A", url("api-members", _trader_a), expect(404, **OWNER_A)),
    Row(
        "api-members",
        "get",
        "customs",
        url("api-members", _customs),
        expect(404, **CUSTOMS_MEMBERS),
        why="Any member sees the organisation's members; outsiders get 404.",
    ),
    Row("api-tokens", "get", "trader A", url("api-tokens", _trader_a), expect(404, **OWNER_A)),
    Row(
        "api-tokens",
        "get",
        "customs",
        url("api-tokens", _customs),
        expect(404, customs=403, customs_supervisor=200, admin=200),
        why="An officer sees the agency but may not manage it (403); supervisors may.",
    ),
    Row(
        "api-tokens",
        "post",
        "trader A",
        url("api-tokens", _trader_a),
        expect(404, trader_a=201, admin=201),
        body=lambda d: {"name": "matrix", "user": d.user("trader_a").email},
    ),
    Row(
        "api-token-revoke",
        "post",
        "trader A's token",
        url("api-token-revoke", _token),
        expect(404, **OWNER_A),
    ),
    Row(
        "api-mandates",
        "get",
        "mine",
        url("api-mandates"),
        expect(200),
        why="Scoped by mandate_qs_for: each sees the mandates its trader gave or broker holds.",
    ),
    Row(
        "api-mandates",
        "post",
        "grant to a new broker",
        url("api-mandates"),
        expect(403, trader_a=201, trader_b=201),
        body=lambda d: {"broker": _fresh_broker(d), "kind": "direct", "valid_from": "2026-01-01"},
        why="Only a trader's administrator grants, in the trader's name (not the platform admin).",
    ),
    Row(
        "api-mandate-revoke",
        "post",
        "trader A's mandate to the broker",
        url("api-mandate-revoke", _mandate_a),
        expect(404, trader_a=200, broker=403),
        body=lambda d: {"reason": "matrix"},
        why="The broker sees the mandate it holds but only the trader may revoke it.",
    ),
    Row("api-audit-events", "get", "all", url("api-audit-events"), expect(403, **AUDITORS)),
    Row("api-audit-verify", "get", "chain", url("api-audit-verify"), expect(403, **OVERSIGHT)),
]

PUBLIC_ARGS = {"code": "080440", "unlocode": "PECLL", "country": "PE"}


def _public_rows() -> list[Row]:
    rows = []
    for name, route, _callback in walk():
        if not route.startswith("api/public/"):
            continue
        kwargs = {k: v for k, v in PUBLIC_ARGS.items() if f":{k}>" in route or f"<{k}>" in route}
        path = reverse(name, kwargs=kwargs)
        rows.append(Row(name, "get", path, url(name, *kwargs.values()), everyone(200)))
        rows.append(Row(name, "post", path, url(name, *kwargs.values()), everyone(405)))
    return rows


ROWS += _public_rows()


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_world")
@pytest.mark.parametrize(("row", "role"), params(ROWS))
def test_accounts_audit_and_public_endpoints(row: Row, role: str) -> None:
    assert check(row, role) == []


# --- completeness -----------------------------------------------------------------------


def _all_rows() -> list[Row]:
    rows: list[Row] = []
    for path in sorted(Path(__file__).parent.glob("test_authorization_*.py")):
        module = import_module(f"ventanilla.demo.tests.{path.stem}")
        rows += module.ROWS
    return rows


def test_matrix_covers_every_api_endpoint() -> None:
    """Every (URL name, method) the API serves has a row; a stray row expects 405."""
    served = api_endpoints()
    rows = _all_rows()
    covered = {(row.name, row.method) for row in rows}
    missing = sorted(
        f"{method.upper()} {served[(name, method)]} ({name})"
        for name, method in set(served) - covered
    )
    assert missing == [], "endpoints without a row in the authorization matrix"
    # A row for a method the endpoint does not serve must expect 405 from everyone.
    stray = [
        row.id
        for row in rows
        if (row.name, row.method) not in served and set(row.expected.values()) != {405}
    ]
    assert stray == []
    assert all(set(row.expected) == set(ROLES) for row in rows)


def _unserved() -> list[Any]:
    cases = []
    served = api_endpoints()
    routes: dict[str, str] = {}
    for (name, _method), route in served.items():
        routes[name] = route
    for name in sorted(routes):
        methods = {m for (n, m) in served if n == name}
        for method in ("get", "post", "put", "patch", "delete"):
            if method not in methods:
                cases.append(pytest.param(name, method, id=f"{name}:{method}"))
    return cases


ARGS = {"pk": 999999, "declaration_id": 999999, "code": "080440", "provider_code": "sandbox"}


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_world")
@pytest.mark.parametrize(("name", "method"), _unserved())
def test_a_method_an_endpoint_does_not_serve_is_refused_with_405(name: str, method: str) -> None:
    route = api_endpoints()[next(k for k in api_endpoints() if k[0] == name)]
    kwargs = {k: v for k, v in ARGS.items() if f":{k}>" in route or f"<{k}>" in route}
    before = snapshot()
    response = getattr(client_for(Demo().users["admin"]), method)(
        reverse(name, kwargs=kwargs), {}, format="json"
    )
    assert response.status_code == 405, response.content[:300]
    assert response.json()["errors"][0]["code"] == "method_not_allowed"
    assert snapshot() == before


# --- what lists show ----------------------------------------------------------------------

LISTS = [
    "api-declarations",
    "api-releases",
    "api-agencies-information-requests",
    "api-payments-guarantees",
    "api-notifications-notices",
    "api-notifications-webhook-endpoints",
    "api-notifications-webhook-deliveries",
]


def _results(data: Any) -> list[Any]:
    return list(data["results"] if isinstance(data, dict) else data)


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_world")
def test_lists_show_trader_b_nothing_of_the_others() -> None:
    """Trader B has no declaration, notice or guarantee: every list it reads is empty."""
    d = Demo()
    client = client_for(d.users["trader_b"])
    shown = {name: _results(client.get(reverse(name)).json()) for name in LISTS}
    assert shown == {name: [] for name in LISTS}
    assert client.get(reverse("api-notifications-unread-count")).json() == {"unread": 0}
    orgs = _results(client.get(reverse("api-organisations")).json())
    assert [o["id"] for o in orgs] == [d.org("trader_b").pk]


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_world")
def test_each_side_lists_the_declarations_it_may_see() -> None:
    d = Demo()

    def lrns(role: str) -> set[str]:
        data = client_for(d.users[role]).get(reverse("api-declarations")).json()
        return {row["lrn"] for row in _results(data)}

    demo = {
        f"DEMO-{x}"
        for x in (
            "AVO-0001",
            "LAP-0001",
            "LAP-0002",
            "LAP-0003",
            "COF-0001",
            "SHR-0001",
            "GRA-0001",
            "GRA-0002",
        )
    }
    # Customs administers every declaration; the committee oversees them all.
    for role in (
        "trader_a",
        "broker",
        "carrier",
        "terminal",
        "committee",
        "admin",
        "customs",
        "customs_supervisor",
    ):
        assert lrns(role) == demo, role
    assert lrns("trader_b") == set()
    # Other agencies: what is routed to them.
    assert lrns("plant") == {"DEMO-AVO-0001", "DEMO-COF-0001", "DEMO-GRA-0001", "DEMO-GRA-0002"}
    assert lrns("food") == {"DEMO-AVO-0001", "DEMO-SHR-0001", "DEMO-GRA-0001", "DEMO-GRA-0002"}


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_world")
def test_guarantee_accounts_are_seen_by_their_holder_only() -> None:
    d = Demo()

    def refs(role: str) -> list[str]:
        data = client_for(d.users[role]).get(reverse("api-payments-guarantees")).json()
        return [row["reference"] for row in _results(data)]

    assert refs("trader_a") == refs("admin") == ["GAR-20100000001-01"]
    for role in ("trader_b", "broker", "carrier", "terminal", "customs", "plant", "committee"):
        assert refs(role) == [], role


# --- ids that do not exist ------------------------------------------------------------------


def _with_ids() -> list[Any]:
    return [
        pytest.param(name, method, role, id=f"{name}:{method}:{role}")
        for (name, method), route in sorted(api_endpoints().items())
        if "<int:" in route
        for role in ("trader_a", "customs", "admin")
    ]


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_world")
@pytest.mark.parametrize(("name", "method", "role"), _with_ids())
def test_an_id_that_does_not_exist_is_refused_cleanly(name: str, method: str, role: str) -> None:
    """Never a 500: 404 (or 403/400 when the role or the body is refused first), with
    the error shape, and nothing written."""
    route = api_endpoints()[(name, method)]
    kwargs = {k: v for k, v in ARGS.items() if f":{k}>" in route}
    before = snapshot()
    client = client_for(Demo().users[role])
    path = reverse(name, kwargs=kwargs)
    if method == "get":
        response = client.get(path)
    else:
        response = getattr(client, method)(
            path, {}, format="json", HTTP_IDEMPOTENCY_KEY="matrix-missing"
        )
    assert response.status_code in (400, 403, 404), response.content[:300]
    assert set(response.json()) == {"errors"}
    assert snapshot() == before


# --- the checks themselves ------------------------------------------------------------------


def test_leaks_finds_the_channel_and_internal_words() -> None:
    payload = {"declaration": {"channel": "red"}, "steps": [{"detail": "x: Larvae found"}]}
    assert leaks(payload, {"Larvae found"}, channel=True) == [
        "declaration.channel='red'",
        "steps.0.detail contains 'Larvae found'",
    ]
    assert leaks({"channel": None, "detail": "ok"}, {"Larvae found"}, channel=True) == []
    assert leaks(payload, set(), channel=False) == []


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_world")
def test_snapshot_sees_an_update_that_adds_no_row() -> None:
    from ventanilla.declarations.models import Declaration

    before = snapshot()
    Declaration.objects.filter(lrn="DEMO-AVO-0001").update(conveyance_ref="OTHER")
    assert changed_tables(before, snapshot()) == ["declarations.Declaration"]
