"""Read-only admin: measures and rates are published through the services (added,
never overwritten); assessments are computed, never edited by hand."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from ventanilla.core.admin import ReadOnlyAdmin
from ventanilla.duties.models import DutyAssessment, DutyLine, ExchangeRate, TariffMeasure


@admin.register(TariffMeasure)
class TariffMeasureAdmin(ReadOnlyAdmin):
    list_display = (
        "tariff_code",
        "measure_type",
        "ad_valorem_rate",
        "specific_rate",
        "specific_unit",
        "origin_country",
        "preference_code",
        "base",
        "valid_from",
        "valid_to",
    )
    list_filter = ("measure_type", "trade_flow", "base")
    search_fields = ("tariff_code", "preference_code", "legal_basis")


@admin.register(ExchangeRate)
class ExchangeRateAdmin(ReadOnlyAdmin):
    list_display = ("currency", "rate", "valid_from", "valid_to", "source")
    list_filter = ("currency",)


class DutyLineInline(admin.TabularInline):
    model = DutyLine
    extra = 0
    can_delete = False
    fields = (
        "item_sequence",
        "tariff_line",
        "measure_type",
        "preference_code",
        "base_amount",
        "base_quantity",
        "quantity_unit",
        "ad_valorem_rate",
        "specific_rate",
        "amount",
    )
    readonly_fields = fields

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(DutyAssessment)
class DutyAssessmentAdmin(ReadOnlyAdmin):
    list_display = (
        "declaration",
        "number",
        "status",
        "total",
        "currency",
        "assessed_on",
        "computed_at",
    )
    list_filter = ("status",)
    search_fields = ("declaration__mrn", "declaration__lrn")
    inlines = [DutyLineInline]
