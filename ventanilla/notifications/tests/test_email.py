"""E-mails: one persisted message per recipient, in each recipient's language, sent
once (TFA 5.2: the importer is told at once; both languages everywhere)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.utils import timezone

from ventanilla.accounts.choices import OrganisationKind
from ventanilla.accounts.tests.factories import OrganisationFactory, member
from ventanilla.notifications import tasks
from ventanilla.notifications.models import EmailStatus, OutboundEmail
from ventanilla.notifications.services import notify
from ventanilla.notifications.tests.factories import REFERENCE, release_params

pytestmark = pytest.mark.django_db


class RefusingBackend(BaseEmailBackend):
    """An SMTP server that is down."""

    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        raise ConnectionRefusedError("smtp down")


def _time_passes() -> None:
    OutboundEmail.objects.filter(next_attempt_at__isnull=False).update(
        next_attempt_at=timezone.now() - dt.timedelta(seconds=1)
    )


@pytest.fixture
def trader():
    org = OrganisationFactory(kind=OrganisationKind.TRADER, email="Customs@Trader.test")
    member(
        "trader_declarant",
        org,
        email="ana@trader.test",
        preferred_language="es",
        full_name="Ana Quispe",
    )
    member(
        "trader_admin", org, email="bob@trader.test", preferred_language="en", full_name="Bob Smith"
    )
    member("trader_declarant", org, email="gone@trader.test", is_active=False)
    return org


def _release(org, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        return notify(
            organisations=[org], kind="released", declaration_id=9, params=release_params(), by=None
        )


def test_each_member_is_emailed_in_their_language(trader, django_capture_on_commit_callbacks):
    (notice,) = _release(trader, django_capture_on_commit_callbacks)
    sent = {m.to[0]: m for m in mail.outbox}
    assert sorted(sent) == ["ana@trader.test", "bob@trader.test", "customs@trader.test"]
    assert sent["ana@trader.test"].subject == (
        f"[Ventanilla] Levante otorgado: declaración {REFERENCE}"
    )
    assert sent["bob@trader.test"].subject == (
        f"[Ventanilla] Goods released: declaration {REFERENCE}"
    )
    # The contact address has no preference: the platform's default language.
    assert sent["customs@trader.test"].subject == sent["bob@trader.test"].subject
    assert sent["ana@trader.test"].body.startswith("Hola, Ana Quispe:\n\n")
    assert (
        f"Se otorgó el levante a las mercancías de la declaración {REFERENCE} el 27 de "
        "noviembre de 2026 a las 10:30 en Callao. Pueden retirarse."
    ) in sent["ana@trader.test"].body
    assert "Nov. 27, 2026, 10:30 a.m. at Callao" in sent["bob@trader.test"].body
    assert "&" not in sent["bob@trader.test"].body  # plain text, not HTML-escaped
    rows = {e.to: e for e in OutboundEmail.objects.filter(notice=notice)}
    assert {(e.language, e.status, e.attempts) for e in rows.values()} == {
        ("es", EmailStatus.SENT, 1),
        ("en", EmailStatus.SENT, 1),
    }
    assert rows["ana@trader.test"].idempotency_key == f"notice:{notice.pk}:email:ana@trader.test"
    assert rows["ana@trader.test"].subject == sent["ana@trader.test"].subject


def test_a_sent_email_is_never_sent_again(trader, django_capture_on_commit_callbacks):
    _release(trader, django_capture_on_commit_callbacks)
    email = OutboundEmail.objects.get(to="ana@trader.test")
    assert tasks.email_send.call(email.pk) == "skipped"
    _time_passes()
    assert tasks.retry_due() == (0, 0)
    assert len(mail.outbox) == 3
    email.refresh_from_db()
    assert email.attempts == 1


def test_a_failed_send_is_retried_then_given_up(
    trader, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "ventanilla.notifications.tests.test_email.RefusingBackend"
    settings.VENTANILLA_EMAIL_MAX_ATTEMPTS = 2
    _release(trader, django_capture_on_commit_callbacks)
    email = OutboundEmail.objects.get(to="ana@trader.test")
    assert (email.status, email.attempts) == (EmailStatus.PENDING, 1)
    assert email.last_error == "ConnectionRefusedError: smtp down"
    assert email.next_attempt_at is not None and email.next_attempt_at > timezone.now()
    assert tasks.email_send.call(email.pk) == "skipped"  # not due yet
    _time_passes()
    assert tasks.retry_due() == (3, 0)
    email.refresh_from_db()
    assert (email.status, email.attempts, email.next_attempt_at) == (EmailStatus.FAILED, 2, None)
    _time_passes()
    assert tasks.retry_due() == (0, 0)


def test_retry_command_sends_what_is_due(trader, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "ventanilla.notifications.tests.test_email.RefusingBackend"
    _release(trader, django_capture_on_commit_callbacks)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _time_passes()
    out = io.StringIO()
    call_command("notifications_retry", stdout=out)
    assert out.getvalue().strip() == "enqueued 3 e-mail(s), 0 webhook delivery(ies)"
    assert len(mail.outbox) == 3
    assert set(OutboundEmail.objects.values_list("status", "attempts")) == {(EmailStatus.SENT, 2)}


def test_one_task_sends_a_commits_messages_and_one_failure_holds_back_no_other(
    trader, django_capture_on_commit_callbacks, monkeypatch
):
    """The three e-mails of a release go out through one task; an e-mail whose sending
    breaks unexpectedly is logged and left due, and the sweep sends it later."""
    from ventanilla.notifications import delivery

    with django_capture_on_commit_callbacks() as callbacks:
        notify(
            organisations=[trader],
            kind="released",
            declaration_id=9,
            params=release_params(),
            by=None,
        )
    (deliver,) = callbacks
    first, *others = OutboundEmail.objects.order_by("pk").values_list("pk", flat=True)
    assert deliver.args == ([first, *others], [])
    real = delivery.email_send_now

    def broken_for_the_first(email_id: int) -> delivery.Attempt:
        if email_id == first:
            raise RuntimeError("a bug while rendering")
        return real(email_id)

    monkeypatch.setattr(delivery, "email_send_now", broken_for_the_first)
    assert tasks.messages_deliver.call(*deliver.args) == {"error": 1, "sent": 2}
    addresses = dict(OutboundEmail.objects.values_list("pk", "to"))
    assert sorted(m.to[0] for m in mail.outbox) == sorted(addresses[pk] for pk in others)
    assert OutboundEmail.objects.get(pk=first).status == EmailStatus.PENDING
    monkeypatch.undo()
    assert tasks.retry_due() == (1, 0)  # the immediate backend sends it at once
    assert OutboundEmail.objects.get(pk=first).status == EmailStatus.SENT
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ana@trader.test",
        "bob@trader.test",
        "customs@trader.test",
    ]
