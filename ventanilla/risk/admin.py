"""Read-only admin: profiles are published data changed only through the services (new
versions, never edits in place), and assessments and outcomes are records."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ventanilla.risk.models import RiskAssessment, RiskOutcome, RiskProfile


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RiskProfile)
class RiskProfileAdmin(ReadOnlyAdmin):
    list_display = [
        "code",
        "version",
        "name",
        "owner",
        "kind",
        "channel",
        "status",
        "valid_from",
        "valid_to",
        "ends_on",
    ]
    list_filter = ["kind", "channel", "status", "owner"]
    search_fields = ["code", "name_en", "name_es"]


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(ReadOnlyAdmin):
    list_display = [
        "declaration",
        "declaration_version",
        "channel",
        "random_selected",
        "profiles_evaluated",
        "assessed_on",
        "created_at",
    ]
    list_filter = ["channel", "random_selected", "assessed_on"]
    raw_id_fields = ["declaration"]


@admin.register(RiskOutcome)
class RiskOutcomeAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "agency", "result", "revenue_amount", "created_at"]
    list_filter = ["result", "agency"]
