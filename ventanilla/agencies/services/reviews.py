"""Agency reviews: routing a declaration to the agencies that must act (TFA 8, 10.4),
decisions with reasons (TFA 4), questions to the trader with the clock stopped, and
sequencing between agencies."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.accounts.models import Organisation
from ventanilla.agencies import notices
from ventanilla.agencies.choices import (
    OPEN_INSPECTION,
    OPEN_REVIEW,
    Decision,
    InformationRequestStatus,
    Priority,
    ReasonCategory,
    ReviewStatus,
    SecondTestStatus,
)
from ventanilla.agencies.models import (
    AgencyReview,
    InformationRequest,
    Inspection,
    RequirementLine,
    ReviewEvent,
    SecondTestRequest,
)
from ventanilla.agencies.rules import (
    DECISION_RULES,
    AnswerGiven,
    DecisionContext,
    MessageGiven,
    TextContext,
    enforce,
)
from ventanilla.agencies.selectors import customs_agency, requirements_for_facts
from ventanilla.agencies.services._common import (
    DECIDE,
    SELF,
    changed,
    check_path,
    clock_start,
    lock_review,
    lock_with_round,
    release_waiting,
    require_perm,
    require_trader_side,
    review_move,
)
from ventanilla.agencies.services.inspections import inspection_cancel, inspection_join_open
from ventanilla.agencies.slots import inspection_next_slot
from ventanilla.audit.services import audit_record
from ventanilla.core.errors import BusinessError, ConflictError
from ventanilla.declarations.choices import Channel, Milestone
from ventanilla.declarations.facts import declaration_facts
from ventanilla.declarations.models import Declaration
from ventanilla.declarations.status import milestone_record

S = ReviewStatus
# Customs acts on its own documentary or physical check when no line sets its level.
CUSTOMS_SLA_HOURS = 24
CUSTOMS_PERISHABLE_SLA_HOURS = 4


def _is_customs(agency: Organisation) -> bool:
    return agency.agency_function == "customs"


def _reference_day(declaration: Declaration) -> dt.date:
    """The matrix in force when the declaration was lodged (ADR 0004)."""
    return (
        timezone.localdate(declaration.lodged_at)
        if declaration.lodged_at
        else (timezone.localdate())
    )


def reviews_open(
    *,
    declaration: Declaration,
    channel: str,
    by: Any | None,
    reopen: bool = False,
    reason_category: str = ReasonCategory.OTHER,
    facts: dict[str, Any] | None = None,
    first_round: bool = False,
    savepoint: bool = True,
) -> list[AgencyReview]:
    """Open one review per agency whose requirement lines match the declaration, plus
    customs on a yellow (documentary check) or red (physical examination) channel.

    Idempotent: a second call for the same declaration version returns the reviews
    already open. After an amendment call it with ``reopen=True``: the open reviews of
    the earlier round are superseded and a new round is opened. ``reason_category`` is
    what the trader is told when customs selects the goods for examination.

    For the orchestrator, which routes a declaration it has just lodged:
    - ``facts``: ``declaration_facts(declaration)`` when the caller already has it;
    - ``first_round=True``: the declaration was lodged in the caller's own transaction,
      so no other transaction sees it and it has no review yet: it is neither locked nor
      read again (the caller's instance is used as it is);
    - ``savepoint=False``: the caller never catches an error of this service, so an
      error may fail the caller's whole transaction; saves a savepoint's round trips."""
    if reason_category not in ReasonCategory.values:
        raise BusinessError.single(
            "reason_category_invalid", _("This is not a reason category."), "reason_category"
        )
    with transaction.atomic(savepoint=savepoint):
        return _open(
            declaration,
            channel=channel,
            by=by,
            reopen=reopen,
            reason_category=reason_category,
            facts=facts,
            first_round=first_round,
        )


def _open(
    declaration: Declaration,
    *,
    channel: str,
    by: Any | None,
    reopen: bool,
    reason_category: str,
    facts: dict[str, Any] | None,
    first_round: bool,
) -> list[AgencyReview]:
    last: int | None = None
    if not first_round:
        declaration, last = lock_with_round(declaration)
    if last is not None:
        existing = list(
            AgencyReview.objects.filter(declaration=declaration, round=last)
            .select_related("agency")
            .order_by("sequence", "agency__name", "pk")
        )
        if not reopen or (existing and existing[0].declaration_version == declaration.version):
            return existing
    now = timezone.now()
    if last is not None:
        _supersede(declaration, by=by, at=now)
    lines = requirements_for_facts(
        facts=declaration_facts(declaration) if facts is None else facts,
        day=_reference_day(declaration),
    )
    by_agency: dict[int, list[RequirementLine]] = defaultdict(list)
    agencies: dict[int, Organisation] = {}
    for line in lines:
        by_agency[line.agency_id].append(line)
        agencies[line.agency_id] = line.agency
    customs: Organisation | None = None
    if channel in (Channel.YELLOW, Channel.RED):
        customs = customs_agency()
        if customs is None:
            raise ConflictError(
                "customs_agency_missing", _("No customs administration is configured."), "channel"
            )
        agencies.setdefault(customs.pk, customs)
        by_agency.setdefault(customs.pk, [])
    round_no = (last or 0) + 1
    perishable = declaration.is_perishable
    sequences = {pk: min((ln.sequence for ln in ls), default=0) for pk, ls in by_agency.items()}
    reviews: list[AgencyReview] = []
    for agency_id, agency_lines in sorted(
        by_agency.items(), key=lambda kv: (sequences[kv[0]], kv[0])
    ):
        agency = agencies[agency_id]
        review = _create_review(
            declaration,
            agency,
            agency_lines,
            round_no=round_no,
            now=now,
            sequence=sequences[agency_id],
            perishable=perishable,
            lower_exists=any(s < sequences[agency_id] for s in sequences.values()),
            channel=channel if customs is not None and agency_id == customs.pk else "",
            reason_category=reason_category,
            by=by,
        )
        reviews.append(review)
    return sorted(reviews, key=lambda r: (r.sequence, r.agency.name, r.pk))


def _supersede(
    declaration: Declaration, *, by: Any | None, at: dt.datetime, reason: str | None = None
) -> None:
    reason = reason or _("Declaration amended (version %(v)s): the agencies review it again.") % {
        "v": declaration.version
    }
    for open_inspection in Inspection.objects.filter(
        declaration=declaration, status__in=OPEN_INSPECTION
    ):
        inspection_cancel(inspection=open_inspection, reason=reason, by=None)
    for review in (
        AgencyReview.objects.select_for_update(of=SELF)
        .select_related("agency")
        .filter(declaration=declaration, status__in=OPEN_REVIEW)
    ):
        review.paused_at = None
        review_move(review, S.SUPERSEDED, by=by, at=at, reason=reason)
        review.information_requests.filter(status=InformationRequestStatus.OPEN).update(
            status=InformationRequestStatus.WITHDRAWN
        )
        audit_record(
            verb="agency_review.superseded",
            target=review,
            by=by,
            organisation=review.agency,
            payload={"version": declaration.version},
        )
        changed(review, by)


def _create_review(
    declaration: Declaration,
    agency: Organisation,
    lines: list[RequirementLine],
    *,
    round_no: int,
    now: dt.datetime,
    sequence: int,
    perishable: bool,
    lower_exists: bool,
    channel: str,
    reason_category: str,
    by: Any | None,
) -> AgencyReview:
    if perishable:  # TFA 7.9: the shortest time the lines allow
        sla = min((ln.perishable_sla_hours for ln in lines), default=CUSTOMS_PERISHABLE_SLA_HOURS)
    else:
        sla = min((ln.sla_hours for ln in lines), default=CUSTOMS_SLA_HOURS)
    documents = sorted({ln.document_type_code for ln in lines if ln.document_type_code})
    if channel == Channel.RED:
        status = S.INSPECTION_REQUIRED
    else:
        status = S.WAITING if lower_exists else S.PENDING
    review = AgencyReview(
        declaration=declaration,
        agency=agency,
        round=round_no,
        declaration_version=declaration.version,
        status=status,
        sequence=sequence,
        required_documents=documents,
        risk_channel=channel,
        priority=Priority.PERISHABLE if perishable else Priority.NORMAL,
        sla_hours=sla,
    )
    if status != S.WAITING:
        clock_start(review, now)
    if status == S.INSPECTION_REQUIRED:
        review.reason_category = reason_category
        review.reason = _("Selected for physical examination by risk management (TFA 7.4).")
    review.save()
    if lines:
        # A new review has no lines yet: insert the links at once (``set`` first reads
        # the links it would replace).
        through = AgencyReview.requirement_lines.through
        through.objects.bulk_create(
            [through(agencyreview_id=review.pk, requirementline_id=ln.pk) for ln in lines]
        )
    keys = [ln.key for ln in lines]
    why = [_("Requirement lines: %(keys)s") % {"keys": ", ".join(keys)}] if keys else []
    if channel:
        why.append(_("Customs check, channel %(channel)s") % {"channel": channel})
    ReviewEvent.objects.create(
        review=review,
        from_status="",
        to_status=status,
        at=now,
        actor=by if getattr(by, "pk", None) else None,
        reason="; ".join(why)[:1000],
        reason_category=review.reason_category,
    )
    audit_record(
        verb="agency_review.opened",
        target=review,
        by=by,
        organisation=agency,
        payload={
            "declaration": declaration.pk,
            "round": round_no,
            "status": status,
            "lines": keys,
            "channel": channel,
        },
    )
    if status == S.INSPECTION_REQUIRED:
        _notify_inspection_selected(review, expected_at=None)
    changed(review, by)
    return review


@transaction.atomic
def reviews_withdraw(*, declaration: Declaration, reason: str, by: Any | None) -> None:
    """The declaration was cancelled: open reviews leave the queues, open information
    requests are withdrawn and a booked inspection is cancelled."""
    declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
    _supersede(declaration, by=by, at=timezone.now(), reason=reason)


@transaction.atomic
def review_start(*, review: AgencyReview, by: Any | None) -> AgencyReview:
    """An officer takes the review: its status shows the agency is on it."""
    review = lock_review(review)
    require_perm(by, DECIDE, review.agency)
    check_path(review.status, [S.IN_PROGRESS])
    _start(review, by=by, at=timezone.now())
    audit_record(verb="agency_review.started", target=review, by=by, organisation=review.agency)
    changed(review, by)
    return review


def _start(review: AgencyReview, *, by: Any | None, at: dt.datetime) -> None:
    review.started_at = at
    review.assigned_to = by if getattr(by, "pk", None) else None
    review_move(review, S.IN_PROGRESS, by=by, at=at)
    if _is_customs(review.agency):
        milestone_record(
            declaration=review.declaration,
            milestone=Milestone.DOCUMENT_CHECK_START,
            by=by,
            at=at,
            source="agencies",
        )


def _second_test_open(review: AgencyReview) -> bool:
    return SecondTestRequest.objects.filter(
        sample__participant__review=review, status=SecondTestStatus.REQUESTED
    ).exists()


@transaction.atomic
def review_decide(
    *,
    review: AgencyReview,
    decision: str,
    reason: str = "",
    reason_category: str = "",
    by: Any | None,
) -> AgencyReview:
    """Approve, reject or send to inspection, in one action (a pending review is started
    first). The reason is mandatory to reject or inspect (TFA 4); the trader is told the
    agency and the reason category, never the officer's words (TFA 5.2)."""
    review = lock_review(review)
    require_perm(by, DECIDE, review.agency)
    reason, reason_category = (reason or "").strip(), reason_category or ""
    enforce(
        DECISION_RULES,
        DecisionContext(
            review.status, decision, reason, reason_category, _second_test_open(review)
        ),
    )
    target = {
        Decision.APPROVE: S.APPROVED,
        Decision.REJECT: S.REJECTED,
        Decision.INSPECT: S.INSPECTION_REQUIRED,
    }[Decision(decision)]
    path = ([S.IN_PROGRESS] if review.status == S.PENDING else []) + [target]
    check_path(review.status, path)
    now = timezone.now()
    if review.status == S.PENDING:
        _start(review, by=by, at=now)
    review.reason, review.reason_category = reason, reason_category
    if target != S.INSPECTION_REQUIRED:
        review.decided_at, review.decided_by = now, by if getattr(by, "pk", None) else None
    review_move(review, target, by=by, at=now, reason=reason, reason_category=reason_category)
    if _is_customs(review.agency):
        milestone_record(
            declaration=review.declaration,
            milestone=Milestone.DOCUMENT_CHECK_END,
            by=by,
            at=now,
            source="agencies",
        )
    audit_record(
        verb="agency_review.decided",
        target=review,
        by=by,
        organisation=review.agency,
        payload={"decision": decision, "reason": reason, "reason_category": reason_category},
    )
    changed(review, by)
    if target == S.INSPECTION_REQUIRED:
        joined = inspection_join_open(review=review, by=by, at=now)
        _notify_inspection_selected(review, expected_at=joined.scheduled_at if joined else None)
    else:
        _notify_decided(review)
    if target == S.APPROVED:
        release_waiting(declaration=review.declaration, round_no=review.round, by=by, at=now)
    return review


@transaction.atomic
def information_request(
    *, review: AgencyReview, message: str, by: Any | None
) -> InformationRequest:
    """Ask the trader a question; the review's clock stops until the answer."""
    review = lock_review(review)
    require_perm(by, DECIDE, review.agency)
    enforce([MessageGiven()], TextContext(message or ""))
    path = ([S.IN_PROGRESS] if review.status == S.PENDING else []) + [S.INFORMATION_REQUESTED]
    check_path(review.status, path)
    now = timezone.now()
    if review.status == S.PENDING:
        _start(review, by=by, at=now)
    review.paused_at = now
    review_move(review, S.INFORMATION_REQUESTED, by=by, at=now)
    request = InformationRequest.objects.create(
        review=review,
        message=message.strip(),
        requested_at=now,
        requested_by=by if getattr(by, "pk", None) else None,
    )
    audit_record(
        verb="information_request.created",
        target=request,
        by=by,
        organisation=review.agency,
        payload={"review": review.pk},
    )
    changed(review, by)
    notices.information_requested(review, request)
    return request


@transaction.atomic
def information_answer(
    *, request: InformationRequest, answer: str, by: Any | None
) -> InformationRequest:
    """The trader's answer: the review's clock restarts and ``due_at`` moves by exactly
    the time it was stopped."""
    request = InformationRequest.objects.select_for_update(of=SELF).get(pk=request.pk)
    review = lock_review(request.review)
    organisation = require_trader_side(by, review.declaration)
    enforce([AnswerGiven()], TextContext(answer or ""))
    if request.status != InformationRequestStatus.OPEN:
        raise ConflictError(
            "request_not_open", _("This request is no longer awaiting an answer."), None
        )
    check_path(review.status, [S.IN_PROGRESS])
    now = timezone.now()
    paused = int((now - review.paused_at).total_seconds()) if review.paused_at else 0
    request.status = InformationRequestStatus.ANSWERED
    request.answer = answer.strip()
    request.answered_at = now
    request.answered_by = by if getattr(by, "pk", None) else None
    request.answered_organisation = organisation
    request.paused_seconds = paused
    request.save()
    if review.due_at is not None:
        review.due_at += dt.timedelta(seconds=paused)
    review.paused_seconds += paused
    review.paused_at = None
    review_move(
        review,
        S.IN_PROGRESS,
        by=by,
        at=now,
        organisation=organisation,
        reason=_("The trader answered."),
    )
    audit_record(
        verb="information_request.answered",
        target=request,
        by=by,
        organisation=organisation,
        payload={"paused_seconds": paused},
    )
    changed(review, by)
    return request


def _notify_inspection_selected(review: AgencyReview, *, expected_at: dt.datetime | None) -> None:
    """TFA 5.2: without an appointment yet, the first free slot is the expected time."""
    declaration = review.declaration
    location = declaration.discharge_location or declaration.loading_location
    if expected_at is None and location:
        expected_at = inspection_next_slot(location=location, perishable=declaration.is_perishable)
    notices.inspection_selected(review, expected_at=expected_at)


def _notify_decided(review: AgencyReview) -> None:
    adverse = review.inspection_participations.filter(samples__adverse=True).exists()
    notices.review_decided(review, second_test_available=adverse and review.status == S.REJECTED)
