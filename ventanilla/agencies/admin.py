"""The agencies app in the Django admin: for looking, not editing. Reviews, inspections and
the requirement matrix change only through the services (audit, transitions, versions);
the inspection calendar is configuration, added as new versions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from modeltranslation.admin import TranslationAdmin

from ventanilla.agencies import models as m
from ventanilla.core.admin import ReadOnlyAdmin


@admin.register(m.RequirementLine)
class RequirementLineAdmin(ReadOnlyAdmin, TranslationAdmin):
    list_display = (
        "key",
        "agency",
        "hs_prefix",
        "origin_country",
        "action",
        "document_type_code",
        "sequence",
        "sla_hours",
        "perishable_sla_hours",
        "valid_from",
        "valid_to",
    )
    list_filter = ("agency", "action", "declaration_type")
    search_fields = ("key", "hs_prefix", "description_en", "description_es")


class ReviewEventInline(admin.TabularInline):
    model = m.ReviewEvent
    extra = 0
    can_delete = False
    readonly_fields = (
        "from_status",
        "to_status",
        "at",
        "actor",
        "actor_organisation",
        "reason",
        "reason_category",
    )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(m.AgencyReview)
class AgencyReviewAdmin(ReadOnlyAdmin):
    list_display = ("declaration", "agency", "round", "status", "priority", "due_at", "decided_at")
    list_filter = ("agency", "status", "priority")
    inlines = [ReviewEventInline]


@admin.register(m.InformationRequest)
class InformationRequestAdmin(ReadOnlyAdmin):
    list_display = ("review", "status", "requested_at", "answered_at", "paused_seconds")
    list_filter = ("status",)


class ParticipantInline(admin.TabularInline):
    model = m.InspectionParticipant
    extra = 0
    can_delete = False
    readonly_fields = (
        "agency",
        "review",
        "joined_at",
        "result",
        "notes",
        "recorded_at",
        "recorded_by",
    )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(m.Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    list_display = ("declaration", "location", "scheduled_at", "status", "is_perishable")
    list_filter = ("status", "location", "is_perishable")
    inlines = [ParticipantInline]


@admin.register(m.Sample)
class SampleAdmin(ReadOnlyAdmin):
    list_display = ("reference", "lab", "participant", "adverse", "result_at")


@admin.register(m.SecondTestRequest)
class SecondTestRequestAdmin(ReadOnlyAdmin):
    list_display = ("sample", "status", "lab", "requested_at", "adverse", "result_at")


@admin.register(m.InspectionCalendar)
class InspectionCalendarAdmin(admin.ModelAdmin):
    """New calendars are added with their own ``valid_from``; a version in force is closed
    by setting its ``valid_to``, never rewritten."""

    list_display = (
        "location",
        "opens_at",
        "closes_at",
        "slot_minutes",
        "capacity",
        "perishable_reserve",
        "perishables_after_hours",
        "valid_from",
        "valid_to",
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ()
        return tuple(f.name for f in obj._meta.fields if f.name != "valid_to")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
