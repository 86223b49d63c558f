"""notify() on every write path (lodge, assess, release): a fixed number of queries
whatever the number of organisations, members and endpoints, with the same messages."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ventanilla.accounts.choices import OrganisationKind
from ventanilla.accounts.models import User
from ventanilla.accounts.tests.factories import OrganisationFactory, member
from ventanilla.audit.models import AuditChainHead, AuditEvent
from ventanilla.audit.services import audit_batch
from ventanilla.notifications import tasks
from ventanilla.notifications.models import Notice, OutboundEmail, OutboundWebhook
from ventanilla.notifications.services import notify
from ventanilla.notifications.tests.factories import WebhookEndpointFactory, release_params

pytestmark = pytest.mark.django_db


@pytest.fixture
def told():  # type: ignore[no-untyped-def]
    """Trader, broker and carrier, each with several members; two endpoints."""
    AuditChainHead.objects.get_or_create(id=1)  # the chain exists in a running platform
    trader = OrganisationFactory(kind=OrganisationKind.TRADER, email="Desk@Trader.test")
    member("trader_declarant", trader, email="ana@trader.test", preferred_language="es")
    member("trader_admin", trader, email="bob@trader.test", preferred_language="en")
    member("trader_declarant", trader, email="gone@trader.test", is_active=False)
    broker = OrganisationFactory(kind=OrganisationKind.BROKER)
    member("broker_declarant", broker, email="carla@broker.test", preferred_language="es")
    member("broker_admin", broker, email="dan@broker.test", preferred_language="en")
    carrier = OrganisationFactory(kind=OrganisationKind.CARRIER, email="ops@carrier.test")
    member("carrier_operator", carrier, email="eva@carrier.test", preferred_language="es")
    member("carrier_operator", carrier, email="fer@carrier.test", preferred_language="en")
    hook = WebhookEndpointFactory(organisation=carrier, kinds=["released"])
    WebhookEndpointFactory(organisation=broker, kinds=["duties_due"])  # not this kind
    WebhookEndpointFactory(organisation=trader, is_active=False)
    return trader, broker, carrier, hook


def _release(orgs):  # type: ignore[no-untyped-def]
    return notify(
        organisations=orgs, kind="released", declaration_id=5, params=release_params(), by=None
    )


def test_three_organisations_cost_a_fixed_number_of_queries(
    told, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    trader, broker, carrier, hook = told
    # Notices, members, endpoints, e-mails, webhooks; then the chain: lock, events, head.
    with django_assert_max_num_queries(8), django_capture_on_commit_callbacks() as callbacks:
        notices = _release([trader, broker, carrier])
    assert [n.organisation_id for n in notices] == [trader.pk, broker.pk, carrier.pk]
    emails = {
        (e.notice.organisation_id, e.to, e.language, e.user_id) for e in OutboundEmail.objects.all()
    }
    users = dict(User.objects.values_list("email", "pk"))
    assert emails == {
        (trader.pk, "ana@trader.test", "es", users["ana@trader.test"]),
        (trader.pk, "bob@trader.test", "en", users["bob@trader.test"]),
        (trader.pk, "desk@trader.test", "en", None),  # the contact address
        (broker.pk, "carla@broker.test", "es", users["carla@broker.test"]),
        (broker.pk, "dan@broker.test", "en", users["dan@broker.test"]),
        (carrier.pk, "eva@carrier.test", "es", users["eva@carrier.test"]),
        (carrier.pk, "fer@carrier.test", "en", users["fer@carrier.test"]),
        (carrier.pk, "ops@carrier.test", "en", None),
    }
    for email in OutboundEmail.objects.all():
        assert email.idempotency_key == f"notice:{email.notice_id}:email:{email.to}"
        assert email.next_attempt_at == email.notice.created_at
    (webhook,) = OutboundWebhook.objects.all()
    carrier_notice = notices[2]
    assert webhook.endpoint_id == hook.pk
    assert webhook.idempotency_key == f"notice:{carrier_notice.pk}:endpoint:{hook.pk}"
    assert webhook.payload["id"] == str(webhook.event_id)
    assert webhook.payload["organisation"] == {"id": carrier.pk, "code": carrier.code}
    assert webhook.payload["notice_id"] == carrier_notice.pk
    # The 8 e-mails and the webhook go out through one task, enqueued on commit.
    (deliver,) = callbacks
    assert deliver.func.__self__.func is tasks.messages_deliver.func  # type: ignore[attr-defined]
    assert deliver.args == (
        list(OutboundEmail.objects.order_by("pk").values_list("pk", flat=True)),
        [webhook.pk],
    )
    events = list(AuditEvent.objects.filter(verb="notice.created").order_by("seq"))
    assert [(e.target_id, e.organisation_id) for e in events] == [
        (str(n.pk), n.organisation_id) for n in notices
    ]


def test_the_cost_does_not_grow_with_members(told, django_assert_max_num_queries):
    trader, broker, carrier, _hook = told
    for n in range(6):
        member("trader_declarant", trader, email=f"more{n}@trader.test")
    with django_assert_max_num_queries(8):
        _release([trader, broker, carrier])
    assert OutboundEmail.objects.count() == 8 + 6


def test_inside_a_use_case_it_writes_without_savepoints_and_audits_with_the_batch(told):
    trader, broker, carrier, _hook = told
    with CaptureQueriesContext(connection) as queries, audit_batch():
        _release([trader, broker, carrier])
        # Nothing locks the chain head yet: the batch appends at its end.
        assert AuditEvent.objects.filter(verb="notice.created").count() == 0
    sql = [q["sql"] for q in queries.captured_queries]
    # The batch's own savepoint (the test runs in a transaction) and nothing more.
    assert sum(s.startswith("SAVEPOINT") for s in sql) == 1
    assert Notice.objects.count() == 3
    assert AuditEvent.objects.filter(verb="notice.created").count() == 3


def test_no_active_organisation_reads_no_members(django_assert_max_num_queries):
    AuditChainHead.objects.get_or_create(id=1)
    trader = OrganisationFactory(kind=OrganisationKind.TRADER, is_active=False)
    member("trader_declarant", trader)
    with django_assert_max_num_queries(4):  # notice, then the chain
        _release([trader])
    assert Notice.objects.count() == 1
    assert OutboundEmail.objects.count() == 0
