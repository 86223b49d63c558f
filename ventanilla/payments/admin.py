"""Read-only admin: payments come from providers, the guarantee ledger is append-only;
changes go through the services so each has its audit event."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from ventanilla.core.admin import ReadOnlyAdmin
from ventanilla.payments.models import GuaranteeAccount, GuaranteeMovement, Payment, PaymentEvent


class PaymentEventInline(admin.TabularInline):
    model = PaymentEvent
    extra = 0
    can_delete = False
    fields = (
        "received_at",
        "event_id",
        "outcome",
        "signature_valid",
        "duplicate",
        "applied",
        "error_code",
    )
    readonly_fields = fields

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = (
        "reference",
        "declaration",
        "amount",
        "currency",
        "status",
        "provider_code",
        "provider_reference",
        "attempts",
        "initiated_at",
        "confirmed_at",
    )
    list_filter = ("status", "provider_code")
    search_fields = ("reference", "provider_reference", "declaration__mrn", "declaration__lrn")
    inlines = [PaymentEventInline]


@admin.register(PaymentEvent)
class PaymentEventAdmin(ReadOnlyAdmin):
    list_display = (
        "received_at",
        "provider_code",
        "event_id",
        "payment",
        "outcome",
        "signature_valid",
        "duplicate",
        "applied",
        "error_code",
    )
    list_filter = ("provider_code", "signature_valid", "duplicate", "applied")


class GuaranteeMovementInline(admin.TabularInline):
    model = GuaranteeMovement
    extra = 0
    can_delete = False
    fields = ("created_at", "kind", "amount", "declaration", "note", "created_by")
    readonly_fields = fields

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(GuaranteeAccount)
class GuaranteeAccountAdmin(ReadOnlyAdmin):
    list_display = (
        "reference",
        "holder",
        "currency",
        "limit_amount",
        "status",
        "valid_from",
        "valid_to",
    )
    list_filter = ("status", "currency")
    search_fields = ("reference", "holder__name", "holder__code")
    inlines = [GuaranteeMovementInline]
