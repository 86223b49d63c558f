"""Code lists and status transition tables of the border agencies app (TFA 8, 10.4)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RequirementAction(models.TextChoices):
    """What a line of the requirement matrix asks of its agency (TFA 10.1, 10.4)."""

    REVIEW = "review", _("Review by the agency")
    PERMIT = "permit", _("Permit or certificate required")


class ReviewStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for another agency")
    PENDING = "pending", _("Pending")
    IN_PROGRESS = "in_progress", _("In progress")
    INFORMATION_REQUESTED = "information_requested", _("Information requested")
    INSPECTION_REQUIRED = "inspection_required", _("Inspection required")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Superseded by an amendment")


S = ReviewStatus

# Explicit transition table: any other change is refused. A pending review may be decided
# in one action: the service then writes the ``in_progress`` step first.
REVIEW_TRANSITIONS: dict[str, frozenset[str]] = {
    S.WAITING: frozenset({S.PENDING, S.SUPERSEDED}),
    S.PENDING: frozenset({S.IN_PROGRESS, S.SUPERSEDED}),
    S.IN_PROGRESS: frozenset(
        {S.INFORMATION_REQUESTED, S.APPROVED, S.REJECTED, S.INSPECTION_REQUIRED, S.SUPERSEDED}
    ),
    S.INFORMATION_REQUESTED: frozenset({S.IN_PROGRESS, S.SUPERSEDED}),
    S.INSPECTION_REQUIRED: frozenset({S.APPROVED, S.REJECTED, S.SUPERSEDED}),
    S.APPROVED: frozenset(),
    # TFA 5.3: a favourable second test must be considered, so the agency decides again.
    S.REJECTED: frozenset({S.IN_PROGRESS}),
    S.SUPERSEDED: frozenset(),
}

# Reviews still to be decided: an amendment supersedes these (and only these).
OPEN_REVIEW = frozenset(
    {S.WAITING, S.PENDING, S.IN_PROGRESS, S.INFORMATION_REQUESTED, S.INSPECTION_REQUIRED}
)
# Reviews an officer has to act on now (the default queue).
ACTIONABLE_REVIEW = frozenset(
    {S.PENDING, S.IN_PROGRESS, S.INFORMATION_REQUESTED, S.INSPECTION_REQUIRED}
)


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    INSPECT = "inspect", _("Inspect the goods")


class ReasonCategory(models.TextChoices):
    """The reason shown to the trader; the officer's own words stay internal (TFA 5.2, 4)."""

    DOCUMENTS_INCOMPLETE = "documents_incomplete", _("Documents incomplete")
    SANITARY_RISK = "sanitary_risk", _("Sanitary risk")
    PHYTOSANITARY_RISK = "phytosanitary_risk", _("Phytosanitary risk")
    VALUATION = "valuation", _("Valuation")
    CLASSIFICATION = "classification", _("Classification")
    ORIGIN = "origin", _("Origin")
    RANDOM_CHECK = "random_check", _("Random check")
    OTHER = "other", _("Other")


class Priority(models.IntegerChoices):
    """TFA 7.9: perishable goods are examined first."""

    NORMAL = 0, _("Normal")
    PERISHABLE = 10, _("Perishable")


class InformationRequestStatus(models.TextChoices):
    OPEN = "open", _("Awaiting the trader's answer")
    ANSWERED = "answered", _("Answered")
    WITHDRAWN = "withdrawn", _("Withdrawn: the declaration was amended")


class InspectionStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


INSPECTION_TRANSITIONS: dict[str, frozenset[str]] = {
    InspectionStatus.BOOKED: frozenset({InspectionStatus.IN_PROGRESS, InspectionStatus.CANCELLED}),
    InspectionStatus.IN_PROGRESS: frozenset(
        {InspectionStatus.COMPLETED, InspectionStatus.CANCELLED}
    ),
    InspectionStatus.COMPLETED: frozenset(),
    InspectionStatus.CANCELLED: frozenset(),
}

OPEN_INSPECTION = frozenset({InspectionStatus.BOOKED, InspectionStatus.IN_PROGRESS})


class InspectionResult(models.TextChoices):
    NO_IRREGULARITY = "no_irregularity", _("No irregularity found")
    IRREGULARITY = "irregularity", _("Irregularity found")
    SAMPLE_TAKEN = "sample_taken", _("Sample taken for laboratory analysis")


class SecondTestStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    COMPLETED = "completed", _("Result recorded")
