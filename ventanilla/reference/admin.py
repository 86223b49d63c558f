"""Reference data in the Django admin: corrections and translations by hand, with change
history (simple_history) and both languages side by side (modeltranslation).

Bulk changes go through the ``load_*`` commands, which version rows; the admin is for
fixing a typo or writing a Spanish text, so it edits the row in place and keeps its
``search_text`` in step with what was typed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from ventanilla.core.text import fold
from ventanilla.reference import models as m
from ventanilla.reference.search import instance_search_text

DATED = ("valid_from", "valid_to")


class SearchTextMixin(admin.ModelAdmin):
    """``search_text`` is shown, never typed: it is rebuilt on every save."""

    readonly_fields = ("search_text",)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.search_text = instance_search_text(obj)
        super().save_model(request, obj, form, change)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        # search_text is folded, so fold the term too: "café" finds "cafe".
        return super().get_search_results(request, queryset, fold(search_term))


class TranslatedAdmin(SearchTextMixin, SimpleHistoryAdmin, TranslationAdmin):
    list_per_page = 50


class PlainAdmin(SearchTextMixin, SimpleHistoryAdmin):
    list_per_page = 50


@admin.register(m.HSEdition)
class HSEditionAdmin(SimpleHistoryAdmin, TranslationAdmin):
    list_display = ("code", "name", *DATED)
    search_fields = ("code", "name_en", "name_es")


@admin.register(m.HSSection)
class HSSectionAdmin(TranslationAdmin):
    # No history: sections carry no dates and only change with a new edition.
    list_display = ("number", "name", "edition", "position")
    list_filter = ("edition",)
    search_fields = ("number", "name_en", "name_es")


@admin.register(m.HSCode)
class HSCodeAdmin(TranslatedAdmin):
    list_display = ("code", "level", "description", "section", "edition", *DATED)
    list_filter = ("edition", "level", "section", *DATED)
    search_fields = ("code", "search_text")


@admin.register(m.TariffLine)
class TariffLineAdmin(TranslatedAdmin):
    list_display = ("code", "hs_code", "description", "supplementary_unit", "edition", *DATED)
    list_filter = ("edition", "supplementary_unit", *DATED)
    search_fields = ("code", "hs_code", "search_text")


@admin.register(m.Country)
class CountryAdmin(TranslatedAdmin):
    list_display = ("code", "alpha3", "numeric", "name", *DATED)
    list_filter = DATED
    search_fields = ("code", "alpha3", "search_text")


@admin.register(m.Currency)
class CurrencyAdmin(TranslatedAdmin):
    list_display = ("code", "numeric", "name", "minor_units", *DATED)
    list_filter = ("minor_units", *DATED)
    search_fields = ("code", "search_text")


@admin.register(m.Location)
class LocationAdmin(PlainAdmin):
    list_display = ("unlocode", "name", "country", "subdivision", "function", "status", *DATED)
    list_filter = (
        "is_seaport",
        "is_airport",
        "is_rail",
        "is_road",
        "is_multimodal",
        "is_border_crossing",
        "country",
        *DATED,
    )
    search_fields = ("unlocode", "search_text")
    # 115,000 rows: skip the second COUNT(*) the admin runs for "N total".
    show_full_result_count = False


@admin.register(m.CustomsOffice)
class CustomsOfficeAdmin(TranslatedAdmin):
    list_display = ("code", "name", "unlocode", "country", *DATED)
    list_filter = ("country", *DATED)
    search_fields = ("code", "unlocode", "search_text")


@admin.register(m.UnitOfMeasure)
class UnitOfMeasureAdmin(TranslatedAdmin):
    list_display = ("code", "name", "symbol", *DATED)
    list_filter = DATED
    search_fields = ("code", "search_text")


@admin.register(m.PackageType)
class PackageTypeAdmin(TranslatedAdmin):
    list_display = ("code", "name", "is_bulk", *DATED)
    list_filter = ("is_bulk", *DATED)
    search_fields = ("code", "search_text")


@admin.register(m.DocumentType)
class DocumentTypeAdmin(TranslatedAdmin):
    list_display = ("code", "name", "agency_function", *DATED)
    list_filter = ("agency_function", *DATED)
    search_fields = ("code", "search_text")
