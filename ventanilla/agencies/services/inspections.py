"""Joint inspections (TFA 8, the "rainbow team"): every agency that decides to inspect
joins one appointment, the goods are presented once, and the appointment completes when
every agency has recorded its result. Perishables get the first free slot (TFA 7.9)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.agencies import notices
from ventanilla.agencies.choices import (
    INSPECTION_TRANSITIONS,
    OPEN_INSPECTION,
    InspectionResult,
    InspectionStatus,
    ReviewStatus,
)
from ventanilla.agencies.models import (
    AgencyReview,
    Inspection,
    InspectionEvent,
    InspectionParticipant,
)
from ventanilla.agencies.rules import RESULT_RULES, LocationValid, ResultContext, enforce
from ventanilla.agencies.selectors import last_round_of, officer_agency_ids
from ventanilla.agencies.services._common import (
    DECIDE,
    SELF,
    changed,
    forbidden,
    release_waiting,
    require_perm,
    review_move,
)
from ventanilla.agencies.slots import inspection_next_slot
from ventanilla.audit.services import audit_record
from ventanilla.core.errors import BusinessError, ConflictError
from ventanilla.declarations.choices import Milestone, MilestoneSource
from ventanilla.declarations.models import TRADE_PARTIES, Declaration
from ventanilla.declarations.status import milestone_record

IS = InspectionStatus


def _move(
    inspection: Inspection, to_status: str, *, by: Any | None, at: dt.datetime, reason: str = ""
) -> None:
    previous = inspection.status
    if to_status not in INSPECTION_TRANSITIONS[IS(previous)]:
        raise ConflictError(
            "inspection_transition_refused",
            _("An inspection cannot go from %(from)s to %(to)s.")
            % {"from": IS(previous).label, "to": IS(to_status).label},
            "status",
        )
    inspection.status = to_status
    inspection.save()
    InspectionEvent.objects.create(
        inspection=inspection,
        from_status=previous,
        to_status=to_status,
        at=at,
        reason=reason[:500],
        actor=by if getattr(by, "pk", None) else None,
    )


def _awaiting_inspection(declaration: Declaration) -> list[AgencyReview]:
    """Reviews of the current round whose agency decided to inspect."""
    return list(
        AgencyReview.objects.select_related("agency", "declaration")
        .filter(
            declaration=declaration,
            round=last_round_of(declaration.pk),
            status=ReviewStatus.INSPECTION_REQUIRED,
        )
        .order_by("pk")
    )


def _add_participants(
    inspection: Inspection, reviews: list[AgencyReview], at: dt.datetime
) -> list[InspectionParticipant]:
    present = set(inspection.participants.values_list("agency_id", flat=True))
    added = []
    for review in reviews:
        if review.agency_id not in present:
            added.append(
                InspectionParticipant.objects.create(
                    inspection=inspection, agency=review.agency, review=review, joined_at=at
                )
            )
            present.add(review.agency_id)
    return added


def _open_inspection(declaration: Declaration) -> Inspection | None:
    return (
        Inspection.objects.select_for_update(of=SELF)
        .filter(declaration=declaration, status__in=OPEN_INSPECTION)
        .first()
    )


@transaction.atomic
def inspection_book(
    *,
    declaration: Declaration,
    location: str,
    by: Any | None,
    scheduled_at: dt.datetime | None = None,
    place: str = "",
    duration_minutes: int = 30,
) -> Inspection:
    """Book the joint inspection, or join the one already booked: never a second
    appointment (TFA 8). Every agency of the declaration whose review awaits an
    inspection takes part. Without ``scheduled_at``, the first free slot (TFA 7.9)."""
    declaration = (
        Declaration.objects.select_for_update(of=SELF)
        .select_related(*TRADE_PARTIES)
        .get(pk=declaration.pk)
    )
    waiting = _awaiting_inspection(declaration)
    if by is not None:
        mine = set(officer_agency_ids(user=by))
        if not any(r.agency_id in mine for r in waiting):
            raise ConflictError(
                "inspection_not_required",
                _("None of your agency's reviews of this declaration awaits an inspection."),
                None,
            )
    now = timezone.now()
    inspection = _open_inspection(declaration)
    if inspection is not None:
        added = _add_participants(inspection, waiting, now)
        if added:
            audit_record(
                verb="inspection.joined",
                target=inspection,
                by=by,
                organisation=added[0].agency,
                payload={"agencies": [p.agency.code for p in added]},
            )
            for participant in added:
                changed(participant.review, by)
        return inspection
    location = (location or "").strip().upper()
    enforce([LocationValid()], location)
    perishable = declaration.is_perishable
    if scheduled_at is None:
        scheduled_at = inspection_next_slot(location=location, perishable=perishable, now=now)
    elif scheduled_at < now - dt.timedelta(minutes=5):
        raise BusinessError.single(
            "scheduled_in_past", _("An inspection cannot be booked in the past."), "scheduled_at"
        )
    inspection = Inspection.objects.create(
        declaration=declaration,
        location=location,
        place=place.strip()[:200],
        scheduled_at=scheduled_at,
        duration_minutes=max(duration_minutes, 5),
        is_perishable=perishable,
        booked_at=now,
        booked_by=by if getattr(by, "pk", None) else None,
    )
    InspectionEvent.objects.create(
        inspection=inspection,
        from_status="",
        to_status=IS.BOOKED,
        at=now,
        actor=inspection.booked_by,
    )
    participants = _add_participants(inspection, waiting, now)
    audit_record(
        verb="inspection.booked",
        target=inspection,
        by=by,
        organisation=participants[0].agency if participants else None,
        payload={
            "declaration": declaration.pk,
            "location": location,
            "scheduled_at": scheduled_at.isoformat(),
            "agencies": [p.agency.code for p in participants],
        },
    )
    for participant in participants:
        changed(participant.review, by)
    notices.goods_detained(inspection, participants)
    return inspection


def inspection_join_open(
    *, review: AgencyReview, by: Any | None, at: dt.datetime
) -> Inspection | None:
    """Inside ``review_decide``: an agency deciding to inspect joins the appointment
    already booked for the declaration, if any (TFA 8)."""
    inspection = _open_inspection(review.declaration)
    if inspection is None:
        return None
    if _add_participants(inspection, [review], at):
        audit_record(
            verb="inspection.joined",
            target=inspection,
            by=by,
            organisation=review.agency,
            payload={"agencies": [review.agency.code]},
        )
    return inspection


def _participant_review(inspection: Inspection, by: Any | None) -> AgencyReview:
    """The acting agency's review in this inspection; refuses outsiders."""
    participants = list(
        inspection.participants.select_related("review__declaration", "review__agency")
    )
    if by is None:
        return participants[0].review
    mine = set(officer_agency_ids(user=by))
    for participant in participants:
        if participant.agency_id in mine:
            return participant.review
    raise forbidden()


