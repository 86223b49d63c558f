"""Reads of the payments app: the financial state of a declaration (what the orchestrator
asks before release, TFA 7.3), receipts, guarantee balances recomputed from the ledger."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from ventanilla.accounts.selectors import organisation_qs_for
from ventanilla.declarations.models import Declaration
from ventanilla.declarations.selectors import declaration_qs_for
from ventanilla.duties.money import national_currency
from ventanilla.duties.selectors import assessment_latest
from ventanilla.payments.choices import MovementKind, PaymentStatus
from ventanilla.payments.models import GuaranteeAccount, GuaranteeMovement, Payment

ZERO = Decimal(0)
VIEW_GUARANTEE = "payments.view_guaranteeaccount"


@dataclass(frozen=True)
class FinancialState:
    """Where the money of a declaration stands, in national currency.

    ``paid`` counts confirmed payments and amounts drawn from a guarantee;
    ``guaranteed`` is the open guarantee reservation; ``settled_for_release`` is true
    when duties are assessed and paid in full, covered by payments plus a guarantee
    (TFA 7.3), or nothing is due. Before any assessment it is false."""

    amount_due: Decimal
    currency: str
    paid: Decimal
    guaranteed: Decimal
    settled_for_release: bool
    payment_status: str | None
    outstanding: Decimal
    assessment_id: int | None
    assessment_status: str | None


def _sum(values: Any) -> Decimal:
    return sum((Decimal(v) for v in values), ZERO)


def reservation_open(*, declaration: Declaration) -> tuple[GuaranteeAccount | None, Decimal]:
    """The account holding the declaration's reservation and what is still reserved."""
    rows = list(
        GuaranteeMovement.objects.filter(declaration=declaration)
        .select_related("account")
        .order_by("created_at", "pk")
    )
    reserved = _sum(m.amount for m in rows if m.kind == MovementKind.RESERVE)
    freed = _sum(m.amount for m in rows if m.kind in (MovementKind.RELEASE, MovementKind.SETTLE))
    account = next((m.account for m in reversed(rows) if m.kind == MovementKind.RESERVE), None)
    return account, reserved - freed


def financial_state(*, declaration: Declaration) -> FinancialState:
    assessment = assessment_latest(declaration=declaration)
    currency = assessment.currency if assessment else national_currency()
    due = assessment.total if assessment else ZERO
    payments = list(
        Payment.objects.filter(declaration=declaration).order_by("-initiated_at", "-pk")
    )
    paid = _sum(
        p.amount for p in payments if p.status == PaymentStatus.CONFIRMED and p.currency == currency
    )
    paid += _sum(
        GuaranteeMovement.objects.filter(
            declaration=declaration, kind=MovementKind.SETTLE
        ).values_list("amount", flat=True)
    )
    _account, guaranteed = reservation_open(declaration=declaration)
    outstanding = max(due - paid, ZERO)
    return FinancialState(
        amount_due=due,
        currency=currency,
        paid=paid,
        guaranteed=guaranteed,
        settled_for_release=assessment is not None and guaranteed >= outstanding,
        payment_status=payments[0].status if payments else None,
        outstanding=outstanding,
        assessment_id=assessment.pk if assessment else None,
        assessment_status=assessment.status if assessment else None,
    )


# --- payments and receipts -------------------------------------------------------------


def payment_qs_for(*, user: Any) -> QuerySet[Payment]:
    visible = declaration_qs_for(user=user).values("pk")
    return Payment.objects.filter(declaration__in=visible).select_related(
        "declaration", "assessment"
    )


@dataclass(frozen=True)
class Receipt:
    """Proof of an electronic payment (TFA 7.2): reference, amount and time."""

    reference: str
    provider_reference: str
    amount: Decimal
    currency: str
    confirmed_at: dt.datetime
    declaration: str
    assessment_number: int


def payment_receipt(*, payment: Payment) -> Receipt | None:
    if payment.status != PaymentStatus.CONFIRMED or payment.confirmed_at is None:
        return None
    return Receipt(
        reference=payment.reference,
        provider_reference=payment.provider_reference,
        amount=payment.amount,
        currency=payment.currency,
        confirmed_at=payment.confirmed_at,
        declaration=str(payment.declaration),
        assessment_number=payment.assessment.number,
    )


# --- guarantees ----------------------------------------------------------------------


@dataclass(frozen=True)
class GuaranteeBalance:
    """available = limit + top-ups - reserved + released (settled amounts are drawn:
    they are not freed until topped up)."""

    limit: Decimal
    topped_up: Decimal
    reserved: Decimal  # still open
    drawn: Decimal
    available: Decimal
    currency: str


def guarantee_balance(*, account: GuaranteeAccount) -> GuaranteeBalance:
    totals = dict.fromkeys(MovementKind.values, ZERO)
    for kind, amount in account.movements.values_list("kind", "amount"):
        totals[kind] += Decimal(amount)
    available = (
        account.limit_amount
        + totals[MovementKind.TOP_UP]
        - totals[MovementKind.RESERVE]
        + totals[MovementKind.RELEASE]
    )
    reserved = (
        totals[MovementKind.RESERVE] - totals[MovementKind.RELEASE] - totals[MovementKind.SETTLE]
    )
    return GuaranteeBalance(
        limit=account.limit_amount,
        topped_up=totals[MovementKind.TOP_UP],
        reserved=reserved,
        drawn=totals[MovementKind.SETTLE],
        available=available,
        currency=account.currency,
    )


def guarantee_account_qs_for(*, user: Any) -> QuerySet[GuaranteeAccount]:
    """Accounts of the organisations the user acts for, where the user may view them."""
    if (
        getattr(user, "is_superuser", False)
        and getattr(user, "token_organisation_id", None) is None
    ):
        return GuaranteeAccount.objects.select_related("holder")
    ids = [org.pk for org in organisation_qs_for(user=user) if user.has_perm(VIEW_GUARANTEE, org)]
    return GuaranteeAccount.objects.filter(holder_id__in=ids).select_related("holder")


def guarantee_account_for(
    *, declaration: Declaration, day: dt.date | None = None
) -> GuaranteeAccount | None:
    """The trader's active account in national currency in force on ``day``."""
    return (
        GuaranteeAccount.objects.as_of(day)
        .filter(holder_id=declaration.trader_id, status="active", currency=national_currency())
        .order_by("valid_from", "pk")
        .first()
    )
