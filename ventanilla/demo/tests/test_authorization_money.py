"""Authorization matrix: duties, payments and guarantees (TFA 7.2, 7.3). See ``authz.py``
for what each test checks.

Duties and payments of a declaration are seen by its trader side (the trader and its
broker) and by customs and the committee; the carrier and the other agencies see the
declaration but not its money (403); anyone else gets 404. Customs makes the final
determination. Paying and using the guarantee are acts of the trader or its broker;
guarantee accounts are seen by their holder. The providers' callback is public: its
signature is the credential.
"""

from __future__ import annotations

from typing import Any

import pytest

from ventanilla.agencies.services.inspections import inspection_book, inspection_record_result
from ventanilla.agencies.services.reviews import review_decide
from ventanilla.clearance.services import arrival_report
from ventanilla.demo.declarations import VESSEL
from ventanilla.demo.tests.authz import (
    AVO,
    GRA,
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
from ventanilla.payments.providers import sandbox
from ventanilla.payments.selectors import financial_state
from ventanilla.payments.services.guarantee import guarantee_reserve
from ventanilla.payments.services.payment import payment_start

demo_world = demo_world_fixture()


def _decl(lrn: str) -> Any:
    return pk_of(lambda d: d.declaration(lrn))


def _avo_released(d: Demo) -> int:
    """The avocados go all the way: customs examines them, plant health and food safety
    approve, trader A covers the duties with its guarantee, the vessel arrives."""

    def make() -> int:
        avo = d.declaration(AVO)
        customs = d.user("customs")
        inspection = inspection_book(declaration=avo, location="PECLL", by=customs)
        inspection_record_result(
            participant=inspection.participants.get(), result="no_irregularity", by=customs
        )
        for agency in ("plant", "food"):
            review_decide(review=d.review(AVO, agency), decision="approve", by=d.user(agency))
        guarantee_reserve(
            declaration=avo,
            amount=financial_state(declaration=avo).outstanding,
            by=d.user("trader_a"),
        )
        arrival_report(organisation=d.org("carrier"), by=d.user("carrier"), conveyance_ref=VESSEL)
        avo.refresh_from_db()
        assert avo.status == "released"
        return int(avo.pk)

    return int(d.once("avocados released", make))


def _duty_assessment(d: Demo) -> int:
    from ventanilla.duties.selectors import assessment_latest

    return assessment_latest(declaration=d.declaration(AVO)).pk  # type: ignore[union-attr]


def _payment(d: Demo) -> Any:
    """Trader A starts paying the avocados' duties; the sandbox answers later."""
    return d.once(
        "payment",
        lambda: payment_start(
            declaration=d.declaration(AVO), by=d.user("trader_a"), idempotency_key="matrix-pay"
        ),
    )


def _callback(d: Demo) -> bytes:
    return bytes(d.once("callback", lambda: sandbox.callback_body(_payment(d), "confirmed")))


def _signed(d: Demo, role: str) -> dict[str, str]:
    return {"HTTP_X_SANDBOX_SIGNATURE": sandbox.sign(_callback(d))}


def _account(d: Demo) -> int:
    from ventanilla.payments.models import GuaranteeAccount

    return GuaranteeAccount.objects.get(holder=d.org("trader_a")).pk


def _key(d: Demo, role: str) -> dict[str, str]:
    return {"HTTP_IDEMPOTENCY_KEY": f"matrix-{role}"}


# Trader side and officers who see the money; carrier and other agencies see the
# declaration but not its money.
MONEY = expect(
    403,
    trader_a=200,
    broker=200,
    customs=200,
    customs_supervisor=200,
    committee=200,
    admin=200,
    trader_b=404,
)
OFFICERS_ONLY = expect(
    403, customs=200, customs_supervisor=200, committee=200, admin=200, trader_b=404
)
TRADE_ACT = expect(403, trader_a=201, broker=201, trader_b=404)

ROWS = [
    Row("api-duties-declaration", "get", AVO, url("api-duties-declaration", _decl(AVO)), MONEY),
    Row(
        "api-duties-assessments",
        "get",
        AVO,
        url("api-duties-assessments", _decl(AVO)),
        OFFICERS_ONLY,
    ),
    Row(
        "api-duties-finalise",
        "post",
        f"{AVO} once released",
        url("api-duties-finalise", _avo_released),
        expect(403, customs=200, customs_supervisor=200, admin=200, trader_b=404),
        why="The final determination is customs' alone (TFA 7.3); the committee oversees.",
    ),
    Row(
        "api-duties-finalise",
        "post",
        f"{GRA} (released; plant health and food safety reviewed it, customs did not)",
        url("api-duties-finalise", _decl(GRA)),
        expect(403, customs=200, customs_supervisor=200, admin=200, trader_b=404),
        why="Every released declaration gets its final determination from customs "
        "(TFA 7.3), not only those customs happened to review.",
    ),
    Row(
        "api-duties-assessment",
        "get",
        f"{AVO} provisional",
        url("api-duties-assessment", _duty_assessment),
        OFFICERS_ONLY,
    ),
    Row("api-payments-declaration", "get", AVO, url("api-payments-declaration", _decl(AVO)), MONEY),
    Row(
        "api-payments-declaration",
        "post",
        AVO,
        url("api-payments-declaration", _decl(AVO)),
        TRADE_ACT,
        headers=_key,
        why="Paying is the trader's or its broker's act; the superuser pays for no one.",
    ),
    Row(
        "api-payments-financial-state",
        "get",
        AVO,
        url("api-payments-financial-state", _decl(AVO)),
        MONEY,
    ),
    Row(
        "api-payments-guarantee-use",
        "post",
        AVO,
        url("api-payments-guarantee-use", _decl(AVO)),
        TRADE_ACT,
        body=lambda d: {},
        why="The guarantee is used by the trader or its broker (TFA 7.3).",
    ),
    Row(
        "api-payments-detail",
        "get",
        "trader A's payment",
        url("api-payments-detail", pk_of(_payment)),
        MONEY,
    ),
    Row(
        "api-payments-callback",
        "post",
        "signed by the sandbox",
        url("api-payments-callback", "sandbox"),
        everyone(200),
        body=_callback,
        headers=_signed,
        raw=True,
    ),
    Row(
        "api-payments-callback",
        "post",
        "not signed",
        url("api-payments-callback", "sandbox"),
        everyone(400),
        body=lambda d: b'{"merchant_reference": "PAY-NOBODY", "outcome": "confirmed"}',
        raw=True,
    ),
    Row("api-payments-guarantees", "get", "list", url("api-payments-guarantees"), expect(200)),
    Row(
        "api-payments-guarantee-movements",
        "get",
        "trader A's account",
        url("api-payments-guarantee-movements", _account),
        expect(404, trader_a=200, admin=200),
    ),
]


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_world")
@pytest.mark.parametrize(("row", "role"), params(ROWS))
def test_duties_and_payments_endpoints(row: Row, role: str) -> None:
    assert check(row, role) == []
