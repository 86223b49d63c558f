"""The single-window flow: lodge once, every agency acts, release at arrival.

TFA 7.1 pre-arrival processing: risk assessment, agency routing and duties all happen at
lodgement, before the goods arrive; ``declaration_progress`` then moves the declaration
as reviews, inspections and payments settle, and releases it the moment arrival is
reported if nothing is outstanding. TFA 10.4: one submission reaches every agency.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.accounts.models import Organisation
from ventanilla.agencies.services.reviews import reviews_withdraw
from ventanilla.audit.services import audit_batch, audit_record
from ventanilla.clearance import batch
from ventanilla.core.errors import BusinessError
from ventanilla.declarations import services as declarations
from ventanilla.declarations.choices import Milestone, Status
from ventanilla.declarations.models import TRADE_PARTIES, Declaration
from ventanilla.declarations.selectors import moved_or_held_by
from ventanilla.declarations.status import milestones_record
from ventanilla.notifications.services import notify
from ventanilla.payments.selectors import FinancialState
from ventanilla.payments.services.guarantee import guarantee_release


def _locked(declaration: Declaration) -> Declaration:
    # Locks the declaration row only; the parties come along for the notices and the
    # caller's response (no lazy reads of trader, declarant and carrier afterwards).
    return (
        Declaration.objects.select_for_update(of=("self",))
        .select_related(*TRADE_PARTIES)
        .get(pk=declaration.pk)
    )


def declaration_assess(
    *, declaration: Declaration, by: Any, reopen: bool = False, just_lodged: bool = False
) -> Declaration:
    """Risk channel, agency routing and duties for the declaration's current version
    (clearance.batch, a batch of one).

    ``just_lodged``: the declaration was lodged in the caller's transaction, which fails
    as a whole on any error here: it is not re-read or locked, since only this
    transaction can see it, and no savepoints are taken (TFA 7.1: all of it before
    arrival, in one step)."""
    with transaction.atomic(savepoint=not just_lodged):
        target = declaration if just_lodged else _locked(declaration)
        return batch.declarations_assess(
            declarations=[target], by=by, reopen=reopen, first_round=just_lodged
        )[0]


@audit_batch()
def declaration_submit(
    *, data: dict[str, Any], declarant: Organisation, by: Any
) -> declarations.Lodged:
    """Lodge and assess in one transaction: either the declaration is accepted, routed
    and assessed, or nothing is stored."""
    lodged = declarations.declaration_lodge(data=data, declarant=declarant, by=by, savepoint=False)
    if not lodged.created:
        return lodged
    assessed = declaration_assess(declaration=lodged.declaration, by=by, just_lodged=True)
    return declarations.Lodged(assessed, True)


def declarations_submit_bulk(
    *, rows: Sequence[dict[str, Any]], declarant: Organisation, by: Any
) -> list[declarations.Lodged]:
    """Bulk lodgement stores and accepts every declaration in one transaction, then the
    worker assesses them (tasks enqueued on commit, one per ``ASSESS_CHUNK``)."""
    from ventanilla.clearance.tasks import ASSESS_CHUNK, assess_declarations

    with transaction.atomic():
        lodged = declarations.declarations_lodge(rows=rows, declarant=declarant, by=by)
        created = [x.declaration.pk for x in lodged if x.created]
        user_id = getattr(by, "pk", None)

        def enqueue() -> None:
            for start in range(0, len(created), ASSESS_CHUNK):
                assess_declarations.enqueue(created[start : start + ASSESS_CHUNK], user_id)

        transaction.on_commit(enqueue)
    return lodged


@audit_batch()
def declaration_amend_and_assess(
    *, declaration: Declaration, data: dict[str, Any], reason: str, by: Any
) -> Declaration:
    version = declaration.version
    amended = declarations.declaration_amend(
        declaration=declaration, data=data, reason=reason, by=by
    )
    if amended.version != version:
        declaration_assess(declaration=amended, by=by, reopen=True)
        amended.refresh_from_db()
    return amended


@audit_batch()
def declaration_cancel_and_close(
    *, declaration: Declaration, reason: str, by: Any, organisation: Organisation | None = None
) -> Declaration:
    """Cancel before release, and close what hung on it: agencies' open reviews leave the
    queues, a guarantee reservation is released (TFA 7.3) and the parties are told."""
    already = declaration.status == Status.CANCELLED
    cancelled = declarations.declaration_cancel(
        declaration=declaration, reason=reason, by=by, organisation=organisation
    )
    if already:
        return cancelled
    reviews_withdraw(
        declaration=cancelled, reason=_("The declaration was cancelled by its declarant."), by=by
    )
    guarantee_release(declaration=cancelled, by=by)
    notify(
        organisations=batch.trade_parties(cancelled),
        kind="declaration_cancelled",
        declaration_id=cancelled.pk,
        by=by,
        params={"reference": cancelled.mrn or cancelled.lrn},
    )
    return cancelled


def declaration_progress(
    *,
    declaration: Declaration,
    by: Any,
    money: FinancialState | None = None,
    savepoint: bool = True,
) -> Declaration:
    """Move the declaration to the status its reviews, inspections, payments and arrival
    call for. Safe to call any number of times. ``money``: the financial state when the
    caller has just computed it in this transaction; ``savepoint=False`` for callers
    that never catch its errors inside their transaction."""
    with transaction.atomic(savepoint=savepoint), audit_batch(savepoint=False):
        locked = _locked(declaration)
        held = {locked.pk: money} if money is not None else None
        return batch.declarations_progress(declarations=[locked], by=by, money=held)[0]


@audit_batch()
def arrival_report(
    *,
    organisation: Organisation,
    by: Any,
    conveyance_ref: str = "",
    mrns: Sequence[str] = (),
    arrived_at: dt.datetime | None = None,
    location: str = "",
) -> list[Declaration]:
    """The carrier or terminal reports that goods have arrived (a whole conveyance, or
    named declarations). Every declaration already cleared is released at once."""
    if not conveyance_ref and not mrns:
        raise BusinessError.single(
            "arrival_target_missing",
            _("Give the conveyance or the MRNs that arrived."),
            "conveyance_ref",
        )
    arrived_at = arrived_at or timezone.now()
    qs = (
        Declaration.objects.select_for_update(of=("self",))
        .select_related(*TRADE_PARTIES)
        .filter(arrived_at__isnull=True)
        .exclude(status__in=[Status.CANCELLED, Status.REJECTED, Status.DRAFT])
    )
    if organisation.kind == "carrier":  # a carrier or a terminal: the goods it moves or holds
        qs = qs.filter(moved_or_held_by(organisation))
    qs = (
        qs.filter(conveyance_ref=conveyance_ref)
        if conveyance_ref
        else qs.filter(mrn__in=list(mrns))
    )
    arrived = list(qs.order_by("pk"))
    now = timezone.now()
    for declaration in arrived:
        declaration.arrived_at, declaration.updated_at = arrived_at, now
    Declaration.objects.filter(pk__in=[d.pk for d in arrived]).update(
        arrived_at=arrived_at, updated_at=now
    )
    milestones_record(
        events=[(d, Milestone.ARRIVAL, arrived_at) for d in arrived],
        by=by,
        source=organisation.kind,
    )
    audit_record(
        verb="arrival.reported",
        target=("arrival", conveyance_ref or ",".join(mrns)),
        by=by,
        organisation=organisation,
        payload={
            "declarations": [d.mrn for d in arrived],
            "location": location,
            "arrived_at": arrived_at.isoformat(),
        },
    )
    # A whole conveyance is released in one step: everything settled goes at once.
    return batch.declarations_progress(declarations=arrived, by=by)
