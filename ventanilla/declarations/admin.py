"""Declarations in the Django admin, for support staff to look: a declaration changes only
through the services (versions, status transitions, audit events), never by hand."""

from __future__ import annotations

from django.contrib import admin

from ventanilla.core.admin import ReadOnlyAdmin, ReadOnlyInline
from ventanilla.declarations import models as m


class PartyInline(ReadOnlyInline):
    model = m.Party
    fields = readonly_fields = ("role", "name", "identifier", "country")


class GoodsItemInline(ReadOnlyInline):
    model = m.GoodsItem
    fields = readonly_fields = (
        "sequence",
        "tariff_line",
        "description",
        "origin_country",
        "net_mass_kg",
        "customs_value",
        "is_perishable",
    )


class StatusChangeInline(ReadOnlyInline):
    model = m.StatusChange
    fields = readonly_fields = (
        "at",
        "from_status",
        "to_status",
        "actor",
        "actor_organisation",
        "reason",
    )


@admin.register(m.Declaration)
class DeclarationAdmin(ReadOnlyAdmin):
    list_display = (
        "mrn",
        "lrn",
        "declaration_type",
        "trader",
        "declarant",
        "status",
        "channel",
        "is_perishable",
        "lodged_at",
        "released_at",
    )
    list_filter = ("declaration_type", "status", "channel", "is_perishable")
    search_fields = ("mrn", "lrn", "conveyance_ref", "trader__name", "trader__code")
    list_select_related = ("trader", "declarant")
    date_hierarchy = "lodged_at"
    inlines = [PartyInline, GoodsItemInline, StatusChangeInline]
