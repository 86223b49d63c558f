"""Risk API: who may do what (every endpoint × every role, denied calls change nothing),
the error shape, idempotent writes and the assessment as officers see it.

Routing of declarations to agencies is built by the ``agencies`` app; until it registers
its visibility rule, customs and the committee see assessments, other agencies do not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from ventanilla.accounts import services as accounts_services
from ventanilla.accounts.models import Organisation, User
from ventanilla.accounts.tests.factories import AgencyFactory, member
from ventanilla.audit.models import AuditEvent
from ventanilla.core.idempotency import IdempotencyRecord
from ventanilla.declarations.models import Declaration
from ventanilla.declarations.tests.factories import declaration_with_items
from ventanilla.risk import services
from ventanilla.risk.models import RiskAssessment, RiskMatch, RiskOutcome, RiskProfile
from ventanilla.risk.tests.factories import AVOCADO_RULE, draft_profile, published_profile

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "trader",
    "broker",
    "carrier",
    "customs",
    "plant",
    "customs_supervisor",
    "plant_supervisor",
    "committee",
    "admin",
]
MANAGERS = ("customs_supervisor", "committee", "admin")


@dataclass
class World:
    users: dict[str, User | None]
    customs: Organisation
    plant: Organisation
    declaration: Declaration
    assessment: RiskAssessment
    profiles: dict[str, RiskProfile]


@pytest.fixture
def world() -> World:
    customs = AgencyFactory(agency_function="customs")
    plant = AgencyFactory(agency_function="plant_health")
    profiles = {
        "revise": published_profile(customs, code="C-REVISE"),
        "retire": published_profile(customs, code="C-RETIRE", channel="red"),
        "publish": draft_profile(customs, code="C-DRAFT"),
        "plant": published_profile(plant, code="P-PLANT"),
    }
    declaration = declaration_with_items()
    users: dict[str, User | None] = {
        "anonymous": None,
        "trader": member("trader_admin", declaration.trader),
        "broker": member("broker_admin", declaration.declarant),
        "carrier": member("carrier_operator", declaration.carrier),
        "customs": member("agency_officer", customs),
        "plant": member("agency_officer", plant),
        "customs_supervisor": member("agency_supervisor", customs),
        "plant_supervisor": member("agency_supervisor", plant),
        "committee": member("committee_member"),
        "admin": User.objects.create_superuser("root@example.test", "x"),
    }
    assessment = services.risk_assess(declaration=declaration, by=None)
    return World(users, customs, plant, declaration, assessment, profiles)


def _expect(default: int, **overrides: int) -> dict[str, int]:
    return {**dict.fromkeys(ROLES, default), "anonymous": 401, **overrides}


def _matrix(w: World) -> list[tuple[str, str, str, dict[str, Any], dict[str, int]]]:
    p = w.profiles
    managers_ok = dict.fromkeys(MANAGERS, 200)
    new_profile = {
        "code": "C-NEW",
        "name_en": "New",
        "owner": w.customs.pk,
        "kind": "selectivity",
        "channel": "yellow",
        "criteria": AVOCADO_RULE,
    }
    return [
        (
            "api-risk-profiles",
            "get",
            reverse("api-risk-profiles"),
            {},
            _expect(403, plant_supervisor=200, **managers_ok),
        ),
        (
            "api-risk-profiles",
            "post",
            reverse("api-risk-profiles"),
            new_profile,
            _expect(403, customs_supervisor=201, committee=201, admin=201),
        ),
        (
            "api-risk-profile",
            "get",
            reverse("api-risk-profile", args=[p["revise"].pk]),
            {},
            _expect(404, **managers_ok),
        ),
        (
            "api-risk-profile",
            "get",
            reverse("api-risk-profile", args=[p["plant"].pk]),
            {},
            _expect(404, plant_supervisor=200, committee=200, admin=200),
        ),
        (
            "api-risk-profile-revise",
            "post",
            reverse("api-risk-profile-revise", args=[p["revise"].pk]),
            {"channel": "red"},
            _expect(404, customs_supervisor=201, committee=201, admin=201),
        ),
        (
            "api-risk-profile-publish",
            "post",
            reverse("api-risk-profile-publish", args=[p["publish"].pk]),
            {},
            _expect(404, **managers_ok),
        ),
        (
            "api-risk-profile-retire",
            "post",
            reverse("api-risk-profile-retire", args=[p["retire"].pk]),
            {"reason": "done"},
            _expect(404, **managers_ok),
        ),
        (
            "api-risk-assessment",
            "get",
            reverse("api-risk-assessment", args=[w.declaration.pk]),
            {},
            _expect(404, customs=200, **managers_ok),
        ),
        (
            "api-risk-outcomes",
            "post",
            reverse("api-risk-outcomes", args=[w.assessment.pk]),
            {"result": "no_irregularity", "agency": w.customs.pk},
            _expect(404, customs=201, customs_supervisor=201, committee=403, admin=201),
        ),
        (
            "api-risk-statistics",
            "get",
            reverse("api-risk-statistics"),
            {},
            _expect(403, plant_supervisor=200, **managers_ok),
        ),
    ]


def _snapshot() -> dict[str, Any]:
    return {
        "counts": [
            m.objects.count()
            for m in (
                RiskProfile,
                RiskAssessment,
                RiskMatch,
                RiskOutcome,
                AuditEvent,
                IdempotencyRecord,
            )
        ],
        "profiles": list(
            RiskProfile.objects.order_by("pk").values_list(
                "pk", "status", "channel", "valid_from", "valid_to"
            )
        ),
    }


def _client(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.mark.parametrize("role", ROLES)
def test_every_risk_endpoint_for_role(world: World, role: str) -> None:
    problems = []
    for name, method, path, data, expected in _matrix(world):
        before = _snapshot()
        response = getattr(_client(world.users[role]), method)(path, data, format="json")
        if response.status_code != expected[role]:
            problems.append(
                f"{method.upper()} {name}: expected {expected[role]}, "
                f"got {response.status_code} {response.content[:200]!r}"
            )
        if response.status_code >= 400:
            assert set(response.json()) == {"errors"}, name
            if _snapshot() != before:
                problems.append(f"{method.upper()} {name}: denied call changed the database")
    assert problems == []


def test_matrix_covers_every_risk_endpoint(world: World) -> None:
    from ventanilla.risk.api.urls import urlpatterns

    assert {p.name for p in urlpatterns} == {row[0] for row in _matrix(world)}


def test_traders_never_see_the_channel_even_through_another_role(world: World) -> None:
    # A broker employee who is also a customs officer still gets 404 on the broker's
    # own declaration.
    broker_officer = member("broker_admin", world.declaration.declarant)
    accounts_services.membership_add(
        user=broker_officer, organisation=world.customs, role_code="agency_officer", by=None
    )
    url = reverse("api-risk-assessment", args=[world.declaration.pk])
    assert _client(broker_officer).get(url).status_code == 404
    assert _client(world.users["customs"]).get(url).status_code == 200


def test_assessment_as_officers_see_it(world: World) -> None:
    declaration = world.declaration
    declaration.version = 2
    declaration.save(update_fields=["version"])
    latest = services.risk_assess(declaration=declaration, by=None)
    data = (
        _client(world.users["customs"])
        .get(reverse("api-risk-assessment", args=[declaration.pk]))
        .json()
    )
    assert (data["id"], data["declaration_version"], data["channel"]) == (latest.pk, 2, "red")
    assert [(m["code"], m["channel"], m["explanation"]) for m in data["matches"]] == [
        ("C-RETIRE", "red", "HS code 080440 starts with 0804; origin MX in [MX, GT] (item 1)"),
        ("C-REVISE", "yellow", "HS code 080440 starts with 0804; origin MX in [MX, GT] (item 1)"),
        ("P-PLANT", "yellow", "HS code 080440 starts with 0804; origin MX in [MX, GT] (item 1)"),
    ]
    assert [(e["id"], e["declaration_version"]) for e in data["earlier"]] == [
        (world.assessment.pk, 1)
    ]
    assert "rationale" not in str(data)


def test_create_with_bad_criteria_answers_every_error_and_saves_nothing(world: World) -> None:
    client = _client(world.users["customs_supervisor"])
    response = client.post(
        reverse("api-risk-profiles"),
        {
            "code": "C-BAD",
            "name_en": "Bad",
            "owner": world.customs.pk,
            "kind": "selectivity",
            "channel": "yellow",
            "criteria": [
                {"field": "colour", "op": "eq", "value": "red"},
                {"field": "customs_value", "op": "gt", "value": "x"},
            ],
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="bad-1",
    )
    assert response.status_code == 400
    assert [(e["code"], e["field"]) for e in response.json()["errors"]] == [
        ("criteria_field_unknown", "criteria.0.field"),
        ("criteria_value_type", "criteria.1.value"),
    ]
    assert not RiskProfile.objects.filter(code="C-BAD").exists()
    assert IdempotencyRecord.objects.count() == 0  # a refusal is not remembered
    other = client.post(
        reverse("api-risk-profiles"),
        {
            "code": "C-BAD",
            "name_en": "Bad",
            "owner": world.plant.pk + 1000,
            "kind": "odd",
            "channel": "green",
        },
        format="json",
    )
    assert sorted((e["code"], e["field"]) for e in other.json()["errors"]) == [
        ("invalid_choice", "channel"),
        ("invalid_choice", "kind"),
    ]
    no_owner = client.post(
        reverse("api-risk-profiles"),
        {
            "code": "C-BAD",
            "name_en": "Bad",
            "owner": world.plant.pk + 1000,
            "kind": "selectivity",
            "channel": "red",
            "criteria": AVOCADO_RULE,
        },
        format="json",
    )
    assert (no_owner.status_code, no_owner.json()["errors"][0]["code"]) == (
        400,
        "profile_owner_not_agency",
    )


def test_create_is_idempotent_and_publish_puts_it_in_force(world: World) -> None:
    client = _client(world.users["committee"])
    body = {
        "code": "al-medfly",
        "name_en": "Fruit fly",
        "name_es": "Mosca de la fruta",
        "owner": world.plant.pk,
        "kind": "import_alert",
        "channel": "red",
        "hs_prefixes": ["0804.40"],
        "origin_countries": ["MX"],
        "entry_points": ["PECLL"],
        "ends_on": str(timezone.localdate() + dt.timedelta(days=60)),
        "review_on": str(timezone.localdate() + dt.timedelta(days=20)),
    }
    first = client.post(
        reverse("api-risk-profiles"), body, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    again = client.post(
        reverse("api-risk-profiles"), body, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (
        201,
        201,
        "true",
    )
    data = first.json()
    assert (
        data["code"],
        data["status"],
        data["hs_prefixes"],
        data["name_es"],
        data["owner"]["id"],
        data["in_force"],
    ) == ("AL-MEDFLY", "draft", ["080440"], "Mosca de la fruta", world.plant.pk, False)
    assert RiskProfile.objects.filter(code="AL-MEDFLY").count() == 1
    published = client.post(
        reverse("api-risk-profile-publish", args=[data["id"]]), format="json"
    ).json()
    assert (published["status"], published["in_force"]) == ("active", True)
    listed = client.get(reverse("api-risk-profiles"), {"in_force": "1", "kind": "import_alert"})
    assert [r["code"] for r in listed.json()["results"]] == ["AL-MEDFLY"]
    repeat = client.post(reverse("api-risk-profile-publish", args=[data["id"]]), format="json")
    assert (repeat.status_code, repeat.json()["errors"][0]["code"]) == (
        409,
        "profile_transition_refused",
    )


def test_outcome_and_statistics_through_the_api(world: World) -> None:
    officer = _client(world.users["customs"])
    url = reverse("api-risk-outcomes", args=[world.assessment.pk])
    created = officer.post(url, {"result": "seizure", "revenue_amount": "99.90"}, format="json")
    assert created.status_code == 201
    assert (created.json()["agency"]["id"], created.json()["revenue_amount"]) == (
        world.customs.pk,
        "99.90",
    )
    twice = officer.post(url, {"result": "seizure"}, format="json")
    assert (twice.status_code, twice.json()["errors"][0]["code"]) == (
        409,
        "outcome_already_recorded",
    )
    bad = officer.post(url, {"result": "no_irregularity", "revenue_amount": "5"}, format="json")
    assert bad.json()["errors"] == [
        {
            "code": "outcome_revenue_invalid",
            "field": "revenue_amount",
            "message": "Revenue is recovered only when an irregularity "
            "was found; it cannot be negative.",
        }
    ]
    committee = _client(world.users["committee"])
    stats = committee.get(reverse("api-risk-statistics"))
    assert stats.status_code == 200
    rows = {r["code"]: r for r in stats.json()["profiles"]}
    assert sorted(rows) == ["C-RETIRE", "C-REVISE", "P-PLANT"]
    assert {
        k: rows["C-RETIRE"][k]
        for k in (
            "selections",
            "outcomes",
            "pending",
            "irregularities",
            "seizures",
            "revenue",
            "hit_rate",
        )
    } == {
        "selections": 1,
        "outcomes": 1,
        "pending": 0,
        "irregularities": 1,
        "seizures": 1,
        "revenue": "99.90",
        "hit_rate": "100.00",
    }
    wrong = committee.get(reverse("api-risk-statistics"), {"date_from": "2026-13-01"})
    assert [(e["code"], e["field"]) for e in wrong.json()["errors"]] == [("invalid", "date_from")]
    reversed_period = committee.get(
        reverse("api-risk-statistics"), {"date_from": "2026-02-01", "date_to": "2026-01-01"}
    )
    assert (reversed_period.status_code, reversed_period.json()["errors"][0]["code"]) == (
        400,
        "period_invalid",
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"criteria": {"field": "hs_code"}},
        {"criteria": "hs_code startswith 0804"},
        {"criteria": [[1, 2], None, 7]},
        {"criteria": [{"field": ["hs_code"], "op": {"x": 1}, "value": {"y": 2}}]},
        {"criteria": [{"field": "customs_value", "op": "gt", "value": []}]},
        {"criteria": [{"field": "customs_value", "op": "gt", "value": "NaN"}]},
        {"criteria": [{"field": "customs_value", "op": "gt", "value": True}]},
        {
            "kind": "import_alert",
            "hs_prefixes": "0804",
            "origin_countries": [None],
            "entry_points": {"a": 1},
            "ends_on": "2026-02-30",
        },
        {"random_rate": "abc", "priority": "first"},
    ],
)
def test_odd_input_is_refused_with_the_error_shape_never_a_500(
    world: World, changes: dict[str, Any]
) -> None:
    client = _client(world.users["committee"])
    body = {
        "code": "C-ODD",
        "name_en": "Odd",
        "owner": world.customs.pk,
        "kind": "selectivity",
        "channel": "red",
        "criteria": AVOCADO_RULE,
        **changes,
    }
    response = client.post(reverse("api-risk-profiles"), body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] and all(e["code"] for e in response.json()["errors"])
    assert not RiskProfile.objects.filter(code="C-ODD").exists()


def test_statistics_period_at_the_edge_of_the_calendar(world: World) -> None:
    response = _client(world.users["committee"]).get(
        reverse("api-risk-statistics"), {"date_to": "0001-01-05"}
    )
    assert (response.status_code, response.json()["date_from"]) == (200, "0001-01-01")
