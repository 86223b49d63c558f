"""A sandbox payment provider that behaves like a real one.

``start`` answers with a reference and a payment-page URL; the outcome arrives later,
asynchronously, as a callback signed with HMAC-SHA256 over the raw body (header
``X-Sandbox-Signature``, secret ``settings.VENTANILLA_PAYMENT_SANDBOX_SECRET``), delivered
by a django-task to the same service the HTTP callback endpoint uses.

Outcomes, as the test cards of real gateways: an amount whose cents are ``.13`` fails;
``.42`` is confirmed and the callback is delivered twice (a duplicate); anything else is
confirmed once. ``settings.VENTANILLA_PAYMENT_SANDBOX_OUTCOME`` (``confirmed``,
``failed`` or ``silent`` — no callback at all) overrides the amount, for tests.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ventanilla.payments.providers.base import CallbackData, CallbackRejected, ProviderSession

if TYPE_CHECKING:
    from ventanilla.payments.models import Payment

CODE = "sandbox"
SIGNATURE_HEADER = "X-Sandbox-Signature"
DEV_SECRET = "sandbox-dev-secret-not-for-production"  # noqa: S105 - sandbox only
OUTCOMES = ("confirmed", "failed")


def secret() -> bytes:
    return str(getattr(settings, "VENTANILLA_PAYMENT_SANDBOX_SECRET", DEV_SECRET)).encode()


def sign(body: bytes) -> str:
    return hmac.new(secret(), body, hashlib.sha256).hexdigest()


def provider_reference(payment: Payment) -> str:
    # Deterministic, as a gateway deduplicating on our merchant reference would be.
    digest = hashlib.sha256(f"{CODE}:{payment.reference}".encode()).hexdigest()
    return f"SBX-{digest[:16].upper()}"


def outcome_for(payment: Payment) -> tuple[str, int]:
    """(outcome, number of deliveries) for this payment."""
    forced = getattr(settings, "VENTANILLA_PAYMENT_SANDBOX_OUTCOME", None)
    if forced == "silent":
        return "silent", 0
    if forced in OUTCOMES:
        return str(forced), 1
    cents = (payment.amount * 100) % 100
    if cents == 13:
        return "failed", 1
    if cents == 42:
        return "confirmed", 2
    return "confirmed", 1


def callback_body(payment: Payment, outcome: str, at: dt.datetime | None = None) -> bytes:
    data = {
        "event_id": f"evt-{payment.reference}-{outcome}",
        "merchant_reference": payment.reference,
        "provider_reference": provider_reference(payment),
        "outcome": outcome,
        "amount": str(payment.amount),
        "currency": payment.currency,
        "occurred_at": (at or timezone.now()).isoformat(),
        "reason": "card declined (sandbox)" if outcome == "failed" else "",
    }
    return json.dumps(data, sort_keys=True).encode()


def _header(headers: Mapping[str, str], name: str) -> str:
    wanted = name.lower()
    for key, value in headers.items():
        if str(key).lower().replace("_", "-") in (wanted, f"http-{wanted}"):
            return str(value)
    return ""


class SandboxProvider:
    code = CODE

    def start(self, payment: Payment) -> ProviderSession:
        from ventanilla.payments.tasks import sandbox_callback_deliver

        _outcome, deliveries = outcome_for(payment)
        for _n in range(deliveries):
            # The payer "pays" once we have recorded the session: after commit.
            transaction.on_commit(partial(sandbox_callback_deliver.enqueue, payment.pk))
        base = str(
            getattr(
                settings, "VENTANILLA_PAYMENT_SANDBOX_URL", "https://sandbox-pay.example/checkout/"
            )
        )
        reference = provider_reference(payment)
        return ProviderSession(reference=reference, redirect_url=f"{base}{reference}")

    def verify_callback(self, headers: Mapping[str, str], body: bytes) -> CallbackData:
        signature = _header(headers, SIGNATURE_HEADER).strip().lower()
        if not signature or not hmac.compare_digest(signature.encode(), sign(body).encode()):
            raise CallbackRejected("bad_signature")
        try:
            data: Any = json.loads(body)
            amount = Decimal(str(data["amount"]))
            occurred = dt.datetime.fromisoformat(str(data["occurred_at"]))
            parsed = CallbackData(
                event_id=str(data["event_id"])[:100],
                merchant_reference=str(data["merchant_reference"])[:24],
                provider_reference=str(data.get("provider_reference", ""))[:100],
                outcome=str(data["outcome"]),
                amount=amount,
                currency=str(data["currency"]),
                occurred_at=occurred
                if timezone.is_aware(occurred)
                else timezone.make_aware(occurred),
                reason=str(data.get("reason", ""))[:300],
            )
        except (
            ValueError,
            TypeError,
            KeyError,
            InvalidOperation,
            AttributeError,
            RecursionError,
        ) as exc:
            raise CallbackRejected("bad_payload", type(exc).__name__) from exc
        if parsed.outcome not in OUTCOMES or not parsed.amount.is_finite():
            raise CallbackRejected("bad_payload", "outcome or amount")
        return parsed
