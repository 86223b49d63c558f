"""Agency reviews: decisions with reasons (TFA 4), questions to the trader with the clock
stopped, and sequencing between agencies. Routing a declaration to the agencies that
must act (TFA 8, 10.4) is in ``routing``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.accounts.models import Organisation
from ventanilla.agencies import notices
from ventanilla.agencies.choices import (
    Decision,
    InformationRequestStatus,
    ReviewStatus,
    SecondTestStatus,
)
from ventanilla.agencies.models import (
    AgencyReview,
    InformationRequest,
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
from ventanilla.agencies.services._common import (
    DECIDE,
    SELF,
    changed,
    check_path,
    lock_review,
    release_waiting,
    require_perm,
    require_trader_side,
    review_move,
)
from ventanilla.agencies.services.inspections import inspection_join_open
from ventanilla.agencies.services.routing import (
    ReviewRequest,
    notify_inspection_selected,
    reviews_open,
    reviews_open_many,
    reviews_withdraw,
)
from ventanilla.audit.services import audit_record
from ventanilla.core.errors import ConflictError
from ventanilla.declarations.choices import Milestone, MilestoneSource
from ventanilla.declarations.status import milestone_record

# Routing lives in ``routing``; its services are still reached from here.
__all__ = [
    "ReviewRequest",
    "information_answer",
    "information_request",
    "review_decide",
    "review_start",
    "reviews_open",
    "reviews_open_many",
    "reviews_withdraw",
]

S = ReviewStatus


def _is_customs(agency: Organisation) -> bool:
    return agency.agency_function == "customs"


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
            source=MilestoneSource.AGENCIES,
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
            source=MilestoneSource.AGENCIES,
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
        notify_inspection_selected(review, expected_at=joined.scheduled_at if joined else None)
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


def _notify_decided(review: AgencyReview) -> None:
    adverse = review.inspection_participations.filter(samples__adverse=True).exists()
    notices.review_decided(review, second_test_available=adverse and review.status == S.REJECTED)
