"""The interface every payment provider implements (TFA 7.2 e-payment).

A provider opens a session for a payment (``start``) and later tells us the outcome by
a signed callback, which ``verify_callback`` checks and parses. Real gateways are
adapters behind this interface; ``sandbox.SandboxProvider`` behaves like one for tests
and the demo.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ventanilla.payments.models import Payment


@dataclass(frozen=True)
class ProviderSession:
    reference: str
    redirect_url: str


@dataclass(frozen=True)
class CallbackData:
    event_id: str
    merchant_reference: str  # our Payment.reference
    provider_reference: str
    outcome: str  # "confirmed" or "failed"
    amount: Decimal
    currency: str
    occurred_at: dt.datetime
    reason: str = ""


class CallbackRejected(Exception):
    """The callback cannot be trusted (``bad_signature``) or read (``bad_payload``)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


class ProviderUnavailable(Exception):
    """The provider did not open a session (network error, outage, refusal)."""


class PaymentProvider(Protocol):
    code: str

    def start(self, payment: Payment) -> ProviderSession: ...

    def verify_callback(self, headers: Mapping[str, str], body: bytes) -> CallbackData: ...
