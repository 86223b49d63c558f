"""Reads, always starting from the user: a user sees the notices of the organisations
they act for, and the webhooks of the organisations they manage."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Value

from ventanilla.accounts.selectors import acting_organisation_ids, managed_organisation_ids
from ventanilla.notifications.models import Notice, NoticeRead, OutboundWebhook, WebhookEndpoint


def notice_qs_for(*, user: Any) -> QuerySet[Notice]:
    """Notices of the organisations the user acts for (one, with an API token), each
    annotated with ``is_read`` for this user."""
    org_ids = acting_organisation_ids(user=user)
    if not org_ids:
        return Notice.objects.none().annotate(is_read=Value(True))
    reads = NoticeRead.objects.filter(notice=OuterRef("pk"), user=user)
    return (
        Notice.objects.filter(organisation_id__in=org_ids)
        .select_related("organisation")
        .annotate(is_read=Exists(reads))
    )


def notice_unread_qs_for(*, user: Any) -> QuerySet[Notice]:
    return notice_qs_for(user=user).filter(Q(is_read=False))


def notice_unread_count(*, user: Any, declaration_id: int | None = None) -> int:
    qs = notice_unread_qs_for(user=user)
    if declaration_id is not None:
        qs = qs.filter(declaration_id=declaration_id)
    return qs.count()


def webhook_endpoint_qs_for(*, user: Any) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(
        organisation_id__in=managed_organisation_ids(user=user), deleted_at__isnull=True
    ).select_related("organisation")


def webhook_delivery_qs_for(*, user: Any) -> QuerySet[OutboundWebhook]:
    return OutboundWebhook.objects.filter(
        endpoint__in=webhook_endpoint_qs_for(user=user)
    ).select_related("endpoint", "notice")
