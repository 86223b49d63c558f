"""Webhook signatures: HMAC-SHA256 over ``"<unix time>.<raw body>"`` with the endpoint's
secret, sent as ``X-Ventanilla-Signature: t=<unix time>,v1=<hex digest>``.

``verify_signature`` uses only the standard library so partners can copy it into their
receivers (see docs/webhooks.md). The timestamp bounds replays to ``tolerance_s``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

SIGNATURE_HEADER = "X-Ventanilla-Signature"
EVENT_HEADER = "X-Ventanilla-Event"
DELIVERY_HEADER = "X-Ventanilla-Delivery"
SECRET_PREFIX = "whsec_"  # noqa: S105 - a public marker, not a secret


def new_secret() -> str:
    return f"{SECRET_PREFIX}{secrets.token_urlsafe(32)}"


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The value of the signature header for ``body`` sent at ``timestamp`` (now)."""
    ts = int(time.time()) if timestamp is None else timestamp
    return f"t={ts},v1={_digest(secret, ts, body)}"


def verify_signature(
    secret: str,
    header: str,
    body: bytes,
    tolerance_s: int = 300,
    now: float | None = None,
) -> bool:
    """True when ``header`` signs ``body`` with ``secret`` within ``tolerance_s`` seconds.

    Several ``v1=`` values may appear (during a secret rotation the receiver may be sent
    either); any one matching is enough. Comparison is constant-time.
    """
    timestamp: int | None = None
    candidates: list[str] = []
    for part in (header or "").split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            continue
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                return False
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance_s:
        return False
    expected = _digest(secret, timestamp, body)
    return any(hmac.compare_digest(expected, c) for c in candidates)
