"""Guarantee ledger (TFA 7.3): release against a guarantee before the final determination,
never more than the amount due, discharged when no longer required."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ventanilla.audit.models import AuditEvent
from ventanilla.core.errors import BusinessError
from ventanilla.declarations.models import MilestoneEvent
from ventanilla.duties.tests.factories import assessment_for
from ventanilla.payments import services
from ventanilla.payments.models import GuaranteeMovement, LedgerIsAppendOnly
from ventanilla.payments.selectors import financial_state, guarantee_balance
from ventanilla.payments.tests.factories import assessed_case, guarantee

pytestmark = pytest.mark.django_db
D = Decimal


def _codes(exc: pytest.ExceptionInfo[BusinessError]) -> list[tuple[str, str | None, int]]:
    return [(e.code, e.field, exc.value.http_status) for e in exc.value.items]


def _ledger(account) -> list[tuple[str, Decimal]]:  # type: ignore[no-untyped-def]
    return [(m.kind, m.amount) for m in account.movements.order_by("pk")]


def _finalise(case, total: str):  # type: ignore[no-untyped-def]
    case.assessment.status = "superseded"
    case.assessment.save(update_fields=["status"])
    case.assessment = assessment_for(case.declaration, total, status="final")
    return case.assessment


def test_tfa_7_3_reserving_a_guarantee_settles_the_declaration_for_release(signals):
    case = assessed_case("22572.00")
    account = guarantee(case, "200000.00")

    movement = services.guarantee_reserve(
        declaration=case.declaration, amount=D("22572.00"), by=case.trader
    )

    balance = guarantee_balance(account=account)
    state = financial_state(declaration=case.declaration)
    assert (movement.kind, movement.amount, movement.declaration) == (
        "reserve",
        D("22572.00"),
        case.declaration,
    )
    assert (balance.available, balance.reserved, balance.drawn) == (
        D("177428.00"),
        D("22572.00"),
        D("0"),
    )
    assert (state.paid, state.guaranteed, state.outstanding, state.settled_for_release) == (
        D("0"),
        D("22572.00"),
        D("22572.00"),
        True,
    )
    assert signals == [(None, case.declaration)]
    assert (
        MilestoneEvent.objects.get(declaration=case.declaration, milestone="payment").source
        == "guarantee"
    )


def test_tfa_7_3_one_open_reservation_per_declaration():
    case = assessed_case("1000.00")
    account = guarantee(case)

    first = services.guarantee_reserve(
        declaration=case.declaration, amount=D("1000.00"), by=case.trader
    )
    again = services.guarantee_reserve(
        declaration=case.declaration, amount=D("400.00"), by=case.broker
    )

    assert again.pk == first.pk
    assert _ledger(account) == [("reserve", D("1000.00"))]
    assert AuditEvent.objects.filter(verb="guarantee.reserve").count() == 1


def test_tfa_7_3_insufficient_balance_is_refused_and_nothing_written(signals):
    case = assessed_case("1000.00")
    account = guarantee(case, "999.99")
    audit_before = AuditEvent.objects.count()

    with pytest.raises(BusinessError) as refused:
        services.guarantee_reserve(
            declaration=case.declaration, amount=D("1000.00"), by=case.trader
        )

    assert _codes(refused) == [("guarantee_insufficient", "amount", 409)]
    assert refused.value.items[0].message == (
        "The guarantee's available balance (999.99 PEN) is too low."
    )
    assert GuaranteeMovement.objects.count() == 0
    assert AuditEvent.objects.count() == audit_before
    assert signals == []
    assert not MilestoneEvent.objects.exists()
    assert guarantee_balance(account=account).available == D("999.99")


def test_tfa_7_3_guarantee_may_not_exceed_the_amount_due():
    case = assessed_case("1000.00")
    guarantee(case)

    with pytest.raises(BusinessError) as refused:
        services.guarantee_reserve(
            declaration=case.declaration, amount=D("1000.01"), by=case.trader
        )

    assert _codes(refused) == [("guarantee_exceeds_due", "amount", 400)]
    assert GuaranteeMovement.objects.count() == 0


def test_tfa_7_3_no_active_account_no_guarantee():
    case = assessed_case("1000.00")
    account = guarantee(case)
    services.guarantee_account_set_status(account=account, status="suspended", by=None)

    with pytest.raises(BusinessError) as refused:
        services.guarantee_reserve(declaration=case.declaration, amount=D("10.00"), by=case.trader)

    assert _codes(refused) == [("no_guarantee_account", None, 409)]


def test_tfa_7_3_guarantee_is_released_when_the_final_assessment_is_paid(
    django_capture_on_commit_callbacks,
):
    case = assessed_case("1000.00")
    account = guarantee(case, "5000.00")
    services.guarantee_reserve(declaration=case.declaration, amount=D("1000.00"), by=None)

    with pytest.raises(BusinessError) as still_needed:
        services.guarantee_release(declaration=case.declaration, by=None)
    assert _codes(still_needed) == [("guarantee_still_needed", None, 409)]

    final = _finalise(case, "1100.00")
    with django_capture_on_commit_callbacks(execute=True):
        payment = services.payment_start(
            declaration=case.declaration, by=case.trader, idempotency_key="k-1"
        )
    payment.refresh_from_db()

    assert (payment.assessment, payment.amount, payment.status) == (
        final,
        D("1100.00"),
        "confirmed",
    )
    # Paid in full: the reservation is discharged in the same transaction (TFA 7.3.4).
    assert _ledger(account) == [("reserve", D("1000.00")), ("release", D("1000.00"))]
    assert guarantee_balance(account=account).available == D("5000.00")
    assert services.guarantee_release(declaration=case.declaration, by=None) is None
    state = financial_state(declaration=case.declaration)
    assert (state.paid, state.guaranteed, state.settled_for_release) == (D("1100.00"), D("0"), True)


def test_tfa_7_3_settlement_draws_only_what_is_finally_due(signals):
    case = assessed_case("1000.00")
    account = guarantee(case, "5000.00")
    services.guarantee_reserve(declaration=case.declaration, amount=D("1000.00"), by=None)

    with pytest.raises(BusinessError) as not_final:
        services.guarantee_settle(declaration=case.declaration, amount_paid=D("800.00"), by=None)
    _finalise(case, "800.00")
    with pytest.raises(BusinessError) as too_much:
        services.guarantee_settle(declaration=case.declaration, amount_paid=D("800.01"), by=None)
    settle = services.guarantee_settle(
        declaration=case.declaration, amount_paid=D("800.00"), by=None
    )

    balance = guarantee_balance(account=account)
    state = financial_state(declaration=case.declaration)
    assert _codes(not_final) == [("not_final", None, 409)]
    assert _codes(too_much) == [("guarantee_exceeds_due", "amount_paid", 400)]
    assert (settle.kind, settle.amount) == ("settle", D("800.00"))
    assert _ledger(account) == [
        ("reserve", D("1000.00")),
        ("settle", D("800.00")),
        ("release", D("200.00")),
    ]
    assert (balance.available, balance.reserved, balance.drawn) == (
        D("4200.00"),
        D("0"),
        D("800.00"),
    )
    assert (state.paid, state.guaranteed, state.outstanding, state.settled_for_release) == (
        D("800.00"),
        D("0"),
        D("0"),
        True,
    )
    assert len(signals) == 2  # reserve, settle
    services.guarantee_top_up(account=account, amount=D("800.00"), by=None)
    assert guarantee_balance(account=account).available == D("5000.00")


def test_tfa_7_3_lower_reassessment_releases_the_excess():
    case = assessed_case("1000.00")
    account = guarantee(case)
    services.guarantee_reserve(declaration=case.declaration, amount=D("1000.00"), by=None)
    case.assessment.status = "superseded"
    case.assessment.save(update_fields=["status"])
    assessment_for(case.declaration, "600.00")

    released = services.guarantee_reconcile(declaration=case.declaration, by=None)
    again = services.guarantee_reconcile(declaration=case.declaration, by=None)

    assert released is not None and released.amount == D("400.00")
    assert again is None
    assert financial_state(declaration=case.declaration).guaranteed == D("600.00")
    assert _ledger(account) == [("reserve", D("1000.00")), ("release", D("400.00"))]


def test_the_ledger_is_append_only():
    case = assessed_case("1000.00")
    guarantee(case)
    movement = services.guarantee_reserve(declaration=case.declaration, amount=D("10.00"), by=None)

    movement.amount = D("1.00")
    with pytest.raises(LedgerIsAppendOnly):
        movement.save()
    with pytest.raises(LedgerIsAppendOnly):
        movement.delete()
    assert GuaranteeMovement.objects.get().amount == D("10.00")
