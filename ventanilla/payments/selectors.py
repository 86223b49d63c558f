"""Reads of the payments app: the financial state of a declaration (what the orchestrator
asks before release, TFA 7.3), receipts, guarantee balances recomputed from the ledger."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import CharField, IntegerField, QuerySet, Value

from ventanilla.accounts.selectors import organisation_qs_for
from ventanilla.declarations.choices import Status
from ventanilla.declarations.models import Declaration
from ventanilla.declarations.selectors import declaration_qs_for
from ventanilla.duties.choices import AssessmentStatus
from ventanilla.duties.models import MONEY, DutyAssessment
from ventanilla.duties.money import national_currency
from ventanilla.payments.choices import MovementKind, PaymentStatus
from ventanilla.payments.models import GuaranteeAccount, GuaranteeMovement, Payment

ZERO = Decimal(0)
# The scale of ``DutyAssessment.total`` as stored.
MONEY_EXPONENT = Decimal(1).scaleb(-MONEY["decimal_places"])
# The movement kinds that concern one declaration (a top-up concerns the account).
HELD_KINDS = (MovementKind.RESERVE, MovementKind.RELEASE, MovementKind.SETTLE)
VIEW_GUARANTEE = "payments.view_guaranteeaccount"


@dataclass(frozen=True)
class FinancialState:
    """Where the money of a declaration stands, in national currency.

    ``paid`` counts confirmed payments and amounts drawn from a guarantee;
    ``guaranteed`` is the open guarantee reservation; ``settled_for_release`` is true
    when duties are assessed and paid in full, covered by payments plus a guarantee
    (TFA 7.3), or nothing is due. Before any assessment it is false. ``closed``: the
    declaration was cancelled or refused, so nothing is outstanding on it whatever was
    assessed (a payment made before stays counted, for the refund)."""

    amount_due: Decimal
    currency: str
    paid: Decimal
    guaranteed: Decimal
    settled_for_release: bool
    payment_status: str | None
    outstanding: Decimal
    assessment_id: int | None
    assessment_status: str | None
    closed: bool = False


# No duties fall due on goods whose declaration was withdrawn or refused.
CLOSED = frozenset({Status.CANCELLED, Status.REJECTED})


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


# Which table a row of ``_money_rows`` comes from.
_ASSESSMENT, _PAYMENT, _MOVEMENT = 1, 2, 3
# (source, declaration id, status or kind, currency, amount, time, id)
MoneyRow = tuple[int, int, str, str, Decimal, Any, int]


def _money_rows(declaration_ids: Sequence[int], unassessed: Sequence[int]) -> list[MoneyRow]:
    """The declarations' payments, guarantee movements and, for ``unassessed`` (those
    whose assessment the caller does not hold), the assessment in force, as rows of one
    query for the whole batch (a UNION ALL of three index look-ups). Declarations lodged
    a moment ago have no payment and no movement, so this is one round trip that finds
    one row per declaration at most, instead of four queries per declaration."""
    columns = ("declaration_id", "status", "currency", "amount", "initiated_at", "pk")
    parts: list[QuerySet[Any]] = [
        Payment.objects.filter(declaration_id__in=declaration_ids)
        .order_by()
        .values_list(Value(_PAYMENT, output_field=IntegerField()), *columns),
        GuaranteeMovement.objects.filter(declaration_id__in=declaration_ids, kind__in=HELD_KINDS)
        .order_by()
        .values_list(
            Value(_MOVEMENT, output_field=IntegerField()),
            "declaration_id",
            "kind",
            Value("", output_field=CharField()),
            "amount",
            "created_at",
            "pk",
        ),
    ]
    if unassessed:
        # At most one assessment is in force per declaration (``assessment_one_current``),
        # so no ordering or slice is needed inside the union.
        parts.append(
            DutyAssessment.objects.filter(declaration_id__in=unassessed)
            .exclude(status=AssessmentStatus.SUPERSEDED)
            .order_by()
            .values_list(
                Value(_ASSESSMENT, output_field=IntegerField()),
                "declaration_id",
                "status",
                "currency",
                "total",
                "computed_at",
                "pk",
            )
        )
    first, *rest = parts
    return list(first.union(*rest, all=True))


def financial_state(
    *, declaration: Declaration, assessment: DutyAssessment | None = None
) -> FinancialState:
    """``assessment``: the assessment in force when the caller holds it (the one
    ``duties_assess`` just returned, so it is not read again); read here otherwise."""
    states = financial_states(
        declarations=[declaration],
        assessments=None if assessment is None else {declaration.pk: assessment},
    )
    return states[declaration.pk]


def financial_states(
    *,
    declarations: Sequence[Declaration],
    assessments: Mapping[int, DutyAssessment] | None = None,
    just_lodged: bool = False,
) -> dict[int, FinancialState]:
    """``financial_state`` of each declaration (by id), in one query for the batch.
    ``assessments``: the assessment in force of those declarations whose assessment the
    caller holds (what ``duties_assess_many`` returned), by declaration id; the others'
    are read. ``just_lodged``: the declarations were lodged in the caller's transaction,
    so no payment or guarantee movement can exist for them yet: with every assessment
    held, nothing is read."""
    held = assessments or {}
    ids = [d.pk for d in declarations]
    if not ids:
        return {}
    rows: dict[int, list[MoneyRow]] = {pk: [] for pk in ids}
    if not (just_lodged and all(pk in held for pk in ids)):
        for row in _money_rows(ids, [pk for pk in ids if pk not in held]):
            rows[row[1]].append(row)
    return {d.pk: _state(rows[d.pk], held.get(d.pk), d.status in CLOSED) for d in declarations}


def _state(
    rows: list[MoneyRow], assessment: DutyAssessment | None, closed: bool = False
) -> FinancialState:
    found: tuple[str, str, Decimal, int] | None
    if assessment is not None:
        # As read back from the database (the column keeps three decimals), so the
        # figures are the same whether the assessment was passed or read.
        total = assessment.total.quantize(MONEY_EXPONENT)
        found = (assessment.status, assessment.currency, total, assessment.pk)
    else:
        found = next(((r[2], r[3], r[4], r[6]) for r in rows if r[0] == _ASSESSMENT), None)
    status: str | None
    assessment_id: int | None
    if found is None:
        status, currency, due, assessment_id = None, national_currency(), ZERO, None
    else:
        status, currency, due, assessment_id = found
    payments = sorted((r for r in rows if r[0] == _PAYMENT), key=lambda r: (r[5], r[6]))
    movements = [r for r in rows if r[0] == _MOVEMENT]
    # Paid: confirmed payments in the assessment's currency and amounts drawn from a
    # guarantee; guaranteed: what is still reserved (TFA 7.3: release against a guarantee).
    paid = _sum(r[4] for r in payments if r[2] == PaymentStatus.CONFIRMED and r[3] == currency)
    paid += _sum(r[4] for r in movements if r[2] == MovementKind.SETTLE)
    reserved = _sum(r[4] for r in movements if r[2] == MovementKind.RESERVE)
    guaranteed = reserved - _sum(
        r[4] for r in movements if r[2] in (MovementKind.RELEASE, MovementKind.SETTLE)
    )
    outstanding = ZERO if closed else max(due - paid, ZERO)
    return FinancialState(
        amount_due=due,
        currency=currency,
        paid=paid,
        guaranteed=guaranteed,
        settled_for_release=not closed and assessment_id is not None and guaranteed >= outstanding,
        payment_status=payments[-1][2] if payments else None,
        outstanding=outstanding,
        assessment_id=assessment_id,
        assessment_status=status,
        closed=closed,
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
