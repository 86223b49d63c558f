"""Authorization matrix: border agencies (the officers' queue and cases, decisions,
questions to the trader, joint inspections, samples and second tests, the trader's side,
the requirement matrix). See ``authz.py`` for what each test checks.

Officers act on their own agency's work only: another agency's review, inspection or
sample answers 404, even to a co-participant of the same joint inspection. The officers'
API refuses whoever is not an agency officer (403: traders, brokers, carriers, the
committee). The trader's side (the trader and its broker) answers questions and asks for
second tests; everyone else gets 404. The requirement matrix is maintained by each
agency's supervisors; its public look-up is open to all.
"""

from __future__ import annotations

from typing import Any

import pytest

from ventanilla.agencies.services.inspections import inspection_book, inspection_record_result
from ventanilla.agencies.services.reviews import review_decide
from ventanilla.agencies.services.samples import (
    sample_record,
    sample_result_record,
    second_test_request,
)
from ventanilla.demo.tests.authz import (
    AVO,
    COF,
    Demo,
    Row,
    check,
    demo_world_fixture,
    everyone,
    expect,
    params,
    pk_of,
    url,
)

demo_world = demo_world_fixture()

SHR = "DEMO-SHR-0001"  # food safety's queue: frozen shrimp awaiting review
PLANT_WORDS = "Larvae suspected in the third pallet"  # an officer's internal words


def _review(lrn: str, agency: str) -> Any:
    return pk_of(lambda d: d.review(lrn, agency))


def _customs_inspection(d: Demo) -> Any:
    """Customs books the examination its risk channel asked for (customs alone)."""
    return d.once(
        "customs inspection",
        lambda: inspection_book(
            declaration=d.declaration(AVO), location="PECLL", by=d.user("customs")
        ),
    )


def _joint_inspection(d: Demo) -> Any:
    """Customs books; plant health decides to inspect too and joins (TFA 8)."""

    def make() -> Any:
        inspection = _customs_inspection(d)
        review_decide(
            review=d.review(AVO, "plant"),
            decision="inspect",
            reason=PLANT_WORDS,
            reason_category="phytosanitary_risk",
            by=d.user("plant"),
        )
        return inspection

    return d.once("joint inspection", make)


def _plant_sample(d: Demo, adverse: bool | None) -> Any:
    def make() -> Any:
        inspection = _joint_inspection(d)
        participant = inspection.participants.get(agency__code="AG-PLANT")
        plant = d.user("plant")
        inspection_record_result(
            participant=participant, result="sample_taken", notes=PLANT_WORDS, by=plant
        )
        sample = sample_record(participant=participant, reference="PH-001", lab="SENASA", by=plant)
        if adverse is not None:
            sample = sample_result_record(
                sample=sample, result="Anastrepha larvae", adverse=adverse, by=plant
            )
        return sample

    return d.once(f"plant sample {adverse}", make)


def _second_test(d: Demo) -> Any:
    return d.once(
        "second test",
        lambda: second_test_request(
            sample=_plant_sample(d, adverse=True), lab="Lima lab", by=d.user("trader_a")
        ),
    )


def _information_request(d: Demo) -> int:
    from ventanilla.agencies.models import InformationRequest

    return InformationRequest.objects.get(review__declaration__lrn=COF, status="open").pk


def _line(agency: str, prefix: str) -> Any:
    def lookup(d: Demo) -> int:
        from ventanilla.agencies.models import RequirementLine

        return RequirementLine.objects.get(
            agency=d.org(agency), hs_prefix=prefix, valid_to__isnull=True
        ).pk

    return lookup


def _new_line(agency: str) -> Any:
    return lambda d: {
        "agency": d.org(agency).pk,
        "hs_prefix": "0902",
        "action": "review",
        "description_en": "Tea: review by the agency",
    }


def agency_work(**allowed: int) -> dict[str, int]:
    """An agency's own work: the officers of other agencies cannot see it (404), whoever
    is not an officer may not use the officers' API (403)."""
    others = dict.fromkeys(("customs", "plant", "food", "customs_supervisor"), 404)
    return expect(403, **{**others, **allowed})


