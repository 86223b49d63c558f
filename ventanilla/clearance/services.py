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
from ventanilla.agencies.choices import ReasonCategory
from ventanilla.agencies.notices import both
from ventanilla.agencies.selectors import ClearanceState, clearance_state, reviews_current
from ventanilla.agencies.services import reviews_open
from ventanilla.agencies.services.reviews import reviews_withdraw
from ventanilla.audit.services import audit_batch, audit_record
from ventanilla.core.errors import BusinessError
from ventanilla.declarations import services as declarations
from ventanilla.declarations.choices import Channel, Milestone, Status
from ventanilla.declarations.facts import declaration_facts
from ventanilla.declarations.models import Declaration
from ventanilla.declarations.status import declaration_transition, milestone_record
from ventanilla.duties.services import duties_assess
from ventanilla.notifications.services import notify
from ventanilla.payments.selectors import FinancialState, financial_state
from ventanilla.payments.services.guarantee import guarantee_release
from ventanilla.risk import grounds
from ventanilla.risk.services import risk_assess

# TFA 5.2: what the trader and carrier are told of a customs selection is its ground,
# never the profile (risk.grounds); in the agencies' reason categories.
_SELECTION_REASONS = {
    grounds.RANDOM: ReasonCategory.RANDOM_CHECK,
    grounds.SANITARY: ReasonCategory.SANITARY_RISK,
    grounds.PHYTOSANITARY: ReasonCategory.PHYTOSANITARY_RISK,
    grounds.VALUATION: ReasonCategory.VALUATION,
    grounds.ORIGIN: ReasonCategory.ORIGIN,
    grounds.CLASSIFICATION: ReasonCategory.CLASSIFICATION,
    grounds.OTHER: ReasonCategory.OTHER,
}

# Statuses from which the flow no longer moves a declaration by itself.
SETTLED = frozenset(
    {Status.RELEASED, Status.CLEARED, Status.REJECTED, Status.CANCELLED, Status.DRAFT}
)


def declaration_assess(
    *, declaration: Declaration, by: Any, reopen: bool = False, just_lodged: bool = False
) -> Declaration:
    """Risk channel, agency routing and duties for the declaration's current version.

    ``just_lodged``: the declaration was lodged in the caller's transaction, which fails
    as a whole on any error here: nothing is re-read or locked that only this
    transaction can see, and no savepoints are taken (TFA 7.1: all of it before
    arrival, in one step)."""
    with transaction.atomic(savepoint=not just_lodged):
        return _assess(declaration, by=by, reopen=reopen, just_lodged=just_lodged)


def _assess(declaration: Declaration, *, by: Any, reopen: bool, just_lodged: bool) -> Declaration:
    savepoint = not just_lodged
    # Read once, shared by risk, routing and duties (each used to read the items again).
    facts = declaration_facts(declaration)
    assessment = risk_assess(declaration=declaration, by=by, facts=facts, savepoint=savepoint)
    if declaration.channel != assessment.channel:
        declaration.channel = assessment.channel
        declaration.save(update_fields=["channel", "updated_at"])
    reviews_open(
        declaration=declaration,
        channel=assessment.channel,
        by=by,
        reopen=reopen,
        reason_category=_SELECTION_REASONS[grounds.selection_ground(assessment=assessment)]
        if assessment.channel in (Channel.YELLOW, Channel.RED)
        else ReasonCategory.OTHER,
        facts=facts,
        first_round=just_lodged,
        savepoint=savepoint,
    )
    duties = duties_assess(declaration=declaration, by=by, facts=facts)
    money = financial_state(declaration=declaration, assessment=duties)
    if not money.settled_for_release:
        # Duties are shown before payment (TFA 7.2), to the trader and its broker.
        notify(
            organisations=_trade_parties(declaration, carrier=False),
            kind="duties_due",
            declaration_id=declaration.pk,
            by=by,
            params={
                "reference": declaration.mrn,
                "amount": str(money.amount_due),
                "currency": money.currency,
            },
        )
    return declaration_progress(declaration=declaration, by=by, money=money, savepoint=savepoint)


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
        organisations=_trade_parties(cancelled),
        kind="declaration_cancelled",
        declaration_id=cancelled.pk,
        by=by,
        params={"reference": cancelled.mrn or cancelled.lrn},
    )
    return cancelled


