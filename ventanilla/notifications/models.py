"""Notices and the outbound messages that carry them (e-mail, signed webhooks).

A notice refers to a declaration by id and display reference only: notifications sits
below declarations in the import graph (ADR 0005). Every exchange with an outside
system is a persisted message with a status, attempts and an idempotency key, so a retry
never sends twice what was already sent.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ventanilla.core.models import TimeStamped


class Notice(models.Model):
    """One thing an organisation is told (TFA 5.1-5.3, 7.1). Kind and params are stored;
    the text is rendered in the reader's language when shown."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="notices",
        verbose_name=_("organisation"),
    )
    kind = models.CharField(_("kind"), max_length=40)
    declaration_id = models.PositiveBigIntegerField(
        _("declaration"), null=True, blank=True, db_index=True
    )
    reference = models.CharField(_("reference"), max_length=70, blank=True)
    params = models.JSONField(_("parameters"), default=dict)
    created_at = models.DateTimeField(_("created at"), db_index=True)
    # First read by anyone acting for the organisation; each user's own state is NoticeRead.
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [models.Index(fields=["organisation", "-created_at"], name="notice_org_recent")]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference} → {self.organisation_id}"


class NoticeRead(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices_read"
    )
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="reads")
    read_at = models.DateTimeField(_("read at"))

    class Meta:
        verbose_name = _("notice read")
        verbose_name_plural = _("notices read")
        constraints = [
            models.UniqueConstraint(fields=["user", "notice"], name="notice_read_once_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.notice_id}"


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboundEmail(TimeStamped):
    """One e-mail to one recipient about one notice. Subject and body are rendered in
    the recipient's language when first sent, and kept as sent."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="emails")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for the organisation's contact address."),
    )
    to = models.EmailField(_("to"))
    language = models.CharField(_("language"), max_length=8)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("body"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outbound e-mail")
        verbose_name_plural = _("outbound e-mails")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="email_due")]

    def __str__(self) -> str:
        return f"{self.to} ({self.status})"


class WebhookEndpoint(TimeStamped):
    """An organisation's own system that receives its notices, signed with a shared
    secret (the secret is needed in clear to sign, so it is stored; shown once)."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        verbose_name=_("organisation"),
    )
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    secret = models.CharField(max_length=100)
    kinds = models.JSONField(
        _("kinds subscribed"),
        default=list,
        blank=True,
        help_text=_("Empty means every kind."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    secret_rotated_at = models.DateTimeField(_("secret rotated at"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    class Meta:
        ordering = ["organisation_id", "id"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.url

    def wants(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds


class WebhookStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed, will retry")
    DEAD = "dead", _("Failed, no more retries")


class OutboundWebhook(TimeStamped):
    """One signed POST of one notice to one endpoint, with its delivery history."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="webhooks")
    event_id = models.UUIDField(_("event id"), default=uuid.uuid4, unique=True, editable=False)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=10, choices=WebhookStatus.choices, default=WebhookStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_status_code = models.PositiveSmallIntegerField(
        _("last HTTP status"), null=True, blank=True
    )
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_due")]

    def __str__(self) -> str:
        return f"{self.event_id} ({self.status})"