OFFICERS_API = expect(403, customs=200, plant=200, food=200, customs_supervisor=200, admin=200)
PLANT = agency_work(plant=200, admin=200)
CUSTOMS = agency_work(customs=200, customs_supervisor=200, admin=200)
SEES_AVO = expect(200, trader_b=404)
TRADE_SIDE_ONLY = {"trader_a": 200, "broker": 200}

ROWS = [
    Row("api-agencies-reviews", "get", "queue", url("api-agencies-reviews"), OFFICERS_API),
    Row(
        "api-agencies-review",
        "get",
        f"{AVO} plant health",
        url("api-agencies-review", _review(AVO, "plant")),
        PLANT,
    ),
    Row(
        "api-agencies-review",
        "get",
        f"{AVO} customs",
        url("api-agencies-review", _review(AVO, "customs")),
        CUSTOMS,
    ),
    Row(
        "api-agencies-review-start",
        "post",
        f"{AVO} plant health",
        url("api-agencies-review-start", _review(AVO, "plant")),
        PLANT,
    ),
    Row(
        "api-agencies-review-decide",
        "post",
        f"{AVO} plant health",
        url("api-agencies-review-decide", _review(AVO, "plant")),
        PLANT,
        body=lambda d: {"decision": "approve"},
    ),
    Row(
        "api-agencies-review-decide",
        "post",
        f"{SHR} food safety",
        url("api-agencies-review-decide", _review(SHR, "food")),
        agency_work(food=200, admin=200),
        body=lambda d: {
            "decision": "reject",
            "reason": "Cold chain broken on arrival",
            "reason_category": "sanitary_risk",
        },
    ),
    Row(
        "api-agencies-review-information-request",
        "post",
        f"{AVO} plant health",
        url("api-agencies-review-information-request", _review(AVO, "plant")),
        agency_work(plant=201, admin=201),
        body=lambda d: {"message": "Which cold store holds the lot?"},
    ),
    Row(
        "api-agencies-review-inspection",
        "post",
        f"{AVO} customs",
        url("api-agencies-review-inspection", _review(AVO, "customs")),
        CUSTOMS,
        body=lambda d: {"place": "Terminal 2, bay 4"},
    ),
    Row(
        "api-agencies-inspection-next-slot",
        "get",
        "PECLL",
        url("api-agencies-inspection-next-slot", query="location=PECLL&perishable=true"),
        OFFICERS_API,
    ),
    Row(
        "api-agencies-inspection-start",
        "post",
        "customs' inspection",
        url("api-agencies-inspection-start", pk_of(_customs_inspection)),
        CUSTOMS,
    ),
    Row(
        "api-agencies-inspection-result",
        "post",
        "customs' inspection",
        url("api-agencies-inspection-result", pk_of(_customs_inspection)),
        CUSTOMS,
        body=lambda d: {"result": "no_irregularity", "notes": "Seals intact"},
    ),
    Row(
        "api-agencies-inspection-result",
        "post",
        "plant health's place in a joint inspection",
        url("api-agencies-inspection-result", pk_of(_joint_inspection)),
        PLANT,
        body=lambda d: {"result": "no_irregularity", "agency": d.org("plant").pk},
        why="Customs takes part in the same inspection but may not speak for plant health.",
    ),
    Row(
        "api-agencies-inspection-sample",
        "post",
        "customs' inspection",
        url("api-agencies-inspection-sample", pk_of(_customs_inspection)),
        agency_work(customs=201, customs_supervisor=201, admin=201),
        body=lambda d: {"reference": "CU-001", "lab": "Customs laboratory"},
    ),
    Row(
        "api-agencies-sample-result",
        "post",
        "plant health's sample in a joint inspection",
        url("api-agencies-sample-result", pk_of(lambda d: _plant_sample(d, adverse=None))),
        PLANT,
        body=lambda d: {"result": "No pests found", "adverse": False},
        why="Customs takes part in the same inspection but may not record plant's result.",
    ),
    Row(
        "api-agencies-second-test-result",
        "post",
        "plant health's second test",
        url("api-agencies-second-test-result", pk_of(_second_test)),
        PLANT,
        body=lambda d: {"result": "No pests found", "adverse": False},
    ),
    Row(
        "api-agencies-information-requests",
        "get",
        "list",
        url("api-agencies-information-requests"),
        expect(200),
    ),
    Row(
        "api-agencies-information-answer",
        "post",
        f"{COF} plant health's question",
        url("api-agencies-information-answer", _information_request),
        expect(404, **TRADE_SIDE_ONLY),
        body=lambda d: {"answer": "Fumigation certificate FUM-2026-88 attached."},
        why="Only the trader side answers; the superuser acts for no trader.",
    ),
    Row(
        "api-agencies-declaration-reviews",
        "get",
        AVO,
        url("api-agencies-declaration-reviews", lambda d: d.declaration(AVO).pk),
        SEES_AVO,
    ),
    Row(
        "api-agencies-declaration-reviews",
        "get",
        COF,
        url("api-agencies-declaration-reviews", lambda d: d.declaration(COF).pk),
        # Customs administers every declaration; food safety is not involved in coffee.
        expect(200, trader_b=404, food=404),
    ),
    Row(
        "api-agencies-declaration-reviews",
        "get",
        f"{AVO} with an adverse sample",
        url(
            "api-agencies-declaration-reviews",
            lambda d: _plant_sample(d, adverse=True).participant.inspection.declaration_id,
        ),
        SEES_AVO,
    ),
    Row(
        "api-declaration-timeline",
        "get",
        f"{AVO} once plant health decided to inspect",
        url(
            "api-declaration-timeline",
            lambda d: _joint_inspection(d).declaration_id,
        ),
        SEES_AVO,
        why="The timeline must not show one agency's internal reason to another agency, "
        "as the officers' case does not (OtherReviewSerializer).",
    ),
    Row(
        "api-agencies-second-test-request",
        "post",
        "plant health's adverse sample",
        url("api-agencies-second-test-request", pk_of(lambda d: _plant_sample(d, adverse=True))),
        expect(404, trader_a=201, broker=201),
        body=lambda d: {"lab": "Lima lab", "reason": "We contest the result"},
        why="Only the importer's side asks for a second test (TFA 5.3).",
    ),
    Row(
        "api-agencies-requirements",
        "get",
        "matrix",
        url("api-agencies-requirements"),
        expect(403, customs_supervisor=200, admin=200),
    ),
    Row(
        "api-agencies-requirements",
        "post",
        "customs line",
        url("api-agencies-requirements"),
        expect(403, customs_supervisor=201, admin=201),
        body=_new_line("customs"),
    ),
    Row(
        "api-agencies-requirements",
        "post",
        "plant health line",
        url("api-agencies-requirements"),
        expect(403, admin=201),
        body=_new_line("plant"),
        why="A customs supervisor does not maintain plant health's requirements.",
    ),
    Row(
        "api-agencies-requirement-change",
        "post",
        "customs 9303",
        url("api-agencies-requirement-change", _line("customs", "9303")),
        expect(403, customs_supervisor=201, admin=201),
        body=lambda d: {"sla_hours": 72},
    ),
    Row(
        "api-agencies-requirement-change",
        "post",
        "plant health 0901",
        url("api-agencies-requirement-change", _line("plant", "0901")),
        expect(403, customs_supervisor=404, admin=201),
        body=lambda d: {"sla_hours": 72},
    ),
    Row(
        "api-agencies-requirement-end",
        "post",
        "customs 9303",
        url("api-agencies-requirement-end", _line("customs", "9303")),
        expect(403, customs_supervisor=200, admin=200),
        body=lambda d: {},
    ),
    Row(
        "api-agencies-requirement-end",
        "post",
        "plant health 0901",
        url("api-agencies-requirement-end", _line("plant", "0901")),
        expect(403, customs_supervisor=404, admin=200),
        body=lambda d: {},
    ),
    Row(
        "api-agencies-public-requirements",
        "get",
        "080440",
        url("api-agencies-public-requirements", query="hs_code=080440&origin=MX"),
        everyone(200),
    ),
]


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_world")
@pytest.mark.parametrize(("row", "role"), params(ROWS))
def test_agencies_endpoints(row: Row, role: str) -> None:
    assert check(row, role) == []
