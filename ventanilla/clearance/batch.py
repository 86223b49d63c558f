"""Assessment and progress of many declarations at once (ADR 0006).

The same flow as one declaration's — risk channel, agency routing, duties, then the
status its reviews and money call for (TFA 7.1: all of it before arrival) — with each
step taken for the whole batch: a fixed number of queries however many declarations
there are. One declaration is a batch of one; there is no second implementation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.accounts.models import Organisation
from ventanilla.agencies.choices import ReasonCategory
from ventanilla.agencies.notices import agency_names, both
from ventanilla.agencies.selectors import (
    ClearanceState,
    clearance_states,
    clearance_states_opened,
    reviews_current,
)
from ventanilla.agencies.services import (
    ReviewRequest,
    reviews_open,
    reviews_open_many,
    reviews_withdraw,
)
from ventanilla.audit.services import audit_batch
from ventanilla.declarations.choices import Channel, Milestone, MilestoneSource, Status
from ventanilla.declarations.facts import declaration_facts_many
from ventanilla.declarations.models import TRADE_PARTIES, Declaration
from ventanilla.declarations.status import Move, declarations_transition, milestones_record
from ventanilla.duties.services import duties_assess_many
from ventanilla.notifications.services import NoticeRequest, notify_many
from ventanilla.payments.selectors import FinancialState, financial_states
from ventanilla.payments.services.guarantee import guarantee_release
from ventanilla.risk import grounds
from ventanilla.risk.models import RiskAssessment
from ventanilla.risk.services import risk_assess_many

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


# Declarations whose assessment is under way in this context: the reviews it opens
# signal a change, but the assessment moves them itself once every step is done (and
# from the instances it holds, which a progress in between would leave stale).
_assessing: ContextVar[frozenset[int]] = ContextVar("clearance_assessing", default=frozenset())


def progress_deferred(declaration_id: int) -> bool:
    return declaration_id in _assessing.get()


def trade_parties(declaration: Declaration, carrier: bool = True) -> list[Organisation]:
    """The trader and the declarant; with ``carrier``, those that move or hold the goods
    too: the carrier and the terminal operator (TFA 5.2, 7.1)."""
    parties = TRADE_PARTIES if carrier else ("trader", "declarant")
    orgs = [getattr(declaration, party) for party in parties]
    unique: dict[int, Organisation] = {o.pk: o for o in orgs if o is not None}
    return list(unique.values())


def _reason(assessment: RiskAssessment) -> str:
    if assessment.channel not in (Channel.YELLOW, Channel.RED):
        return ReasonCategory.OTHER
    return _SELECTION_REASONS[grounds.selection_ground(assessment=assessment)]


def declarations_assess(
    *,
    declarations: Sequence[Declaration],
    by: Any,
    reopen: bool = False,
    first_round: bool = False,
) -> list[Declaration]:
    """Risk channel, agency routing and duties for each declaration's current version,
    then its progress, as one step of the caller's transaction, which holds the
    declarations' locks (their trader, declarant and carrier loaded). The first refusal
    raises and the caller's transaction fails whole.

    ``first_round``: lodged in the caller's transaction, never routed. ``reopen``: after
    an amendment, the earlier round of reviews is superseded."""
    if not declarations:
        return []
    token = _assessing.set(_assessing.get() | {d.pk for d in declarations})
    try:
        with transaction.atomic(savepoint=False), audit_batch(savepoint=False):
            return _assess(declarations, by=by, reopen=reopen, first_round=first_round)
    finally:
        _assessing.reset(token)


def _assess(
    declarations: Sequence[Declaration], *, by: Any, reopen: bool, first_round: bool
) -> list[Declaration]:
    # Read once, shared by risk, routing and duties.
    facts = declaration_facts_many(declarations)
    assessments = risk_assess_many(declarations=declarations, facts=facts, by=by)
    _set_channels(declarations, assessments)
    states: dict[int, ClearanceState] | None = None
    if reopen:
        for d in declarations:  # amendments come one at a time
            reviews_open(
                declaration=d,
                channel=assessments[d.pk].channel,
                by=by,
                reopen=True,
                reason_category=_reason(assessments[d.pk]),
                facts=facts[d.pk],
                savepoint=False,
            )
    else:
        opened = reviews_open_many(
            requests=[
                ReviewRequest(d, assessments[d.pk].channel, _reason(assessments[d.pk]), facts[d.pk])
                for d in declarations
            ],
            by=by,
            first_round=first_round,
        )
        if first_round:
            # Declarations lodged in this transaction have nothing else yet (no earlier
            # assessment, payment, guarantee movement, inspection, nor review but those
            # just opened): where they stand is known without reading it back.
            states = clearance_states_opened(reviews=opened)
    duties = duties_assess_many(
        declarations=declarations, facts=facts, by=by, first_round=first_round
    )
    money = financial_states(declarations=declarations, assessments=duties, just_lodged=first_round)
    # Duties are shown before payment (TFA 7.2), to the trader and its broker.
    due = [
        NoticeRequest(
            trade_parties(d, carrier=False),
            "duties_due",
            d.pk,
            {
                "reference": d.mrn,
                "amount": str(money[d.pk].amount_due),
                "currency": money[d.pk].currency,
            },
        )
        for d in declarations
        if not money[d.pk].settled_for_release
    ]
    if due:
        notify_many(notices=due, by=by)
    _assessing.set(_assessing.get() - {d.pk for d in declarations})
    return declarations_progress(declarations=declarations, by=by, money=money, states=states)


def _set_channels(
    declarations: Sequence[Declaration], assessments: Mapping[int, RiskAssessment]
) -> None:
    now = timezone.now()
    changed = []
    for d in declarations:
        if d.channel != assessments[d.pk].channel:
            d.channel, d.updated_at = assessments[d.pk].channel, now
            changed.append(d)
    for channel in {d.channel for d in changed}:
        Declaration.objects.filter(pk__in=[d.pk for d in changed if d.channel == channel]).update(
            channel=channel, updated_at=now
        )


def next_status(
    declaration: Declaration, state: ClearanceState, money: FinancialState
) -> tuple[str, str]:
    if state.any_rejected:
        return Status.REJECTED, _("Refused by a border agency.")
    if state.information_requested:
        return Status.INFORMATION_REQUESTED, _("An agency asked for more information.")
    if state.inspection_open or not state.all_approved:
        return Status.UNDER_CONTROL, _("Awaiting agency decisions or inspection.")
    if not money.settled_for_release:
        return Status.ACCEPTED, _("Awaiting payment of duties or a guarantee.")
    if declaration.arrived_at is None:
        return Status.READY_FOR_RELEASE, _("Everything settled before arrival (TFA 7.1).")
    return Status.RELEASED, _("Released: all agencies approved and duties settled.")


def declarations_progress(
    *,
    declarations: Sequence[Declaration],
    by: Any,
    money: Mapping[int, FinancialState] | None = None,
    states: Mapping[int, ClearanceState] | None = None,
) -> list[Declaration]:
    """Move each declaration to the status its reviews, inspections, payments and
    arrival call for (safe to repeat), as one step of the caller's transaction, which
    holds their locks. ``money`` and ``states``: financial and clearance states the
    caller has just computed."""
    moving = [d for d in declarations if d.status not in SETTLED]
    if not moving:
        return list(declarations)
    states = states if states is not None else clearance_states(declarations=moving)
    money = money if money is not None else financial_states(declarations=moving)
    moves, approvals = [], []
    for d in moving:
        target, reason = next_status(d, states[d.pk], money[d.pk])
        if target == d.status:
            continue
        if states[d.pk].all_approved and states[d.pk].required_agencies:
            approvals.append((d, Milestone.AGENCY_APPROVALS, None))
        moves.append(Move(d, target, reason))
    if not moves:
        return list(declarations)
    milestones_record(events=approvals, by=by, source=MilestoneSource.AGENCIES)
    declarations_transition(moves=moves, by=by)
    released = [m.declaration for m in moves if m.to_status == Status.RELEASED]
    rejected = [m.declaration for m in moves if m.to_status == Status.REJECTED]
    milestones_record(events=[(d, Milestone.RELEASE, d.released_at) for d in released], by=by)
    for d in rejected:
        # TFA 8: the other agencies stop work on goods already refused (their open
        # reviews leave the queues, a booked inspection is cancelled), and TFA 7.3: a
        # guarantee held for the goods is given back.
        reviews_withdraw(
            declaration=d, reason=_("Refused by another border agency: no review is needed."), by=by
        )
        guarantee_release(declaration=d, by=by)
    notices = [_released(d) for d in released] + [_rejected(d) for d in rejected]
    if notices:
        notify_many(notices=notices, by=by)
    return list(declarations)


def _released(declaration: Declaration) -> NoticeRequest:
    # The release reaches trader, broker and carrier/terminal at the same moment.
    return NoticeRequest(
        trade_parties(declaration),
        "released",
        declaration.pk,
        {
            "reference": declaration.mrn,
            "released_at": declaration.released_at.isoformat() if declaration.released_at else "",
            "location": declaration.discharge_location,
        },
    )


def _rejected(declaration: Declaration) -> NoticeRequest:
    refusal = next(
        (r for r in reviews_current(declaration=declaration) if r.status == "rejected"), None
    )
    return NoticeRequest(
        trade_parties(declaration, carrier=False),
        "declaration_rejected",
        declaration.pk,
        {
            "reference": declaration.mrn,
            "agency": agency_names([refusal.agency]) if refusal else "",
            # Both languages: each reader sees the category in their own.
            # The lazy label, so that each language gets its own words.
            "reason_category": both(ReasonCategory(refusal.reason_category).label)
            if refusal and refusal.reason_category
            else "",
        },
    )
