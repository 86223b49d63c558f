"""Guarantee accounts and their append-only ledger (TFA 7.3).

Release before the final determination may be made against a guarantee (7.3.1, 7.3.2);
the guarantee may not exceed the amount finally due (7.3.3) and is discharged when no
longer required (7.3.4). Lock order everywhere: declaration, then account.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from ventanilla.accounts.models import Organisation
from ventanilla.audit.services import audit_record
from ventanilla.declarations.choices import Milestone, MilestoneSource, Status
from ventanilla.declarations.models import Declaration
from ventanilla.declarations.status import milestone_record
from ventanilla.duties.choices import AssessmentStatus
from ventanilla.duties.money import money_str
from ventanilla.payments import rules
from ventanilla.payments.choices import GuaranteeStatus, MovementKind
from ventanilla.payments.models import GuaranteeAccount, GuaranteeMovement
from ventanilla.payments.selectors import (
    financial_state,
    guarantee_account_for,
    guarantee_balance,
    reservation_open,
)
from ventanilla.payments.signals import payment_state_changed

ENDED = (Status.CANCELLED, Status.REJECTED)


def _actor(by: Any | None) -> Any | None:
    return by if getattr(by, "pk", None) else None


def _lock(declaration: Declaration) -> Declaration:
    return Declaration.objects.select_for_update().select_related("trader").get(pk=declaration.pk)


def _move(
    account: GuaranteeAccount,
    kind: str,
    amount: Decimal,
    by: Any | None,
    declaration: Declaration | None = None,
    note: str = "",
) -> GuaranteeMovement:
    movement = GuaranteeMovement.objects.create(
        account=account,
        kind=kind,
        amount=amount,
        declaration=declaration,
        note=note,
        created_by=_actor(by),
    )
    audit_record(
        verb=f"guarantee.{kind}",
        target=account,
        by=by,
        organisation=account.holder,
        payload={
            "movement": movement.pk,
            "amount": str(amount),
            "currency": account.currency,
            "declaration": declaration.pk if declaration else None,
            "note": note,
        },
    )
    return movement


def _changed(declaration: Declaration) -> None:
    payment_state_changed.send(sender=GuaranteeMovement, payment=None, declaration=declaration)


@transaction.atomic
def guarantee_account_open(
    *,
    holder: Organisation,
    reference: str,
    currency: str,
    limit_amount: Decimal,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    by: Any | None,
) -> GuaranteeAccount:
    account = GuaranteeAccount(
        holder=holder,
        reference=reference,
        currency=currency,
        limit_amount=limit_amount,
        valid_from=valid_from,
        valid_to=valid_to,
        created_by=_actor(by),
    )
    account.full_clean()
    account.save()
    audit_record(
        verb="guarantee.opened",
        target=account,
        by=by,
        organisation=holder,
        payload={
            "reference": reference,
            "currency": currency,
            "limit": str(limit_amount),
            "valid_from": valid_from.isoformat(),
        },
    )
    return account


@transaction.atomic
def guarantee_account_set_status(
    *, account: GuaranteeAccount, status: str, by: Any | None
) -> GuaranteeAccount:
    account = GuaranteeAccount.objects.select_for_update().get(pk=account.pk)
    if account.status != GuaranteeStatus(status):
        previous, account.status = account.status, status
        account.save(update_fields=["status"])
        audit_record(
            verb="guarantee.status_changed",
            target=account,
            by=by,
            organisation=account.holder,
            payload={"from": previous, "to": status},
        )
    return account


@transaction.atomic
def guarantee_top_up(
    *, account: GuaranteeAccount, amount: Decimal, by: Any | None
) -> GuaranteeMovement:
    if amount <= 0:
        raise rules.InvalidAmount.refuse("amount")
    account = GuaranteeAccount.objects.select_for_update().get(pk=account.pk)
    return _move(account, MovementKind.TOP_UP, amount, by)


def _open_reserve(declaration: Declaration) -> GuaranteeMovement | None:
    _account, still = reservation_open(declaration=declaration)
    if still <= 0:
        return None
    return (
        GuaranteeMovement.objects.filter(declaration=declaration, kind=MovementKind.RESERVE)
        .order_by("-created_at", "-pk")
        .first()
    )


@transaction.atomic
def guarantee_reserve(
    *, declaration: Declaration, amount: Decimal, by: Any | None
) -> GuaranteeMovement:
    """Reserve ``amount`` of the trader's guarantee so the goods may be released before
    payment (TFA 7.3). One open reservation per declaration: a second call returns it.
    Refused, with nothing written, above the amount due (``guarantee_exceeds_due``) or
    the available balance (``guarantee_insufficient``)."""
    declaration = _lock(declaration)
    existing = _open_reserve(declaration)
    if existing is not None:
        return existing
    if amount <= 0:
        raise rules.InvalidAmount.refuse("amount")
    state = financial_state(declaration=declaration)
    if state.assessment_id is None:
        raise rules.NotAssessed.refuse()
    if amount > state.outstanding:
        raise rules.GuaranteeExceedsDue.refuse(
            "amount", due=money_str(state.outstanding, state.currency), currency=state.currency
        )
    found = guarantee_account_for(declaration=declaration)
    if found is None:
        raise rules.NoGuaranteeAccount.refuse()
    account = GuaranteeAccount.objects.select_for_update().select_related("holder").get(pk=found.pk)
    balance = guarantee_balance(account=account)
    if balance.available < amount:
        raise rules.GuaranteeInsufficient.refuse(
            "amount",
            available=money_str(balance.available, account.currency),
            currency=account.currency,
        )
    movement = _move(account, MovementKind.RESERVE, amount, by, declaration)
    if financial_state(declaration=declaration).settled_for_release:
        milestone_record(
            declaration=declaration,
            milestone=Milestone.PAYMENT,
            at=movement.created_at,
            source=MilestoneSource.GUARANTEE,
        )
    _changed(declaration)
    return movement


def reconcile_in_transaction(declaration: Declaration, by: Any | None) -> GuaranteeMovement | None:
    """Release what the reservation holds above what is still due (TFA 7.3.3); all of it
    when the declaration was cancelled or refused. Runs in the caller's transaction."""
    account, still = reservation_open(declaration=declaration)
    if account is None or still <= 0:
        return None
    state = financial_state(declaration=declaration)
    needed = Decimal(0) if declaration.status in ENDED else state.outstanding
    if still <= needed:
        return None
    account = (
        GuaranteeAccount.objects.select_for_update().select_related("holder").get(pk=account.pk)
    )
    return _move(
        account, MovementKind.RELEASE, still - needed, by, declaration, note="no longer required"
    )


