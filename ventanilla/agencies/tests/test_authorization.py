"""Authorization matrix of the agencies API: every endpoint × every role, with the
expected answer, and proof that a denied call changed nothing (ADR 0003).

Plant health owns every object here. Its officer and supervisor act; the food safety
officer and supervisor get 404 (they cannot see another agency's work); traders, brokers
and carriers get 403 on officers' endpoints and see only their own declarations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.urls import get_resolver, reverse

from ventanilla.accounts.tests.factories import member
from ventanilla.agencies import services
from ventanilla.agencies.tests.conftest import client_for

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "plant_officer",
    "food_officer",
    "plant_supervisor",
    "food_supervisor",
    "trader",
    "broker",
    "carrier",
    "other_trader",
]


@dataclass
class Row:
    name: str
    method: str
    path: str
    data: dict[str, Any]
    expected: dict[str, int]


def expect(default: int, anonymous: int = 401, **overrides: int) -> dict[str, int]:
    table = dict.fromkeys(ROLES, default)
    table["anonymous"] = anonymous
    table.update(overrides)
    return table


def officers(ok: int) -> dict[str, int]:
    """Plant's officers act; food's see nothing (404); the trade side may not (403)."""
    return expect(403, plant_officer=ok, plant_supervisor=ok, food_officer=404, food_supervisor=404)


def trade(ok: int) -> dict[str, int]:
    """The trader and its broker act; everyone else cannot see it (404)."""
    return expect(404, trader=ok, broker=ok)


def build(world: Any) -> tuple[dict[str, Any], list[Row]]:
    users = {
        "anonymous": None,
        "plant_officer": world.plant_officer,
        "food_officer": world.food_officer,
        "plant_supervisor": world.plant_supervisor,
        "food_supervisor": member("agency_supervisor", world.food),
        "trader": world.trader_user,
        "broker": world.broker_user,
        "carrier": world.carrier_user,
        "other_trader": world.other_trader_user,
    }
    officer = world.plant_officer

    def review(inspect: bool = False) -> Any:
        [r] = services.reviews_open(declaration=world.declaration(), channel="green", by=None)
        if inspect:
            r = services.review_decide(
                review=r,
                decision="inspect",
                reason="Alert",
                reason_category="phytosanitary_risk",
                by=officer,
            )
        return r

    def booked() -> Any:
        r = review(inspect=True)
        return services.inspection_book(declaration=r.declaration, location="PECLL", by=officer)

    def sample(reference: str, adverse: bool | None) -> Any:
        participant = booked().participants.get()
        services.inspection_record_result(
            participant=participant, result="sample_taken", by=officer
        )
        s = services.sample_record(
            participant=participant, reference=reference, lab="Lab", by=officer
        )
        if adverse is not None:
            s = services.sample_result_record(sample=s, result="Pest", adverse=adverse, by=officer)
        return s

    seen = review()
    request = services.information_request(review=review(), message="?", by=officer)
    second = services.second_test_request(sample=sample("S-2", True), by=world.trader_user)
    r = reverse
    rows = [
        Row(
            "api-agencies-reviews",
            "get",
            r("api-agencies-reviews"),
            {},
            expect(
                403, plant_officer=200, plant_supervisor=200, food_officer=200, food_supervisor=200
            ),
        ),
        Row(
            "api-agencies-review",
            "get",
            r("api-agencies-review", args=[seen.pk]),
            {},
            officers(200),
        ),
        Row(
            "api-agencies-review-start",
            "post",
            r("api-agencies-review-start", args=[review().pk]),
            {},
            officers(200),
        ),
        Row(
            "api-agencies-review-decide",
            "post",
            r("api-agencies-review-decide", args=[review().pk]),
            {"decision": "approve"},
            officers(200),
        ),
        Row(
            "api-agencies-review-information-request",
            "post",
            r("api-agencies-review-information-request", args=[review().pk]),
            {"message": "Which cold store?"},
            officers(201),
        ),
        Row(
            "api-agencies-review-inspection",
            "post",
            r("api-agencies-review-inspection", args=[review(inspect=True).pk]),
            {},
            officers(200),
        ),
        Row(
            "api-agencies-inspection-next-slot",
            "get",
            r("api-agencies-inspection-next-slot") + "?location=PECLL",
            {},
            expect(
                403, plant_officer=200, plant_supervisor=200, food_officer=200, food_supervisor=200
            ),
        ),
        Row(
            "api-agencies-inspection-start",
            "post",
            r("api-agencies-inspection-start", args=[booked().pk]),
            {},
            officers(200),
        ),
        Row(
            "api-agencies-inspection-result",
            "post",
            r("api-agencies-inspection-result", args=[booked().pk]),
            {"result": "no_irregularity"},
            officers(200),
        ),
        Row(
            "api-agencies-inspection-sample",
            "post",
            r("api-agencies-inspection-sample", args=[booked().pk]),
            {"reference": "S-1", "lab": "Lab"},
            officers(201),
        ),
        Row(
            "api-agencies-sample-result",
            "post",
            r("api-agencies-sample-result", args=[sample("S-3", None).pk]),
            {"result": "Clean", "adverse": False},
            officers(200),
        ),
        Row(
            "api-agencies-second-test-result",
            "post",
            r("api-agencies-second-test-result", args=[second.pk]),
            {"result": "Clean", "adverse": False},
            officers(200),
        ),
        Row(
            "api-agencies-information-requests",
            "get",
            r("api-agencies-information-requests"),
            {},
            expect(200),
        ),
        Row(
            "api-agencies-information-answer",
            "post",
            r("api-agencies-information-answer", args=[request.pk]),
            {"answer": "Bay 4"},
            trade(200),
        ),
        Row(
            "api-agencies-declaration-reviews",
            "get",
            r("api-agencies-declaration-reviews", args=[seen.declaration_id]),
            {},
            expect(
                404, trader=200, broker=200, carrier=200, plant_officer=200, plant_supervisor=200
            ),
        ),
        Row(
            "api-agencies-second-test-request",
            "post",
            r("api-agencies-second-test-request", args=[sample("S-4", True).pk]),
            {},
            trade(201),
        ),
        Row(
            "api-agencies-requirements",
            "get",
            r("api-agencies-requirements"),
            {},
            expect(403, plant_supervisor=200, food_supervisor=200),
        ),
        Row(
            "api-agencies-requirements",
            "post",
            r("api-agencies-requirements"),
            {
                "agency": world.plant.pk,
                "hs_prefix": "0901",
                "action": "review",
                "description_en": "Coffee",
            },
            expect(403, plant_supervisor=201),
        ),
        Row(
            "api-agencies-requirement-change",
            "post",
            r("api-agencies-requirement-change", args=[world.plant_line.pk]),
            {"sla_hours": 12, "valid_from": "2026-12-02"},
            expect(403, plant_supervisor=201, food_supervisor=404),
        ),
        Row(
            "api-agencies-requirement-end",
            "post",
            r("api-agencies-requirement-end", args=[world.food_line.pk]),
            {},
            expect(403, plant_supervisor=404, food_supervisor=200),
        ),
        Row(
            "api-agencies-public-requirements",
            "get",
            r("api-agencies-public-requirements") + "?hs_code=080440",
            {},
            expect(200, anonymous=200),
        ),
    ]
    return users, rows


def snapshot() -> dict[str, int]:
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.managed and not m._meta.proxy
    }


@pytest.mark.parametrize("role", ROLES)
def test_every_agencies_endpoint_for_role(world, role):
    users, rows = build(world)
    problems = []
    for row in rows:
        before = snapshot()
        response = getattr(client_for(users[role]), row.method)(row.path, row.data, format="json")
        if response.status_code != row.expected[role]:
            problems.append(
                f"{row.method.upper()} {row.name}: expected {row.expected[role]}, "
                f"got {response.status_code} {response.content[:200]!r}"
            )
        if row.expected[role] >= 400:
            assert "errors" in response.json(), f"{row.name}: error without the error shape"
            if snapshot() != before:
                problems.append(f"{row.method.upper()} {row.name}: denied call changed data")
    assert problems == []


def test_matrix_covers_every_agencies_endpoint(world):
    _users, rows = build(world)
    names = {
        p.name
        for p in get_resolver().url_patterns
        for p in getattr(p, "url_patterns", [p])
        if getattr(p, "name", "") and p.name.startswith("api-agencies-")
    }
    assert len(names) == 20
    assert names - {row.name for row in rows} == set()
