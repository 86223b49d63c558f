"""Signed webhooks to a partner's system over real HTTP (the fake partner): delivered
once, retried with backoff, given up after the maximum (TFA 5.2, 7.1 notices pushed to
carriers' and brokers' systems)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks import default_task_backend

from ventanilla.accounts.choices import OrganisationKind
from ventanilla.accounts.tests.factories import OrganisationFactory, member
from ventanilla.audit.models import AuditEvent
from ventanilla.notifications import tasks
from ventanilla.notifications.delivery import encode_payload
from ventanilla.notifications.models import OutboundWebhook, WebhookStatus
from ventanilla.notifications.services import notify, webhook_redeliver
from ventanilla.notifications.tests.factories import (
    REFERENCE,
    WebhookEndpointFactory,
    release_params,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def carrier():
    return OrganisationFactory(kind=OrganisationKind.CARRIER, code="20100000001")


@pytest.fixture
def endpoint(carrier, partner):
    hook = WebhookEndpointFactory(organisation=carrier, url=partner.url)
    partner.secret = hook.secret
    return hook


def _release(org, capture):  # type: ignore[no-untyped-def]
    with capture(execute=True):
        (notice,) = notify(
            organisations=[org],
            kind="released",
            declaration_id=77,
            params=release_params(),
            by=None,
        )
    return notice


def _time_passes() -> None:
    OutboundWebhook.objects.filter(next_attempt_at__isnull=False).update(
        next_attempt_at=timezone.now() - dt.timedelta(seconds=1)
    )


def test_delivered_over_http_with_a_valid_signature(
    carrier, endpoint, partner, django_capture_on_commit_callbacks
):
    notice = _release(carrier, django_capture_on_commit_callbacks)
    hook = OutboundWebhook.objects.get()
    assert (hook.status, hook.attempts, hook.last_status_code) == (WebhookStatus.DELIVERED, 1, 200)
    assert hook.delivered_at is not None and hook.last_error == ""
    assert hook.idempotency_key == f"notice:{notice.pk}:endpoint:{endpoint.pk}"
    (received,) = partner.requests
    assert received.signature_valid and received.answered == 200
    assert received.headers["X-Ventanilla-Event"] == "released"
    assert received.headers["X-Ventanilla-Delivery"] == str(hook.event_id)
    assert received.headers["Content-Type"] == "application/json"
    assert received.body == encode_payload(hook.payload)
    assert received.json == {
        "id": str(hook.event_id),
        "notice_id": notice.pk,
        "kind": "released",
        "created_at": notice.created_at.isoformat(),
        "organisation": {"id": carrier.pk, "code": "20100000001"},
        "declaration": {"id": 77, "reference": REFERENCE},
        "params": release_params(),
        "title": {
            "en": f"Goods released: declaration {REFERENCE}",
            "es": f"Levante otorgado: declaración {REFERENCE}",
        },
        "body": {
            "en": f"The goods of declaration {REFERENCE} were released on Nov. 27, 2026, "
            "10:30 a.m. at Callao. They may leave.",
            "es": f"Se otorgó el levante a las mercancías de la declaración {REFERENCE} el 27 "
            "de noviembre de 2026 a las 10:30 en Callao. Pueden retirarse.",
        },
    }


def test_only_subscribed_active_endpoints_of_the_organisation_receive(
    carrier, endpoint, partner, django_capture_on_commit_callbacks
):
    WebhookEndpointFactory(organisation=carrier, url=partner.url, kinds=["duties_due"])
    WebhookEndpointFactory(organisation=carrier, url=partner.url, is_active=False)
    WebhookEndpointFactory(url=partner.url)  # another organisation's endpoint
    subscribed = WebhookEndpointFactory(
        organisation=carrier, url=partner.url, kinds=["released"], secret=endpoint.secret
    )
    _release(carrier, django_capture_on_commit_callbacks)
    assert set(OutboundWebhook.objects.values_list("endpoint_id", flat=True)) == {
        endpoint.pk,
        subscribed.pk,
    }
    assert len(partner.accepted) == 2


def test_partner_failing_twice_gets_it_on_the_third_attempt(
    carrier, endpoint, partner, django_capture_on_commit_callbacks
):
    partner.fail_next = 2
    _release(carrier, django_capture_on_commit_callbacks)
    hook = OutboundWebhook.objects.get()
    assert (hook.status, hook.attempts, hook.last_status_code) == (WebhookStatus.FAILED, 1, 503)
    assert hook.last_error == 'HTTP 503: {"error": "try later"}'
    wait = (hook.next_attempt_at - hook.updated_at).total_seconds()
    assert 59 <= wait <= 61  # first backoff: 1 min
    assert tasks.webhook_deliver.call(hook.pk) == "skipped"  # not due yet
    _time_passes()
    assert tasks.retry_due() == (0, 1)
    hook.refresh_from_db()
    assert (hook.status, hook.attempts) == (WebhookStatus.FAILED, 2)
    assert 239 <= (hook.next_attempt_at - hook.updated_at).total_seconds() <= 241  # 4 min
    _time_passes()
    assert tasks.retry_due() == (0, 1)
    hook.refresh_from_db()
    assert (hook.status, hook.attempts, hook.last_status_code) == (WebhookStatus.DELIVERED, 3, 200)
    assert hook.last_error == "" and hook.next_attempt_at is None
    assert [r.answered for r in partner.requests] == [503, 503, 200]
    # The same event each time: the partner can de-duplicate on the delivery id.
    assert {r.headers["X-Ventanilla-Delivery"] for r in partner.requests} == {str(hook.event_id)}


def test_never_duplicated_when_the_task_runs_twice(
    carrier, endpoint, partner, django_capture_on_commit_callbacks
):
    _release(carrier, django_capture_on_commit_callbacks)
    hook = OutboundWebhook.objects.get()
    assert tasks.webhook_deliver.call(hook.pk) == "skipped"
    tasks.webhook_deliver.enqueue(hook.pk)
    _time_passes()
    assert tasks.retry_due() == (0, 0)
    hook.refresh_from_db()
    assert (hook.status, hook.attempts) == (WebhookStatus.DELIVERED, 1)
    assert len(partner.requests) == 1


def test_a_delivery_held_by_another_worker_is_not_sent_twice(carrier, endpoint, partner):
    notice = notify(
        organisations=[carrier], kind="released", declaration_id=1, params=release_params(), by=None
    )[0]  # on_commit not run: still pending
    hook = OutboundWebhook.objects.get(notice=notice)
    OutboundWebhook.objects.filter(pk=hook.pk).update(
        locked_until=timezone.now() + dt.timedelta(seconds=30)
    )
    assert tasks.webhook_deliver.call(hook.pk) == "skipped"
    assert partner.requests == []


def test_dead_after_the_maximum_attempts(
    carrier, endpoint, partner, settings, django_capture_on_commit_callbacks
):
    settings.VENTANILLA_WEBHOOK_MAX_ATTEMPTS = 3
    partner.fail_next = 100
    _release(carrier, django_capture_on_commit_callbacks)
    for _ in range(4):
        _time_passes()
        tasks.retry_due()
    hook = OutboundWebhook.objects.get()
    assert (hook.status, hook.attempts, hook.next_attempt_at) == (WebhookStatus.DEAD, 3, None)
    assert len(partner.requests) == 3
    event = AuditEvent.objects.get(verb="webhook.dead")
    assert event.organisation_id == carrier.pk
    assert event.payload["attempts"] == 3 and event.payload["last_status_code"] == 503


def test_a_partner_that_answers_too_late_is_retried(
    carrier, endpoint, partner, settings, django_capture_on_commit_callbacks
):
    settings.VENTANILLA_WEBHOOK_TIMEOUT_S = 0.3
    partner.delay_s = 1.0
    _release(carrier, django_capture_on_commit_callbacks)
    hook = OutboundWebhook.objects.get()
    assert (hook.status, hook.attempts, hook.last_status_code) == (WebhookStatus.FAILED, 1, None)
    assert hook.last_error.startswith("ReadTimeout")


def test_a_partner_rejecting_the_signature_is_a_failure(
    carrier, endpoint, partner, django_capture_on_commit_callbacks
):
    partner.secret = "whsec_someone_else"
    _release(carrier, django_capture_on_commit_callbacks)
    hook = OutboundWebhook.objects.get()
    assert (hook.status, hook.last_status_code) == (WebhookStatus.FAILED, 401)
    assert partner.accepted == []


def test_an_internal_address_is_refused_at_delivery(
    carrier, endpoint, partner, settings, django_capture_on_commit_callbacks
):
    settings.VENTANILLA_WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    _release(carrier, django_capture_on_commit_callbacks)
    hook = OutboundWebhook.objects.get()
    assert hook.status == WebhookStatus.FAILED
    assert hook.last_error == "address not allowed: 127.0.0.1"
    assert partner.requests == []


def test_redelivery_of_a_dead_delivery_keeps_the_event_id(
    partner, settings, django_capture_on_commit_callbacks
):
    settings.VENTANILLA_WEBHOOK_MAX_ATTEMPTS = 1
    broker = OrganisationFactory(kind=OrganisationKind.BROKER)
    admin = member("broker_admin", broker)
    partner.secret = WebhookEndpointFactory(organisation=broker, url=partner.url).secret
    partner.fail_next = 1
    _release(broker, django_capture_on_commit_callbacks)
    hook = OutboundWebhook.objects.get()
    assert (hook.status, hook.attempts) == (WebhookStatus.DEAD, 1)
    with django_capture_on_commit_callbacks(execute=True):
        webhook_redeliver(webhook=hook, by=admin)
    hook.refresh_from_db()
    assert (hook.status, hook.attempts) == (WebhookStatus.DELIVERED, 1)
    assert [r.headers["X-Ventanilla-Delivery"] for r in partner.requests] == [
        str(hook.event_id)
    ] * 2
    assert AuditEvent.objects.get(verb="webhook.redelivery_requested").payload["previous"] == {
        "status": "dead",
        "attempts": 1,
    }


def test_a_failed_delivery_is_rescheduled_on_a_backend_that_can_defer(
    carrier, endpoint, partner, settings
):
    notify(
        organisations=[carrier], kind="released", declaration_id=1, params=release_params(), by=None
    )
    hook = OutboundWebhook.objects.get()
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    partner.fail_next = 1
    assert tasks.webhook_deliver.call(hook.pk) == "retry"
    hook.refresh_from_db()
    (queued,) = default_task_backend.results  # type: ignore[attr-defined]
    assert queued.task.func is tasks.webhook_deliver.func
    assert queued.args == [hook.pk]
    assert queued.task.run_after == hook.next_attempt_at
