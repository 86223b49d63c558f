"""Read-mostly admin for support staff: notices and the messages that carried them.
Webhook secrets are never shown here."""

from __future__ import annotations

from django.contrib import admin

from ventanilla.core.admin import ReadOnlyAdmin
from ventanilla.notifications.models import (
    Notice,
    OutboundEmail,
    OutboundWebhook,
    WebhookEndpoint,
)


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "reference", "organisation", "read_at"]
    list_filter = ["kind"]
    search_fields = ["reference", "organisation__name", "organisation__code"]
    date_hierarchy = "created_at"


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "to", "language", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "language"]
    search_fields = ["to", "subject", "idempotency_key"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin):
    list_display = ["url", "organisation", "is_active", "created_at", "deleted_at"]
    list_filter = ["is_active"]
    search_fields = ["url", "organisation__name"]
    exclude = ["secret"]


@admin.register(OutboundWebhook)
class OutboundWebhookAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "event_id",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status"]
    search_fields = ["event_id", "idempotency_key", "endpoint__url"]
