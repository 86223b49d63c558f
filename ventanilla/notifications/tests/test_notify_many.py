"""notify_many(): for a batch of declarations (ADR 0006), exactly the notices, e-mails,
webhooks, audit events and after-commit sending of one notify() call per request, for a
number of queries that does not grow with the batch."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ventanilla.accounts.choices import OrganisationKind
from ventanilla.accounts.tests.factories import OrganisationFactory, member
from ventanilla.audit.models import AuditChainHead, AuditEvent
from ventanilla.core.errors import BusinessError
from ventanilla.notifications import tasks
from ventanilla.notifications.models import Notice, OutboundEmail, OutboundWebhook
from ventanilla.notifications.services import NoticeRequest, notify, notify_many
from ventanilla.notifications.tests.factories import WebhookEndpointFactory, release_params

pytestmark = pytest.mark.django_db

# The single calls tell declarations 1..n; the batch tells 1001..1000+n.
OFFSET = 1000


@pytest.fixture
def parties():  # type: ignore[no-untyped-def]
    AuditChainHead.objects.get_or_create(id=1)
    trader = OrganisationFactory(kind=OrganisationKind.TRADER, email="Desk@Trader.test")
    member("trader_declarant", trader, email="ana@trader.test", preferred_language="es")
    member("trader_admin", trader, email="bob@trader.test", preferred_language="en")
    broker = OrganisationFactory(kind=OrganisationKind.BROKER)
    member("broker_declarant", broker, email="carla@broker.test", preferred_language="es")
    carrier = OrganisationFactory(kind=OrganisationKind.CARRIER, email="ops@carrier.test")
    member("carrier_operator", carrier, email="eva@carrier.test", preferred_language="es")
    asleep = OrganisationFactory(kind=OrganisationKind.TRADER, is_active=False)
    member("trader_declarant", asleep)
    WebhookEndpointFactory(organisation=carrier, kinds=["released"])
    WebhookEndpointFactory(organisation=broker, kinds=[])  # every kind
    WebhookEndpointFactory(organisation=trader, kinds=["duties_due"])
    return trader, broker, carrier, asleep


def _requests(parties: Any, n: int, offset: int) -> list[NoticeRequest]:
    trader, broker, carrier, asleep = parties
    out = []
    for k in range(n):
        if k % 3 == 0:
            orgs, kind = [trader, broker, carrier, trader], "released"
            params = release_params(reference=f"REF-{k}")
        elif k % 3 == 1:
            orgs, kind = [trader, broker], "duties_due"
            params = {"reference": f"REF-{k}", "amount": "12.50", "currency": "USD"}
        else:
            orgs, kind = [asleep, broker], "declaration_cancelled"
            params = {"reference": f"REF-{k}"}
        out.append(NoticeRequest(orgs, kind, offset + k + 1, params))
    return out


def _rows(declarations: range, offset: int) -> dict[str, list[Any]]:
    notices = list(Notice.objects.filter(declaration_id__in=list(declarations)).order_by("pk"))
    ids = {n.pk for n in notices}
    return {
        "notices": [
            (n.organisation_id, n.kind, n.declaration_id - offset, n.reference, n.params)
            for n in notices
        ],
        "emails": [
            (e.notice.organisation_id, e.notice.reference, e.to, e.language, e.user_id, e.status)
            for e in OutboundEmail.objects.filter(notice_id__in=ids).order_by("pk")
        ],
        "webhooks": [
            (
                w.endpoint_id,
                w.notice.reference,
                w.status,
                {
                    k: v
                    for k, v in w.payload.items()
                    if k not in ("id", "notice_id", "created_at", "declaration")
                },
            )
            for w in OutboundWebhook.objects.filter(notice_id__in=ids).order_by("pk")
        ],
        "audit": [
            (e.verb, e.organisation_id, {**e.payload, "declaration_id": 0})
            for e in AuditEvent.objects.filter(
                verb="notice.created", target_id__in=[str(pk) for pk in ids]
            ).order_by("seq")
        ],
    }


def test_a_batch_stores_and_sends_what_the_single_calls_do(
    parties, django_capture_on_commit_callbacks
):
    n = 7
    with django_capture_on_commit_callbacks() as one_by_one:
        singles = [
            notify(
                organisations=r.organisations,
                kind=r.kind,
                declaration_id=r.declaration_id,
                params=dict(r.params),
                by=None,
            )
            for r in _requests(parties, n, 0)
        ]
    with django_capture_on_commit_callbacks() as together:
        batched = notify_many(notices=_requests(parties, n, OFFSET), by=None)
    assert [(x.organisation_id, x.kind) for x in batched] == [
        (x.organisation_id, x.kind) for notices in singles for x in notices
    ]
    expected = _rows(range(1, n + 1), 0)
    assert _rows(range(OFFSET + 1, OFFSET + n + 1), OFFSET) == expected
    assert len(expected["emails"]) > n and len(expected["webhooks"]) > n
    # No e-mail and no webhook for the inactive organisation; its notice is kept.
    assert any(row[0] == parties[3].pk for row in expected["notices"])
    assert not any(row[0] == parties[3].pk for row in expected["emails"])
    # Each call's messages go out through one task per DELIVERY_CHUNK of them, enqueued
    # on commit: the single calls' 7 tasks are the batch's few, every message once.
    assert len(one_by_one) == n
    emails = list(
        OutboundEmail.objects.filter(notice__in=batched).order_by("pk").values_list("pk", flat=True)
    )
    hooks = list(
        OutboundWebhook.objects.filter(notice__in=batched)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    assert len(together) == -(-(len(emails) + len(hooks)) // tasks.DELIVERY_CHUNK) == 2
    assert [pk for c in together for pk in c.args[0]] == emails
    assert [pk for c in together for pk in c.args[1]] == hooks
    assert all(len(c.args[0]) + len(c.args[1]) <= tasks.DELIVERY_CHUNK for c in together)
    for email in OutboundEmail.objects.filter(notice__in=batched):
        assert email.idempotency_key == f"notice:{email.notice_id}:email:{email.to}"
        assert email.next_attempt_at == email.notice.created_at
    for hook in OutboundWebhook.objects.filter(notice__in=batched):
        assert hook.idempotency_key == f"notice:{hook.notice_id}:endpoint:{hook.endpoint_id}"
        assert hook.payload["notice_id"] == hook.notice_id
        assert hook.payload["declaration"] == {
            "id": hook.notice.declaration_id,
            "reference": hook.notice.reference,
        }


def test_the_cost_of_a_batch_does_not_grow_with_its_size(parties):
    counts = []
    for n, offset in ((1, 0), (15, OFFSET)):
        with CaptureQueriesContext(connection) as queries:
            notify_many(notices=_requests(parties, n, offset), by=None)
        counts.append(len(queries))
    # Notices, members, endpoints, e-mails, webhooks; then the chain: lock, events, head.
    assert counts == [8, 8]


def test_an_invalid_request_refuses_the_batch_before_any_write(parties):
    trader, _broker, carrier, _asleep = parties
    good = _requests(parties, 1, 0)[0]
    duties_to_carrier = NoticeRequest(
        [carrier], "duties_due", 2, {"reference": "R", "amount": "1", "currency": "USD"}
    )
    for bad in (
        duties_to_carrier,
        NoticeRequest([trader], "no_such_kind", 3, {"reference": "R"}),
        NoticeRequest([trader], "released", 4, {"reference": "R"}),  # params missing
    ):
        with pytest.raises(BusinessError):
            notify_many(notices=[good, bad], by=None)
    assert not Notice.objects.exists()
    assert notify_many(notices=[], by=None) == []
