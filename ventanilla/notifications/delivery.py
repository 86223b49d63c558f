"""Sending persisted messages: one e-mail or one webhook delivery per call, by id.

Each attempt first *claims* the row with one conditional UPDATE (due, not sent, not
held by another worker), so running the same task twice, or a retry sweep beside a
queued task, never sends a message twice at once, and a sent or delivered row is never
sent again. A worker that dies mid-send leaves a lease that expires, and the message is
tried again: delivery is at least once, and receivers de-duplicate webhooks on
``X-Ventanilla-Delivery`` (TFA 5.2, 7.1: a missed notice is worse than a repeated one).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

import httpx
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string, select_template
from django.utils import timezone, translation

from ventanilla.audit.services import audit_record
from ventanilla.notifications.models import (
    EmailStatus,
    OutboundEmail,
    OutboundWebhook,
    WebhookStatus,
)
from ventanilla.notifications.rendering import render_notice
from ventanilla.notifications.rules import host_problem
from ventanilla.notifications.signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    sign,
)

LEASE = dt.timedelta(seconds=60)
MAX_BACKOFF = dt.timedelta(hours=6)
RESPONSE_EXCERPT = 500


def webhook_max_attempts() -> int:
    return int(getattr(settings, "VENTANILLA_WEBHOOK_MAX_ATTEMPTS", 6))


def webhook_timeout_s() -> float:
    return float(getattr(settings, "VENTANILLA_WEBHOOK_TIMEOUT_S", 5.0))


def email_max_attempts() -> int:
    return int(getattr(settings, "VENTANILLA_EMAIL_MAX_ATTEMPTS", 5))


def backoff(attempts: int) -> dt.timedelta:
    """Wait before attempt ``attempts + 1``: 1 min, 4 min, 16 min, 64 min, 4 h 16 min, then
    at most 6 h, so the default six attempts span a partner's outage of about 5 h 40 min."""
    base = float(getattr(settings, "VENTANILLA_RETRY_BACKOFF_S", 60))
    return min(dt.timedelta(seconds=base * 4 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _claim(
    model: type[OutboundEmail] | type[OutboundWebhook],
    pk: int,
    statuses: Sequence[str],
    now: dt.datetime,
) -> bool:
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    free = Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    claimed = model.objects.filter(due, free, pk=pk, status__in=statuses).update(
        locked_until=now + LEASE, attempts=F("attempts") + 1, updated_at=now
    )
    return claimed == 1


@dataclass(frozen=True)
class Attempt:
    """What one call did: ``skipped`` when the row was not due or not ours to send."""

    outcome: str  # skipped, sent, delivered, retry, failed, dead
    retry_at: dt.datetime | None = None


# --- e-mail -------------------------------------------------------------------------


def _render_email(email: OutboundEmail) -> None:
    notice = email.notice
    language = email.user.preferred_language if email.user else email.language
    with translation.override(language):
        rendered = render_notice(notice, language)
        context = {
            "title": rendered.title,
            "body": rendered.body,
            "organisation": notice.organisation.label,
            "recipient_name": email.user.full_name if email.user else "",
            "reference": notice.reference,
        }
        subject = select_template(
            [f"notifications/email/{notice.kind}/subject.txt", "notifications/email/subject.txt"]
        ).render(context)
        body = render_to_string(
            [f"notifications/email/{notice.kind}/body.txt", "notifications/email/body.txt"],
            context,
        )
    email.language = language
    email.subject = " ".join(subject.split())[:300]
    email.body = body.strip() + "\n"


def email_send_now(email_id: int) -> Attempt:
    """Send one pending e-mail through Django's e-mail backend (in the recipient's
    language, rendered at the first attempt and kept as sent)."""
    now = timezone.now()
    if not _claim(OutboundEmail, email_id, [EmailStatus.PENDING], now):
        return Attempt("skipped")
    email = OutboundEmail.objects.select_related("notice__organisation", "user").get(pk=email_id)
    if not email.subject:
        _render_email(email)
    error = ""
    try:
        EmailMessage(email.subject, email.body, to=[email.to]).send()
    except Exception as exc:  # any backend failure is recorded and retried
        error = f"{type(exc).__name__}: {exc}"[:RESPONSE_EXCERPT]
    done = timezone.now()
    email.locked_until = None
    email.last_error = error
    retry_at = None
    if not error:
        email.status, email.sent_at, email.next_attempt_at = EmailStatus.SENT, done, None
    elif email.attempts >= email_max_attempts():
        email.status, email.next_attempt_at = EmailStatus.FAILED, None
    else:
        retry_at = email.next_attempt_at = done + backoff(email.attempts)
    email.save(
        update_fields=[
            "language",
            "subject",
            "body",
            "status",
            "sent_at",
            "next_attempt_at",
            "locked_until",
            "last_error",
            "updated_at",
        ]
    )
    if not error:
        return Attempt("sent")
    return Attempt("retry", retry_at) if retry_at else Attempt("failed")


# --- webhooks -----------------------------------------------------------------------


def encode_payload(payload: dict[str, object]) -> bytes:
    """The exact bytes that are signed and sent."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """POST and return (status code, error text); never follows redirects."""
    problem = host_problem(url)
    if problem:
        return None, problem
    try:
        with (
            httpx.Client(timeout=webhook_timeout_s(), follow_redirects=False) as client,
            client.stream("POST", url, content=body, headers=headers) as response,
        ):
            excerpt = b""
            for chunk in response.iter_bytes():
                excerpt += chunk
                if len(excerpt) >= RESPONSE_EXCERPT:
                    break
            code = response.status_code
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:RESPONSE_EXCERPT]
    if 200 <= code < 300:
        return code, ""
    text = excerpt[:RESPONSE_EXCERPT].decode("utf-8", "replace")
    return code, f"HTTP {code}: {text}".strip()


def webhook_deliver_now(webhook_id: int) -> Attempt:
    """One signed POST of a pending or failed delivery that is due."""
    now = timezone.now()
    statuses = [WebhookStatus.PENDING, WebhookStatus.FAILED]
    if not _claim(OutboundWebhook, webhook_id, statuses, now):
        return Attempt("skipped")
    hook = OutboundWebhook.objects.select_related("endpoint__organisation").get(pk=webhook_id)
    endpoint = hook.endpoint
    if endpoint.deleted_at is not None or not endpoint.is_active:
        code, error = None, "endpoint not active"
        give_up = True
    else:
        body = encode_payload(hook.payload)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Ventanilla-Webhooks/1",
            EVENT_HEADER: str(hook.payload.get("kind", "")),
            DELIVERY_HEADER: str(hook.event_id),
            SIGNATURE_HEADER: sign(endpoint.secret, body),
        }
        code, error = _post(endpoint.url, body, headers)
        give_up = False
    return _record(hook, code, error, give_up)


def _record(hook: OutboundWebhook, code: int | None, error: str, give_up: bool) -> Attempt:
    done = timezone.now()
    with transaction.atomic():
        hook.last_status_code = code
        hook.last_error = error
        hook.locked_until = None
        retry_at = None
        if not error:
            hook.status, hook.delivered_at, hook.next_attempt_at = (
                WebhookStatus.DELIVERED,
                done,
                None,
            )
        elif give_up or hook.attempts >= webhook_max_attempts():
            hook.status, hook.next_attempt_at = WebhookStatus.DEAD, None
            # A partner's system missed a notice for good: on the record (TFA 5.2, 7.1).
            audit_record(
                verb="webhook.dead",
                target=hook,
                by=None,
                organisation=hook.endpoint.organisation,
                payload={
                    "event_id": str(hook.event_id),
                    "attempts": hook.attempts,
                    "last_status_code": code,
                    "last_error": error[:200],
                },
            )
        else:
            hook.status = WebhookStatus.FAILED
            retry_at = hook.next_attempt_at = done + backoff(hook.attempts)
        hook.save(
            update_fields=[
                "status",
                "delivered_at",
                "next_attempt_at",
                "locked_until",
                "last_status_code",
                "last_error",
                "updated_at",
            ]
        )
    if hook.status == WebhookStatus.DELIVERED:
        return Attempt("delivered")
    return Attempt("retry", retry_at) if retry_at else Attempt("dead")


def due_message_ids(
    now: dt.datetime | None = None, limit: int = 500
) -> tuple[list[int], list[int]]:
    """E-mails and webhook deliveries whose next attempt is due and that no worker holds
    (lost enqueues, retries on a backend without ``run_after``)."""
    now = now or timezone.now()
    due = Q(next_attempt_at__lte=now) & (Q(locked_until__isnull=True) | Q(locked_until__lt=now))
    emails = OutboundEmail.objects.filter(due, status=EmailStatus.PENDING).order_by(
        "next_attempt_at"
    )
    hooks = OutboundWebhook.objects.filter(
        due, status__in=[WebhookStatus.PENDING, WebhookStatus.FAILED]
    ).order_by("next_attempt_at")
    return (
        list(emails.values_list("pk", flat=True)[:limit]),
        list(hooks.values_list("pk", flat=True)[:limit]),
    )