def _start(inspection: Inspection, by: Any | None, at: dt.datetime) -> None:
    inspection.started_at = at
    _move(inspection, IS.IN_PROGRESS, by=by, at=at)
    milestone_record(
        declaration=inspection.declaration,
        milestone=Milestone.INSPECTION_START,
        by=by,
        at=at,
        source=MilestoneSource.AGENCIES,
    )


@transaction.atomic
def inspection_start(*, inspection: Inspection, by: Any | None) -> Inspection:
    inspection = Inspection.objects.select_for_update(of=SELF).get(pk=inspection.pk)
    review = _participant_review(inspection, by)
    _start(inspection, by, timezone.now())
    audit_record(verb="inspection.started", target=inspection, by=by, organisation=review.agency)
    changed(review, by)
    return inspection


@transaction.atomic
def inspection_cancel(*, inspection: Inspection, reason: str, by: Any | None) -> Inspection:
    """Cancel an appointment (e.g. the declaration was amended); the reviews still await
    an inspection and a new one is booked."""
    inspection = Inspection.objects.select_for_update(of=SELF).get(pk=inspection.pk)
    review = _participant_review(inspection, by) if inspection.participants.exists() else None
    if not (reason or "").strip():
        raise BusinessError.single(
            "reason_required", _("Give the reason for cancelling."), "reason"
        )
    now = timezone.now()
    inspection.ended_at = now
    _move(inspection, IS.CANCELLED, by=by, at=now, reason=reason)
    audit_record(
        verb="inspection.cancelled",
        target=inspection,
        by=by,
        organisation=review.agency if review else None,
        payload={"reason": reason},
    )
    if review is not None:
        changed(review, by)
    return inspection


