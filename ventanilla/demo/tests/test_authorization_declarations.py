"""Authorization matrix: declarations and the clearance flow (lodge, bulk, amend, cancel,
timeline, arrivals, releases). See ``authz.py`` for what each test checks.

Who sees a declaration: its trader, its declarant (the broker), its carrier, the
terminal holding its goods, the agencies it is routed to, the committee and the
superuser; anyone else gets 404. Only the declarant amends or cancels it (the trader, the
carrier and the terminal see it: 403); only a trader or broker lodges, and a trader
lodges for itself only.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ventanilla.demo.declarations import AVOCADOS, LAPTOPS, VESSEL, _import
from ventanilla.demo.tests.authz import (
    AVO,
    COF,
    Demo,
    Row,
    check,
    demo_world_fixture,
    expect,
    params,
    pk_of,
    url,
)

demo_world = demo_world_fixture()


def _decl(lrn: str) -> Any:
    return pk_of(lambda d: d.declaration(lrn))


def _new(lrn: str) -> dict[str, Any]:
    """Laptops for trader A, lodged by its broker: valid, and no agency requirement."""
    return _import(lrn, [LAPTOPS], "CN", "MXZLO", days=6)


def _amendment(d: Demo) -> dict[str, Any]:
    avocados = copy.deepcopy(AVOCADOS)
    avocados["description"] = "Fresh Hass avocados, 4 kg cartons"
    return {**_import(AVO, [avocados], "MX", "MXZLO"), "reason": "Carton size corrected"}


# Who sees DEMO-AVO-0001: trader A, its broker and carrier, the three agencies it is
# routed to (customs inspects, plant health reviews, food safety waits its turn),
# the committee and the superuser.
SEES_AVO = expect(
    200,
    trader_b=404,
)
# DEMO-COF-0001 is routed to plant health only.
# Customs administers every declaration (not only those routed to it).
SEES_COF = expect(200, trader_b=404, food=404)
# Lodging: a trader for itself, a broker for its clients; the superuser must say for
# which organisation (``?organisation=``); everyone else may not lodge.
LODGE = expect(403, trader_a=201, broker=201)
LODGE_AS_BROKER = expect(403, broker=201, admin=201)
# Amend and cancel: the declarant (the broker) and the superuser; those who see the
# declaration get 403, others 404.
DECLARANT_ONLY = expect(403, broker=200, admin=200, trader_b=404)

ROWS = [
    Row("api-declarations", "get", "list", url("api-declarations"), expect(200)),
    Row("api-declaration", "get", AVO, url("api-declaration", _decl(AVO)), SEES_AVO),
    Row("api-declaration", "get", COF, url("api-declaration", _decl(COF)), SEES_COF),
    Row(
        "api-declaration-lodge",
        "post",
        "laptops for trader A",
        url("api-declaration-lodge"),
        LODGE,
        body=lambda d: _new("MATRIX-LODGE-1"),
        why="Trader B may not lodge a declaration whose importer is trader A.",
    ),
    Row(
        "api-declaration-lodge",
        "post",
        "?organisation=broker",
        url("api-declaration-lodge", query=lambda d: f"organisation={d.org('broker').pk}"),
        LODGE_AS_BROKER,
        body=lambda d: _new("MATRIX-LODGE-2"),
    ),
    Row(
        "api-declaration-bulk",
        "post",
        "laptops for trader A",
        url("api-declaration-bulk"),
        LODGE,
        body=lambda d: {"declarations": [_new("MATRIX-BULK-1"), _new("MATRIX-BULK-2")]},
    ),
    Row(
        "api-declaration-bulk",
        "post",
        "?organisation=broker",
        url("api-declaration-bulk", query=lambda d: f"organisation={d.org('broker').pk}"),
        LODGE_AS_BROKER,
        body=lambda d: {"declarations": [_new("MATRIX-BULK-3")]},
    ),
    Row(
        "api-declaration-amend",
        "post",
        AVO,
        url("api-declaration-amend", _decl(AVO)),
        DECLARANT_ONLY,
        body=_amendment,
    ),
    Row(
        "api-declaration-cancel",
        "post",
        AVO,
        url("api-declaration-cancel", _decl(AVO)),
        DECLARANT_ONLY,
        body=lambda d: {"reason": "Order cancelled by the buyer"},
    ),
    Row(
        "api-declaration-timeline",
        "get",
        AVO,
        url("api-declaration-timeline", _decl(AVO)),
        SEES_AVO,
    ),
    Row(
        "api-declaration-timeline",
        "get",
        COF,
        url("api-declaration-timeline", _decl(COF)),
        SEES_COF,
    ),
    Row(
        "api-arrivals",
        "post",
        VESSEL,
        url("api-arrivals"),
        expect(403, carrier=200, terminal=200, customs=200, customs_supervisor=200, admin=200),
        body=lambda d: {"conveyance_ref": VESSEL},
        why="Carriers and terminals report arrivals; customs may record one too.",
    ),
    Row("api-releases", "get", "list", url("api-releases"), expect(200)),
]


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_world")
@pytest.mark.parametrize(("row", "role"), params(ROWS))
def test_declaration_endpoints(row: Row, role: str) -> None:
    assert check(row, role) == []
