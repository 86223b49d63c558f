"""The terminal or warehouse operator holding the goods (WCO GoodsLocation 64A): told of
holds and of the release at the same moment as the trader and the carrier (TFA 5.2,
7.1), it sees the declarations whose goods it holds and reports their arrival, and
nothing else — never the risk result."""

from __future__ import annotations

from typing import Any

import pytest

from ventanilla.agencies.models import AgencyReview
from ventanilla.agencies.services.reviews import review_decide
from ventanilla.clearance import services
from ventanilla.clearance.tests.conftest import coffee, valid
from ventanilla.clearance.tests.test_clearance_flow import act, pay, submit
from ventanilla.core.errors import BusinessError
from ventanilla.declarations.models import Declaration
from ventanilla.declarations.selectors import declaration_qs_for, is_trader_side
from ventanilla.declarations.tests.conftest import payload
from ventanilla.notifications.models import Notice
from ventanilla.risk.selectors import assessment_qs_for

pytestmark = pytest.mark.django_db

TERMINAL = "20100000005"


def held_at(data: dict[str, Any], code: str = TERMINAL) -> dict[str, Any]:
    data["parties"].append(
        {"role": "terminal", "name": "Callao terminal", "identifier": code, "country": "PE"}
    )
    return data


def told(declaration: Declaration, kind: str) -> list[str]:
    notices = Notice.objects.filter(declaration_id=declaration.pk, kind=kind)
    return sorted(notices.values_list("organisation__code", flat=True))


def test_tfa_7_1_release_reaches_trader_carrier_and_terminal_at_the_same_moment(world):
    d = submit(world, held_at(coffee("COF-T1")))
    assert d.terminal == world["orgs"][TERMINAL]
    pay(world, d)
    act(
        services.arrival_report,
        organisation=world["orgs"][TERMINAL],
        by=world["users"]["terminal"],
        conveyance_ref="MSC ANDES 123E",
    )
    d.refresh_from_db()
    assert d.status == "released"
    assert told(d, "released") == ["20100000001", "20100000003", "20100000004", TERMINAL]
    released = Notice.objects.filter(declaration_id=d.pk, kind="released")
    assert len({n.created_at for n in released}) == 1


def test_tfa_5_2_the_terminal_is_told_when_goods_are_selected_for_inspection(world):
    d = submit(world, held_at(payload(lrn="AVO-T2")))
    review = AgencyReview.objects.get(declaration=d, agency=world["plant"])
    act(
        review_decide,
        review=review,
        decision="inspect",
        reason="Fruit fly alert",
        reason_category="phytosanitary_risk",
        by=world["users"]["plant"],
    )
    assert TERMINAL in told(d, "inspection_selected")
    # Decisions and questions are the declarant's business, not the terminal's.
    assert TERMINAL not in told(d, "duties_due")


def test_the_terminal_sees_the_goods_it_holds_as_a_trade_party_and_nothing_else(world):
    held = submit(world, held_at(coffee("COF-T3")))
    elsewhere = submit(world, coffee("COF-T4"))
    user = world["users"]["terminal"]
    assert list(declaration_qs_for(user=user).values_list("pk", flat=True)) == [held.pk]
    assert is_trader_side(user=user, declaration=held)
    assert not assessment_qs_for(user=user).exists()
    # Its arrival report reaches only the goods it holds: the other declaration on the
    # same vessel is left for its own carrier or terminal.
    arrived = services.arrival_report(
        organisation=world["orgs"][TERMINAL], by=user, mrns=[held.mrn, elsewhere.mrn]
    )
    assert [d.pk for d in arrived] == [held.pk]
    elsewhere.refresh_from_db()
    assert elsewhere.arrived_at is None


def test_an_unregistered_terminal_is_kept_as_a_party_but_told_nothing(world):
    d = submit(world, held_at(coffee("COF-T5"), code="20999999999"))
    assert d.terminal is None
    assert d.parties.filter(role="terminal", identifier="20999999999").exists()


def test_the_terminal_role_appears_once(world):
    data = held_at(held_at(coffee("COF-T6")))
    with pytest.raises(BusinessError) as refused:
        submit(world, data)
    assert [(e.code, e.field) for e in refused.value.items] == [
        ("party_role_repeated", "parties.4.role")
    ]
    assert not Declaration.objects.filter(lrn="COF-T6").exists()


def test_an_amendment_moves_the_goods_to_another_terminal_or_to_none(world):
    d = submit(world, held_at(coffee("COF-T7")))
    data = valid(coffee("COF-T7"))  # the same goods, no terminal named any more
    amended = services.declaration_amend_and_assess(
        declaration=d,
        data=data,
        reason="Goods moved to the shipper's yard",
        by=world["users"]["broker"],
    )
    assert (amended.version, amended.terminal_id) == (2, None)
    assert not declaration_qs_for(user=world["users"]["terminal"]).filter(pk=d.pk).exists()
