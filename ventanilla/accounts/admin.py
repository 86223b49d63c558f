"""Organisations, memberships, API tokens and representation mandates in the Django
admin, for support staff to look. Each changes through its service (audit event, the
trader's own grant or revocation of a mandate — TFA 10.6); a token's key is never shown."""

from __future__ import annotations

from django.contrib import admin

from ventanilla.accounts import models as m
from ventanilla.core.admin import ReadOnlyAdmin, ReadOnlyInline


class MembershipInline(ReadOnlyInline):
    model = m.Membership
    fields = readonly_fields = ("user", "role", "is_active")


@admin.register(m.Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind", "agency_function", "country", "is_active")
    list_filter = ("kind", "is_active", "country")
    search_fields = ("code", "name", "email")
    inlines = [MembershipInline]


@admin.register(m.Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("user", "organisation", "role", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("user__email", "organisation__name", "organisation__code")
    list_select_related = ("user", "organisation", "role")


@admin.register(m.ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("prefix", "name", "organisation", "user", "expires_at", "revoked_at")
    search_fields = ("prefix", "name", "organisation__name")
    exclude = ("key_hash",)
    list_select_related = ("organisation", "user")


@admin.register(m.Mandate)
class MandateAdmin(ReadOnlyAdmin):
    list_display = ("trader", "broker", "kind", "valid_from", "valid_to", "revoked_at")
    list_filter = ("kind",)
    search_fields = ("trader__name", "trader__code", "broker__name", "broker__code")
    list_select_related = ("trader", "broker")
