"""Joint inspections (TFA 8, the "rainbow team"), samples and second tests (TFA 5.3).

One appointment per declaration at a time: every agency that decides to inspect joins it
as a participant, so the goods are presented once. It completes when every participant
has recorded its result.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ventanilla.agencies.choices import (
    OPEN_INSPECTION,
    InspectionResult,
    InspectionStatus,
    SecondTestStatus,
)
from ventanilla.agencies.models.reviews import AgencyReview


class Inspection(models.Model):
    declaration = models.ForeignKey(
        "declarations.Declaration", on_delete=models.CASCADE, related_name="joint_inspections"
    )
    location = models.CharField(_("UN/LOCODE"), max_length=5)
    place = models.CharField(_("place"), max_length=200, blank=True)
    scheduled_at = models.DateTimeField(_("scheduled at"), db_index=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=30)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=InspectionStatus.choices,
        default=InspectionStatus.BOOKED,
        db_index=True,
    )
    is_perishable = models.BooleanField(_("perishable goods"), default=False)  # TFA 7.9
    booked_at = models.DateTimeField(_("booked at"))
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        ordering = ["scheduled_at", "pk"]
        verbose_name = _("joint inspection")
        verbose_name_plural = _("joint inspections")
        constraints = [
            # TFA 8: the goods wait once — never two open appointments for one declaration.
            models.UniqueConstraint(
                fields=["declaration"],
                condition=Q(status__in=sorted(OPEN_INSPECTION)),
                name="one_open_inspection_per_declaration",
            ),
        ]
        indexes = [models.Index(fields=["location", "scheduled_at"])]

    def __str__(self) -> str:
        return f"{self.location} {self.scheduled_at:%Y-%m-%d %H:%M} ({self.status})"


class InspectionEvent(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=12, choices=InspectionStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=InspectionStatus.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["inspection", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status}→{self.to_status}"


class InspectionParticipant(models.Model):
    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="participants"
    )
    agency = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("agency"),
    )
    review = models.ForeignKey(
        AgencyReview, on_delete=models.PROTECT, related_name="inspection_participations"
    )
    joined_at = models.DateTimeField(_("joined at"))
    result = models.CharField(
        _("result"), max_length=16, choices=InspectionResult.choices, blank=True
    )
    notes = models.TextField(_("notes (internal)"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["inspection", "joined_at", "pk"]
        verbose_name = _("inspection participant")
        verbose_name_plural = _("inspection participants")
        constraints = [
            models.UniqueConstraint(fields=["inspection", "agency"], name="inspection_agency_once"),
        ]

    def __str__(self) -> str:
        return f"{self.agency}: {self.result or '-'}"


class Sample(models.Model):
    """A sample taken during an inspection and sent to a laboratory (TFA 5.3)."""

    participant = models.ForeignKey(
        InspectionParticipant, on_delete=models.PROTECT, related_name="samples"
    )
    reference = models.CharField(_("sample reference"), max_length=50)
    lab = models.CharField(_("laboratory"), max_length=200)
    taken_at = models.DateTimeField(_("taken at"))
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    result = models.TextField(_("laboratory result"), blank=True)
    adverse = models.BooleanField(_("adverse result"), null=True, blank=True)
    result_at = models.DateTimeField(_("result recorded at"), null=True, blank=True)
    result_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["participant", "taken_at", "pk"]
        verbose_name = _("sample")
        verbose_name_plural = _("samples")
        constraints = [
            models.UniqueConstraint(fields=["participant", "reference"], name="sample_once"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} @ {self.lab}"


class SecondTestRequest(models.Model):
    """TFA 5.3: after an adverse result the importer may ask for a second test; the
    agency records its result and must consider it."""

    sample = models.OneToOneField(Sample, on_delete=models.PROTECT, related_name="second_test")
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SecondTestStatus.choices,
        default=SecondTestStatus.REQUESTED,
    )
    lab = models.CharField(_("laboratory requested"), max_length=200, blank=True)
    reason = models.TextField(_("trader's grounds"), blank=True)
    requested_at = models.DateTimeField(_("requested at"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    requested_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", null=True
    )
    result = models.TextField(_("second result"), blank=True)
    adverse = models.BooleanField(_("adverse result"), null=True, blank=True)
    result_at = models.DateTimeField(_("result recorded at"), null=True, blank=True)
    result_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("second test request")
        verbose_name_plural = _("second test requests")

    def __str__(self) -> str:
        return f"{self.sample}: {self.status}"
