"""Samples, laboratory results and second tests (TFA 5.3): after an adverse result the
importer may ask for a second test; the agency records that result and must consider it —
a favourable second result sends a refused review back to the officer for a new decision."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.agencies import notices
from ventanilla.agencies.choices import InspectionStatus, ReviewStatus, SecondTestStatus
from ventanilla.agencies.models import InspectionParticipant, Sample, SecondTestRequest
from ventanilla.agencies.rules import LabResultGiven, TextContext, enforce
from ventanilla.agencies.services._common import (
    DECIDE,
    SELF,
    changed,
    lock_review,
    require_perm,
    require_trader_side,
    review_move,
)
from ventanilla.audit.services import audit_record
from ventanilla.core.errors import BusinessError, ConflictError, ErrorItem


def _user(by: Any | None) -> Any | None:
    return by if getattr(by, "pk", None) else None


@transaction.atomic
def sample_record(
    *, participant: InspectionParticipant, reference: str, lab: str, by: Any | None
) -> Sample:
    participant = InspectionParticipant.objects.select_related(
        "agency", "inspection", "review__declaration"
    ).get(pk=participant.pk)
    require_perm(by, DECIDE, participant.agency)
    problems = []
    if not (reference or "").strip():
        problems.append(
            ErrorItem("reference_required", _("Give the sample's reference."), "reference")
        )
    if not (lab or "").strip():
        problems.append(ErrorItem("lab_required", _("Name the laboratory."), "lab"))
    if problems:
        raise BusinessError(problems)
    if participant.inspection.status == InspectionStatus.CANCELLED:
        raise ConflictError("inspection_closed", _("This inspection was cancelled."), None)
    if participant.samples.filter(reference=reference.strip()).exists():
        raise ConflictError(
            "sample_exists", _("A sample with this reference is recorded."), "reference"
        )
    sample = Sample.objects.create(
        participant=participant,
        reference=reference.strip(),
        lab=lab.strip(),
        taken_at=timezone.now(),
        taken_by=_user(by),
    )
    audit_record(
        verb="sample.taken",
        target=sample,
        by=by,
        organisation=participant.agency,
        payload={"reference": sample.reference, "lab": sample.lab},
    )
    changed(participant.review, by)
    return sample


@transaction.atomic
def sample_result_record(*, sample: Sample, result: str, adverse: bool, by: Any | None) -> Sample:
    sample = (
        Sample.objects.select_for_update(of=SELF)
        .select_related("participant__agency", "participant__review__declaration")
        .get(pk=sample.pk)
    )
    require_perm(by, DECIDE, sample.participant.agency)
    enforce([LabResultGiven()], TextContext(result or ""))
    if sample.result_at is not None:
        raise ConflictError(
            "result_already_recorded", _("This sample's result is already recorded."), "result"
        )
    sample.result, sample.adverse = result.strip(), bool(adverse)
    sample.result_at, sample.result_by = timezone.now(), _user(by)
    sample.save()
    audit_record(
        verb="sample.result_recorded",
        target=sample,
        by=by,
        organisation=sample.participant.agency,
        payload={"adverse": sample.adverse},
    )
    changed(sample.participant.review, by)
    return sample


@transaction.atomic
def second_test_request(
    *, sample: Sample, lab: str = "", reason: str = "", by: Any | None
) -> SecondTestRequest:
    """The importer's request for a second test of an adverse sample (TFA 5.3)."""
    sample = (
        Sample.objects.select_for_update(of=SELF)
        .select_related(
            "participant__review__declaration__trader",
            "participant__review__declaration__declarant",
            "participant__agency",
        )
        .get(pk=sample.pk)
    )
    review = sample.participant.review
    organisation = require_trader_side(by, review.declaration)
    if sample.adverse is not True:
        raise ConflictError(
            "sample_not_adverse",
            _("A second test can be asked for after an adverse result only."),
            None,
        )
    if SecondTestRequest.objects.filter(sample=sample).exists():
        raise ConflictError(
            "second_test_exists", _("A second test of this sample was already requested."), None
        )
    if review.status == ReviewStatus.SUPERSEDED:
        raise ConflictError(
            "review_superseded", _("The declaration was amended: this review is closed."), None
        )
    request = SecondTestRequest.objects.create(
        sample=sample,
        lab=(lab or "").strip()[:200],
        reason=(reason or "").strip(),
        requested_at=timezone.now(),
        requested_by=_user(by),
        requested_organisation=organisation,
    )
    audit_record(
        verb="second_test.requested",
        target=request,
        by=by,
        organisation=organisation,
        payload={"sample": sample.pk, "lab": request.lab},
    )
    changed(review, by)
    return request


@transaction.atomic
def second_test_result_record(
    *, request: SecondTestRequest, result: str, adverse: bool, by: Any | None
) -> SecondTestRequest:
    """The second result, which the agency must consider: told to the trader, and if it
    is favourable while the review was refused, the review goes back to the officer."""
    request = (
        SecondTestRequest.objects.select_for_update(of=SELF)
        .select_related("sample__participant__agency")
        .get(pk=request.pk)
    )
    agency = request.sample.participant.agency
    require_perm(by, DECIDE, agency)
    enforce([LabResultGiven()], TextContext(result or ""))
    if request.status != SecondTestStatus.REQUESTED:
        raise ConflictError(
            "result_already_recorded", _("The second result is already recorded."), "result"
        )
    now = timezone.now()
    request.status = SecondTestStatus.COMPLETED
    request.result, request.adverse = result.strip(), bool(adverse)
    request.result_at, request.result_by = now, _user(by)
    request.save()
    review = lock_review(request.sample.participant.review)
    audit_record(
        verb="second_test.result_recorded",
        target=request,
        by=by,
        organisation=agency,
        payload={"adverse": request.adverse},
    )
    if not request.adverse and review.status == ReviewStatus.REJECTED:
        review.decided_at, review.decided_by = None, None
        review_move(
            review,
            ReviewStatus.IN_PROGRESS,
            by=by,
            at=now,
            reason=_("Favourable second test: the decision is taken again (TFA 5.3)."),
        )
    changed(review, by)
    notices.second_test_result(request, review)
    return request
