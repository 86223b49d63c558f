"""Electronic payment of duties (TFA 7.2) and guarantee accounts (TFA 7.3).

Every exchange with a payment provider is persisted: the payment holds what was sent
(payload, attempts, idempotency key, status); every callback received is a
``PaymentEvent`` with its raw body, whether its signature was valid and whether it was a
duplicate. The guarantee ledger is append-only: a balance is always recomputed from the
movements, never stored.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.core.models import EffectiveDated
from ventanilla.payments.choices import GuaranteeStatus, MovementKind, PaymentStatus

MONEY: dict[str, Any] = {
    "max_digits": 18,
    "decimal_places": 3,
}  # quantized to the currency's minor units


class Payment(models.Model):
    """One attempt to pay the duties of a declaration through a provider."""

    reference = models.CharField(_("payment reference"), max_length=24, unique=True)
    declaration = models.ForeignKey(
        "declarations.Declaration", on_delete=models.PROTECT, related_name="payments"
    )
    assessment = models.ForeignKey(
        "duties.DutyAssessment", on_delete=models.PROTECT, related_name="payments"
    )
    payer = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=PaymentStatus.choices,
        default=PaymentStatus.INITIATED,
        db_index=True,
    )
    provider_code = models.CharField(_("provider"), max_length=30)
    provider_reference = models.CharField(_("provider reference"), max_length=100, blank=True)
    redirect_url = models.CharField(_("payment page"), max_length=500, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100)
    request_payload = models.JSONField(_("sent to the provider"), default=dict)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    initiated_at = models.DateTimeField(_("initiated at"), default=timezone.now)
    pending_at = models.DateTimeField(_("pending since"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    expired_at = models.DateTimeField(_("expired at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    # Set by ``payment_start`` for the length of a request: True when the idempotency
    # key found an existing payment.
    replayed: bool = False

    class Meta:
        ordering = ["-initiated_at", "-pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        permissions = [("pay_duties", _("Pay duties and taxes electronically"))]
        constraints = [
            models.UniqueConstraint(
                fields=["payer", "idempotency_key"], name="payment_idempotency_key"
            ),
            models.UniqueConstraint(
                fields=["provider_code", "provider_reference"],
                condition=~Q(provider_reference=""),
                name="payment_provider_reference",
            ),
            models.CheckConstraint(name="payment_amount_positive", condition=Q(amount__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount} {self.currency} {self.status}"


class PaymentEvent(models.Model):
    """A callback received from a provider, kept as received."""

    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="events", null=True, blank=True
    )
    provider_code = models.CharField(max_length=30)
    event_id = models.CharField(max_length=100, blank=True)
    outcome = models.CharField(max_length=12, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    headers = models.JSONField(default=dict)
    body = models.TextField(blank=True)
    signature_valid = models.BooleanField(default=False)
    duplicate = models.BooleanField(default=False)
    applied = models.BooleanField(default=False)
    error_code = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["received_at", "pk"]
        verbose_name = _("payment event")
        verbose_name_plural = _("payment events")
        constraints = [
            # A provider's event changes a payment at most once (duplicates are recorded).
            models.UniqueConstraint(
                fields=["provider_code", "event_id"],
                condition=Q(applied=True),
                name="payment_event_applied_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider_code} {self.event_id} {self.outcome}"


class GuaranteeAccount(EffectiveDated):
    """A comprehensive guarantee lodged by an operator (WCO ObligationGuarantee 90A)."""

    holder = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="guarantee_accounts"
    )
    reference = models.CharField(_("guarantee reference"), max_length=35, unique=True)  # 100
    currency = models.CharField(_("currency"), max_length=3)
    limit_amount = models.DecimalField(_("limit"), **MONEY)  # 492
    status = models.CharField(
        _("status"), max_length=12, choices=GuaranteeStatus.choices, default=GuaranteeStatus.ACTIVE
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["holder", "reference"]
        verbose_name = _("guarantee account")
        verbose_name_plural = _("guarantee accounts")
        permissions = [("use_guarantee", _("Use the organisation's guarantee for a declaration"))]
        constraints = [
            models.CheckConstraint(
                name="guarantee_limit_not_negative", condition=Q(limit_amount__gte=0)
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class LedgerIsAppendOnly(Exception):
    """A guarantee movement is never updated nor deleted; a correction is a new entry."""


class GuaranteeMovement(models.Model):
    account = models.ForeignKey(
        GuaranteeAccount, on_delete=models.PROTECT, related_name="movements"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=MovementKind.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    declaration = models.ForeignKey(
        "declarations.Declaration",
        on_delete=models.PROTECT,
        related_name="guarantee_movements",
        null=True,
        blank=True,
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["account", "created_at", "pk"]
        verbose_name = _("guarantee movement")
        verbose_name_plural = _("guarantee movements")
        constraints = [
            models.CheckConstraint(name="guarantee_movement_positive", condition=Q(amount__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise LedgerIsAppendOnly(f"guarantee movement {self.pk}")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise LedgerIsAppendOnly(f"guarantee movement {self.pk}")
