from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ventanilla.notifications.models import Notice, OutboundWebhook, WebhookEndpoint
from ventanilla.notifications.rendering import RenderedNotice, render_notice


class NoticeSerializer(serializers.ModelSerializer):
    """A notice with its text in the caller's language (Accept-Language)."""

    title = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    severity = serializers.SerializerMethodField()
    declaration = serializers.SerializerMethodField()
    organisation = serializers.SerializerMethodField()
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notice
        fields = [
            "id",
            "kind",
            "severity",
            "title",
            "body",
            "declaration",
            "params",
            "organisation",
            "created_at",
            "is_read",
        ]

    def _rendered(self, notice: Notice) -> RenderedNotice:
        # Rendered once per notice, in the active language, for the three fields.
        cached = getattr(notice, "_rendered", None)
        if cached is None:
            cached = render_notice(notice)
            notice._rendered = cached  # type: ignore[attr-defined]
        return cached

    def get_title(self, notice: Notice) -> str:
        return str(self._rendered(notice).title)

    def get_body(self, notice: Notice) -> str:
        return str(self._rendered(notice).body)

    def get_severity(self, notice: Notice) -> str:
        return str(self._rendered(notice).severity)

    def get_declaration(self, notice: Notice) -> dict[str, Any] | None:
        if notice.declaration_id is None:
            return None
        return {"id": notice.declaration_id, "reference": notice.reference}

    def get_organisation(self, notice: Notice) -> dict[str, Any]:
        return {"id": notice.organisation_id, "name": notice.organisation.label}


class ReadAllSerializer(serializers.Serializer):
    declaration_id = serializers.IntegerField(required=False, min_value=1)


class WebhookEndpointSerializer(serializers.ModelSerializer):
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "organisation",
            "url",
            "description",
            "kinds",
            "is_active",
            "created_at",
            "secret_rotated_at",
        ]


class WebhookEndpointCreateSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(
        required=False,
        help_text=_("Needed only when you manage more than one organisation."),
    )
    # Checked by the service (public http/https address), so the codes are ours.
    url = serializers.CharField(max_length=500)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    kinds = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        max_length=50,
        help_text=_("Kinds of notice to receive; empty or absent for all."),
    )


class WebhookDeliverySerializer(serializers.ModelSerializer):
    endpoint = serializers.IntegerField(source="endpoint_id", read_only=True)
    notice = serializers.IntegerField(source="notice_id", read_only=True)
    kind = serializers.CharField(source="notice.kind", read_only=True)

    class Meta:
        model = OutboundWebhook
        fields = [
            "id",
            "endpoint",
            "notice",
            "kind",
            "event_id",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "next_attempt_at",
            "delivered_at",
            "created_at",
        ]


class WebhookDeliveryDetailSerializer(WebhookDeliverySerializer):
    class Meta(WebhookDeliverySerializer.Meta):
        fields = [*WebhookDeliverySerializer.Meta.fields, "payload"]
