from __future__ import annotations

import pytest

from ventanilla.accounts.demo import load_demo_accounts
from ventanilla.agencies import selectors, services
from ventanilla.agencies.demo import LINES, load_demo_agencies
from ventanilla.agencies.models import RequirementLine
from ventanilla.declarations.tests.factories import declaration_with_items

pytestmark = pytest.mark.django_db


def test_demo_matrix_loads_once():
    load_demo_accounts()
    assert load_demo_agencies() == {"requirement_lines": len(LINES), "skipped": 0}
    assert load_demo_agencies() == {"requirement_lines": 0, "skipped": len(LINES)}
    assert RequirementLine.objects.count() == len(LINES)
    fish = selectors.requirements_matching(hs_code="030617", origin_country="EC")
    assert [(ln.agency.code, ln.document_type_code) for ln in fish] == [("AG-FOOD", "N852")]
    coffee = selectors.requirements_matching(hs_code="090111")
    assert [ln.agency.code for ln in coffee] == ["AG-PLANT"]


def test_demo_avocados_go_to_plant_health_then_food_safety():
    load_demo_accounts()
    load_demo_agencies()
    declaration = declaration_with_items(status="accepted")
    reviews = services.reviews_open(declaration=declaration, channel="green", by=None)
    assert [(r.agency.code, r.status, r.sla_hours, r.required_documents) for r in reviews] == [
        ("AG-PLANT", "pending", 4, ["N851"]),
        ("AG-FOOD", "waiting", 2, []),
    ]


def test_demo_without_the_demo_agencies_adds_nothing():
    assert load_demo_agencies() == {"requirement_lines": 0, "skipped": len(LINES)}


@pytest.mark.parametrize(
    ("email", "own", "other"),
    [
        ("plant-supervisor@demo.ventanilla", "AG-PLANT", "AG-FOOD"),
        ("food-supervisor@demo.ventanilla", "AG-FOOD", "AG-PLANT"),
    ],
)
def test_each_demo_agency_has_a_supervisor_who_maintains_its_own_lines(email, own, other):
    """TFA 10.1, 8: the matrix is kept by the agency that owns each line."""
    from ventanilla.accounts.models import User
    from ventanilla.core.errors import BusinessError

    load_demo_accounts()
    load_demo_agencies()
    supervisor = User.objects.get(email=email)
    mine = RequirementLine.objects.filter(agency__code=own).order_by("pk").first()
    theirs = RequirementLine.objects.filter(agency__code=other).order_by("pk").first()
    assert mine is not None and theirs is not None
    changed = services.requirement_line_change(line=mine, changes={"sla_hours": 30}, by=supervisor)
    assert (changed.key, changed.sla_hours) == (mine.key, 30)
    with pytest.raises(BusinessError) as err:
        services.requirement_line_change(line=theirs, changes={"sla_hours": 30}, by=supervisor)
    assert err.value.http_status == 403
    assert RequirementLine.objects.filter(agency__code=other).count() == sum(
        1 for line in LINES if line[0] == other
    )
