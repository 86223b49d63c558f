"""Agency reviews: one per declaration, agency and round (TFA 8, 10.4).

A review is an agency's work item with a service level: ``due_at`` counts from the
moment it becomes the agency's turn, is shorter for perishables (TFA 7.9), and stops while
the agency waits for the trader's answer (the paused seconds move ``due_at``). Every
status change writes a ``ReviewEvent`` (actor, time, reason).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.agencies.choices import (
    ACTIONABLE_REVIEW,
    InformationRequestStatus,
    Priority,
    ReasonCategory,
    ReviewStatus,
)
from ventanilla.core.models import TimeStamped
from ventanilla.declarations.choices import Channel


class AgencyReview(TimeStamped):
    declaration = models.ForeignKey(
        "declarations.Declaration", on_delete=models.CASCADE, related_name="agency_reviews"
    )
    agency = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="agency_reviews",
        verbose_name=_("agency"),
    )
    # A new round opens when an amended declaration is routed again.
    round = models.PositiveIntegerField(_("round"), default=1)
    declaration_version = models.PositiveIntegerField(_("declaration version"))
    status = models.CharField(
        _("status"),
        max_length=24,
        choices=ReviewStatus.choices,
        default=ReviewStatus.PENDING,
        db_index=True,
    )
    sequence = models.PositiveSmallIntegerField(_("sequence"), default=0)
    requirement_lines = models.ManyToManyField(
        "agencies.RequirementLine",
        blank=True,
        related_name="reviews",
        verbose_name=_("requirement lines matched"),
    )
    required_documents = models.JSONField(_("required documents"), default=list, blank=True)
    # Customs only: the selectivity channel that routed the declaration to it (TFA 7.4).
    # Internal: never shown to the trader.
    risk_channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    sla_hours = models.PositiveIntegerField(_("service level (hours)"))
    # --- the clock ----------------------------------------------------------------
    pending_at = models.DateTimeField(_("agency's turn since"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True, db_index=True)
    paused_at = models.DateTimeField(_("clock paused at"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("seconds paused"), default=0)
    # --- work ---------------------------------------------------------------------
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    reason = models.TextField(_("officer's reason (internal)"), blank=True)
    reason_category = models.CharField(
        _("reason category"), max_length=24, blank=True, choices=ReasonCategory.choices
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["-priority", "due_at", "pk"]
        verbose_name = _("agency review")
        verbose_name_plural = _("agency reviews")
        permissions = [
            ("decide_review", _("Work agency reviews: decide, request information, inspect")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["declaration", "agency", "round"], name="agency_review_once_per_round"
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "status"]),
            models.Index(fields=["declaration", "round"]),
        ]

    def __str__(self) -> str:
        return f"{self.agency} #{self.declaration_id} r{self.round}: {self.status}"

    @property
    def is_perishable(self) -> bool:
        return self.priority == Priority.PERISHABLE

    def time_left(self, now: dt.datetime | None = None) -> dt.timedelta | None:
        """Time left before the service level is breached; frozen while paused."""
        if self.due_at is None or self.status not in ACTIONABLE_REVIEW:
            return None
        return self.due_at - (self.paused_at or now or timezone.now())

    def is_breached(self, now: dt.datetime | None = None) -> bool:
        left = self.time_left(now)
        return left is not None and left.total_seconds() < 0


class ReviewEvent(models.Model):
    """One row per status change of a review: who, when, why."""

    review = models.ForeignKey(AgencyReview, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=24, choices=ReviewStatus.choices, blank=True)
    to_status = models.CharField(max_length=24, choices=ReviewStatus.choices)
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    actor_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", null=True
    )
    reason = models.CharField(max_length=1000, blank=True)  # internal
    reason_category = models.CharField(max_length=24, choices=ReasonCategory.choices, blank=True)

    class Meta:
        ordering = ["review", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status}→{self.to_status}"


class InformationRequest(models.Model):
    """A question from the agency to the trader; the review's clock stops until the
    answer comes (the trader is not blamed for the agency's wait, nor the reverse)."""

    review = models.ForeignKey(
        AgencyReview, on_delete=models.CASCADE, related_name="information_requests"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=InformationRequestStatus.choices,
        default=InformationRequestStatus.OPEN,
        db_index=True,
    )
    message = models.TextField(_("question to the trader"))
    requested_at = models.DateTimeField(_("requested at"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    answered_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    paused_seconds = models.PositiveIntegerField(_("seconds paused"), default=0)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("information request")
        verbose_name_plural = _("information requests")

    def __str__(self) -> str:
        return f"{self.review_id}: {self.message[:40]}"
