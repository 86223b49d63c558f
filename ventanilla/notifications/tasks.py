"""Background tasks: each takes message ids and is idempotent (see ``delivery``). A
commit's messages go out through ``messages_deliver``; a retry is a task of its own.

A failed e-mail or webhook is re-enqueued with ``run_after`` when the task backend supports it
(the database backend does); otherwise ``ventanilla notifications_retry`` (run it every
minute) sends what is due.
"""

from __future__ import annotations

import datetime as dt

import structlog
from django_tasks import task

from ventanilla.notifications import delivery

log = structlog.get_logger(__name__)


def _schedule_retry(kind: str, message_id: int, when: dt.datetime) -> None:
    target = email_send if kind == "email" else webhook_deliver
    if target.get_backend().supports_defer:
        target.using(run_after=when).enqueue(message_id)


def _email(email_id: int) -> str:
    attempt = delivery.email_send_now(email_id)
    log.info("notifications.email", email_id=email_id, outcome=attempt.outcome)
    if attempt.retry_at is not None:
        _schedule_retry("email", email_id, attempt.retry_at)
    return attempt.outcome


def _webhook(webhook_id: int) -> str:
    attempt = delivery.webhook_deliver_now(webhook_id)
    log.info("notifications.webhook", webhook_id=webhook_id, outcome=attempt.outcome)
    if attempt.retry_at is not None:
        _schedule_retry("webhook", webhook_id, attempt.retry_at)
    return attempt.outcome


@task()
def email_send(email_id: int) -> str:
    return _email(email_id)


@task()
def webhook_deliver(webhook_id: int) -> str:
    return _webhook(webhook_id)


# The messages of one commit go out through one task per this many of them: a release
# told to trader, broker and carrier, or the worker's assessment of a hundred bulk-lodged
# declarations, queues a few task rows instead of one per e-mail and webhook (ADR 0006),
# and a few workers can still share a large batch.
DELIVERY_CHUNK = 20


@task()
def messages_deliver(email_ids: list[int], webhook_ids: list[int]) -> dict[str, int]:
    """Deliver each message as ``email_send`` and ``webhook_deliver`` would, one after
    the other: each is claimed, sent and retried on its own. One that fails unexpectedly
    does not hold back the others; it stays due, and ``retry_due`` sends it."""
    outcomes: dict[str, int] = {}
    for kind, deliver, ids in (("email", _email, email_ids), ("webhook", _webhook, webhook_ids)):
        for message_id in ids:
            try:
                outcome = deliver(message_id)
            except Exception:  # one message's failure is logged, not the batch's
                log.exception("notifications.delivery_failed", kind=kind, message_id=message_id)
                outcome = "error"
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def retry_due(now: dt.datetime | None = None) -> tuple[int, int]:
    """Enqueue every e-mail and webhook delivery that is due; returns the counts."""
    email_ids, webhook_ids = delivery.due_message_ids(now)
    for email_id in email_ids:
        email_send.enqueue(email_id)
    for webhook_id in webhook_ids:
        webhook_deliver.enqueue(webhook_id)
    return len(email_ids), len(webhook_ids)


@task()
def notifications_retry_due() -> list[int]:
    """The sweep as a task, for schedulers that enqueue tasks periodically."""
    return list(retry_due())