@transaction.atomic
def inspection_record_result(
    *,
    participant: InspectionParticipant,
    result: str,
    notes: str = "",
    by: Any | None,
) -> InspectionParticipant:
    """One agency's result. When the last participant has recorded, the inspection
    completes (once), each agency's review is decided by its own result — a sample
    keeps it open until the laboratory answers — and the parties are told (TFA 5.2)."""
    inspection = Inspection.objects.select_for_update(of=SELF).get(pk=participant.inspection_id)
    participant = InspectionParticipant.objects.select_related("agency", "review").get(
        pk=participant.pk
    )
    require_perm(by, DECIDE, participant.agency)
    notes = (notes or "").strip()
    enforce(RESULT_RULES, ResultContext(result, notes))
    if participant.result:
        raise ConflictError(
            "result_already_recorded", _("This agency's result is already recorded."), "result"
        )
    if inspection.status not in OPEN_INSPECTION:
        raise ConflictError("inspection_closed", _("This inspection is no longer open."), None)
    now = timezone.now()
    if inspection.status == IS.BOOKED:
        _start(inspection, by, now)
    participant.result, participant.notes = result, notes
    participant.recorded_at = now
    participant.recorded_by = by if getattr(by, "pk", None) else None
    participant.save()
    audit_record(
        verb="inspection.result_recorded",
        target=participant,
        by=by,
        organisation=participant.agency,
        payload={"result": result, "notes": notes},
    )
    if inspection.participants.filter(result="").exists():
        changed(participant.review, by)
        return participant
    _complete(inspection, by=by, at=now)
    return participant


def _complete(inspection: Inspection, *, by: Any | None, at: dt.datetime) -> None:
    inspection.ended_at = at
    _move(inspection, IS.COMPLETED, by=by, at=at)
    declaration = inspection.declaration
    milestone_record(
        declaration=declaration,
        milestone=Milestone.INSPECTION_END,
        by=by,
        at=at,
        source=MilestoneSource.AGENCIES,
    )
    participants = list(
        inspection.participants.select_related("agency", "review__agency", "review__declaration")
    )
    audit_record(
        verb="inspection.completed",
        target=inspection,
        by=by,
        payload={p.agency.code: p.result for p in participants},
    )
    rounds = set()
    for participant in participants:
        review = (
            AgencyReview.objects.select_for_update(of=SELF)
            .select_related("agency", "declaration")
            .get(pk=participant.review_id)
        )
        target = {
            InspectionResult.NO_IRREGULARITY: ReviewStatus.APPROVED,
            InspectionResult.IRREGULARITY: ReviewStatus.REJECTED,
        }.get(InspectionResult(participant.result))
        if target is None or review.status != ReviewStatus.INSPECTION_REQUIRED:
            changed(review, by)  # a sample keeps the review open until the laboratory answers
            continue
        review.decided_at, review.decided_by = at, participant.recorded_by
        if target == ReviewStatus.REJECTED:
            review.reason = participant.notes
        review_move(
            review,
            target,
            by=participant.recorded_by,
            at=at,
            reason=participant.notes,
            reason_category=review.reason_category,
        )
        audit_record(
            verb="agency_review.decided",
            target=review,
            by=participant.recorded_by,
            organisation=review.agency,
            payload={"decision": target, "inspection": inspection.pk},
        )
        changed(review, by)
        if target == ReviewStatus.APPROVED:
            rounds.add(review.round)
    for round_no in rounds:
        release_waiting(declaration=declaration, round_no=round_no, by=by, at=at)
    notices.inspection_ended(inspection, participants)
