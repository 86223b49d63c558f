"""Authorization matrix: risk management (profiles, assessments, outcomes, hit rates).
See ``authz.py`` for what each test checks.

Profiles are maintained by the supervisors of the owner agency and by the committee; an
officer is not a profile manager (403 on the lists, 404 on a profile). An assessment is
seen by customs (selectivity runs for every declaration, TFA 7.4), by the agencies the
declaration is routed to and by the committee — never by the trader, its broker or
carrier (404, as if it did not exist). Outcomes are recorded by agency officers only.
"""

from __future__ import annotations

from typing import Any

import pytest

from ventanilla.demo.tests.authz import (
    AVO,
    COF,
    Demo,
    Row,
    check,
    demo_world_fixture,
    expect,
    params,
    url,
)
from ventanilla.risk import services as risk

demo_world = demo_world_fixture()

CRITERIA = [
    {"field": "hs_code", "op": "startswith", "value": ["0804"]},
    {"field": "origin_country", "op": "in", "value": ["MX"]},
]


def _profile(code: str) -> Any:
    def lookup(d: Demo) -> int:
        from ventanilla.risk.models import RiskProfile

        return RiskProfile.objects.filter(code=code).order_by("-version").first().pk  # type: ignore[union-attr]

    return lookup


def _draft(d: Demo) -> int:
    def make() -> int:
        return risk.risk_profile_create(
            code="CU-MATRIX-DRAFT",
            name_en="Avocados from Mexico (draft)",
            owner=d.org("customs"),
            kind="selectivity",
            channel="yellow",
            criteria=CRITERIA,
            by=d.user("customs_supervisor"),
        ).pk

    return int(d.once("draft", make))


def _assessment(lrn: str) -> Any:
    def lookup(d: Demo) -> int:
        from ventanilla.risk.models import RiskAssessment

        return RiskAssessment.objects.filter(declaration__lrn=lrn).order_by("-pk").first().pk  # type: ignore[union-attr]

    return lookup


def _declaration_id(lrn: str) -> Any:
    return lambda d: d.declaration(lrn).pk


def _new_profile(owner: str) -> Any:
    def body(d: Demo) -> dict[str, Any]:
        return {
            "code": f"MATRIX-{owner.upper()}",
            "name_en": "Avocados from Mexico",
            "owner": d.org(owner).pk,
            "kind": "selectivity",
            "channel": "yellow",
            "criteria": CRITERIA,
        }

    return body


MANAGERS = {"customs_supervisor": 200, "committee": 200, "admin": 200}
# A customs profile: its supervisors and the committee; anyone else cannot see it.
CUSTOMS_PROFILE = expect(404, **MANAGERS)
REVISED = expect(404, customs_supervisor=201, committee=201, admin=201)

ROWS = [
    Row("api-risk-profiles", "get", "list", url("api-risk-profiles"), expect(403, **MANAGERS)),
    Row(
        "api-risk-profiles",
        "post",
        "owner customs",
        url("api-risk-profiles"),
        expect(403, customs_supervisor=201, committee=201, admin=201),
        body=_new_profile("customs"),
    ),
    Row(
        "api-risk-profiles",
        "post",
        "owner plant health",
        url("api-risk-profiles"),
        expect(403, committee=201, admin=201),
        body=_new_profile("plant"),
        why="A customs supervisor may not create plant health's profiles.",
    ),
    Row(
        "api-risk-profile",
        "get",
        "CU-NEW-TRADER",
        url("api-risk-profile", _profile("CU-NEW-TRADER")),
        CUSTOMS_PROFILE,
    ),
    Row(
        "api-risk-profile",
        "get",
        "AL-MEDFLY-0804 (plant health)",
        url("api-risk-profile", _profile("AL-MEDFLY-0804")),
        expect(404, committee=200, admin=200),
    ),
    Row(
        "api-risk-profile-revise",
        "post",
        "CU-VAL-7403",
        url("api-risk-profile-revise", _profile("CU-VAL-7403")),
        REVISED,
        body=lambda d: {"channel": "red", "reason": "More undervaluation found"},
    ),
    Row(
        "api-risk-profile-revise",
        "post",
        "AL-MEDFLY-0804 (plant health)",
        url("api-risk-profile-revise", _profile("AL-MEDFLY-0804")),
        expect(404, committee=201, admin=201),
        body=lambda d: {"priority": 5, "reason": "Season at its peak"},
    ),
    Row(
        "api-risk-profile-publish",
        "post",
        "a customs draft",
        url("api-risk-profile-publish", _draft),
        CUSTOMS_PROFILE,
    ),
    Row(
        "api-risk-profile-retire",
        "post",
        "CU-VAL-7403",
        url("api-risk-profile-retire", _profile("CU-VAL-7403")),
        CUSTOMS_PROFILE,
        body=lambda d: {"reason": "Replaced"},
    ),
    Row(
        "api-risk-assessment",
        "get",
        AVO,
        url("api-risk-assessment", _declaration_id(AVO)),
        expect(404, customs=200, plant=200, food=200, **MANAGERS),
    ),
    Row(
        "api-risk-assessment",
        "get",
        COF,
        url("api-risk-assessment", _declaration_id(COF)),
        expect(404, customs=200, plant=200, **MANAGERS),
        why="Customs sees every assessment; food safety is not concerned by coffee.",
    ),
    Row(
        "api-risk-outcomes",
        "post",
        f"{AVO} for customs",
        url("api-risk-outcomes", _assessment(AVO)),
        expect(
            404, customs=201, customs_supervisor=201, admin=201, plant=403, food=403, committee=403
        ),
        body=lambda d: {"result": "no_irregularity", "agency": d.org("customs").pk},
        why="Plant health and food safety see the assessment but may not speak for customs.",
    ),
    Row(
        "api-risk-outcomes",
        "post",
        COF,
        url("api-risk-outcomes", _assessment(COF)),
        expect(404, customs=201, plant=201, customs_supervisor=201, committee=403, admin=400),
        body=lambda d: {"result": "irregularity_found", "revenue_amount": "150.00"},
        why="The superuser works for every agency: it must say for which one (400).",
    ),
    Row(
        "api-risk-statistics",
        "get",
        "hit rates",
        url("api-risk-statistics"),
        expect(403, **MANAGERS),
    ),
]


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_world")
@pytest.mark.parametrize(("row", "role"), params(ROWS))
def test_risk_endpoints(row: Row, role: str) -> None:
    assert check(row, role) == []
