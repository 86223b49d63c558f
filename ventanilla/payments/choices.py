"""Code lists of payments and guarantees, with the explicit status transition table."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PaymentStatus(models.TextChoices):
    INITIATED = "initiated", _("Initiated")
    PENDING = "pending", _("Pending at the payment provider")
    CONFIRMED = "confirmed", _("Confirmed")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


# Any other change is refused. A confirmation may arrive before the provider's answer to
# "start" is recorded (initiated -> confirmed) and after the session expired on our side
# (expired -> confirmed): the money was taken, so it is recorded (TFA 7.2 reconciliation).
PAYMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    PaymentStatus.INITIATED: frozenset(
        {
            PaymentStatus.PENDING,
            PaymentStatus.CONFIRMED,
            PaymentStatus.FAILED,
            PaymentStatus.EXPIRED,
        }
    ),
    PaymentStatus.PENDING: frozenset(
        {PaymentStatus.CONFIRMED, PaymentStatus.FAILED, PaymentStatus.EXPIRED}
    ),
    PaymentStatus.EXPIRED: frozenset({PaymentStatus.CONFIRMED}),
    PaymentStatus.CONFIRMED: frozenset(),
    PaymentStatus.FAILED: frozenset(),
}
OPEN_STATUSES = frozenset({PaymentStatus.INITIATED, PaymentStatus.PENDING})


class GuaranteeStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("guarantee account", "Active")
    SUSPENDED = "suspended", _("Suspended")


class MovementKind(models.TextChoices):
    """Guarantee ledger entries (TFA 7.3: a guarantee is reserved for a declaration,
    released when no longer needed, or settled — drawn to pay what is finally due)."""

    RESERVE = "reserve", _("Reserved for a declaration")
    RELEASE = "release", pgettext_lazy("guarantee movement", "Released")
    SETTLE = "settle", _("Drawn to pay duties")
    TOP_UP = "top_up", _("Topped up")