def _next_status(
    declaration: Declaration, state: ClearanceState, money: FinancialState | None
) -> tuple[str, str]:
    if state.any_rejected:
        return Status.REJECTED, _("Refused by a border agency.")
    if state.information_requested:
        return Status.INFORMATION_REQUESTED, _("An agency asked for more information.")
    if state.inspection_open or not state.all_approved:
        return Status.UNDER_CONTROL, _("Awaiting agency decisions or inspection.")
    money = money or financial_state(declaration=declaration)
    if not money.settled_for_release:
        return Status.ACCEPTED, _("Awaiting payment of duties or a guarantee.")
    if declaration.arrived_at is None:
        return Status.READY_FOR_RELEASE, _("Everything settled before arrival (TFA 7.1).")
    return Status.RELEASED, _("Released: all agencies approved and duties settled.")


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
    with transaction.atomic(savepoint=savepoint):
        return _progress(declaration, by=by, money=money)


def _progress(declaration: Declaration, *, by: Any, money: FinancialState | None) -> Declaration:
    # Locks the declaration row only; the parties come along for the notices and the
    # caller's response (no lazy reads of trader, declarant and carrier afterwards).
    declaration = (
        Declaration.objects.select_for_update(of=("self",))
        .select_related("trader", "declarant", "carrier")
        .get(pk=declaration.pk)
    )
    if declaration.status in SETTLED:
        return declaration
    state = clearance_state(declaration=declaration)
    target, reason = _next_status(declaration, state, money)
    if target == declaration.status:
        return declaration
    if state.all_approved and state.required_agencies:
        milestone_record(declaration=declaration, milestone=Milestone.AGENCY_APPROVALS, by=by)
    declaration_transition(declaration=declaration, to_status=target, by=by, reason=reason)
    if target == Status.RELEASED:
        _released(declaration, by)
    elif target == Status.REJECTED:
        refusal = next(
            (r for r in reviews_current(declaration=declaration) if r.status == "rejected"), None
        )
        notify(
            organisations=_trade_parties(declaration, carrier=False),
            kind="declaration_rejected",
            declaration_id=declaration.pk,
            by=by,
            params={
                "reference": declaration.mrn,
                "agency": refusal.agency.name if refusal else "",
                # Both languages: each reader sees the category in their own.
                "reason_category": both(refusal.get_reason_category_display())
                if refusal and refusal.reason_category
                else "",
            },
        )
    return declaration


def _trade_parties(declaration: Declaration, carrier: bool = True) -> list[Organisation]:
    orgs = [declaration.trader, declaration.declarant, declaration.carrier if carrier else None]
    unique: dict[int, Organisation] = {o.pk: o for o in orgs if o is not None}
    return list(unique.values())


def _released(declaration: Declaration, by: Any) -> None:
    milestone_record(
        declaration=declaration, milestone=Milestone.RELEASE, by=by, at=declaration.released_at
    )
    # The release reaches trader, broker and carrier/terminal at the same moment.
    notify(
        organisations=_trade_parties(declaration),
        kind="released",
        declaration_id=declaration.pk,
        by=by,
        params={
            "reference": declaration.mrn,
            "released_at": declaration.released_at.isoformat() if declaration.released_at else "",
            "location": declaration.discharge_location,
        },
    )


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
        Declaration.objects.select_for_update()
        .filter(arrived_at__isnull=True)
        .exclude(status__in=[Status.CANCELLED, Status.REJECTED, Status.DRAFT])
    )
    if organisation.kind == "carrier":
        qs = qs.filter(carrier=organisation)
    qs = (
        qs.filter(conveyance_ref=conveyance_ref)
        if conveyance_ref
        else qs.filter(mrn__in=list(mrns))
    )
    arrived = list(qs.order_by("pk"))
    for declaration in arrived:
        declaration.arrived_at = arrived_at
        declaration.save(update_fields=["arrived_at", "updated_at"])
        milestone_record(
            declaration=declaration,
            milestone=Milestone.ARRIVAL,
            by=by,
            at=arrived_at,
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
    return [declaration_progress(declaration=d, by=by) for d in arrived]