@transaction.atomic
def guarantee_reconcile(*, declaration: Declaration, by: Any | None) -> GuaranteeMovement | None:
    """Bring the reservation down to what is still due (call after a re-assessment or
    the final determination). Idempotent: nothing to release writes nothing."""
    declaration = _lock(declaration)
    movement = reconcile_in_transaction(declaration, by)
    if movement is not None:
        _changed(declaration)
    return movement


@transaction.atomic
def guarantee_release(*, declaration: Declaration, by: Any | None) -> GuaranteeMovement | None:
    """Discharge the whole reservation once the final assessment is paid, or the
    declaration was cancelled or refused (TFA 7.3.4). ``None`` when nothing is reserved."""
    declaration = _lock(declaration)
    account, still = reservation_open(declaration=declaration)
    if account is None or still <= 0:
        return None
    state = financial_state(declaration=declaration)
    paid_final = state.assessment_status == AssessmentStatus.FINAL and state.outstanding == 0
    if not (paid_final or declaration.status in ENDED):
        raise rules.GuaranteeStillNeeded.refuse()
    account = (
        GuaranteeAccount.objects.select_for_update().select_related("holder").get(pk=account.pk)
    )
    movement = _move(account, MovementKind.RELEASE, still, by, declaration)
    _changed(declaration)
    return movement


@transaction.atomic
def guarantee_settle(
    *, declaration: Declaration, amount_paid: Decimal, by: Any | None
) -> GuaranteeMovement:
    """Draw ``amount_paid`` from the reservation to pay the final assessment, and
    release the rest of the reservation: the guarantee never covers more than the
    amount finally due (TFA 7.3.3)."""
    declaration = _lock(declaration)
    account, still = reservation_open(declaration=declaration)
    if account is None or still <= 0:
        raise rules.NoReservation.refuse()
    state = financial_state(declaration=declaration)
    if state.assessment_status != AssessmentStatus.FINAL:
        raise rules.NotFinal.refuse()
    if amount_paid <= 0:
        raise rules.InvalidAmount.refuse("amount_paid")
    if amount_paid > min(still, state.outstanding):
        raise rules.GuaranteeExceedsDue.refuse(
            "amount_paid",
            due=money_str(min(still, state.outstanding), state.currency),
            currency=state.currency,
        )
    account = (
        GuaranteeAccount.objects.select_for_update().select_related("holder").get(pk=account.pk)
    )
    settle = _move(account, MovementKind.SETTLE, amount_paid, by, declaration)
    if still > amount_paid:
        _move(
            account,
            MovementKind.RELEASE,
            still - amount_paid,
            by,
            declaration,
            note="no longer required",
        )
    _changed(declaration)
    return settle
