"""Authorization matrix: notices and webhooks. See ``authz.py`` for what each test checks.

A notice belongs to the organisation it was sent to: its members read it, nobody else
can see it (404). Webhook endpoints and their deliveries belong to the organisations the
caller manages (accounts.manage_organisation); another organisation's answer 404.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from ventanilla.demo.tests.authz import (
    AVO,
    Demo,
    Row,
    check,
    demo_world_fixture,
    expect,
    params,
    pk_of,
    url,
)
from ventanilla.notifications.delivery import webhook_deliver_now
from ventanilla.notifications.services import notify, webhook_endpoint_create

demo_world = demo_world_fixture()


def _notice(d: Demo) -> int:
    from ventanilla.notifications.models import Notice

    return Notice.objects.get(
        organisation=d.org("trader_a"), declaration_id=d.declaration(AVO).pk, kind="duties_due"
    ).pk


def _endpoint(d: Demo) -> Any:
    """Trader A's ERP receives its notices."""
    return d.once(
        "endpoint",
        lambda: (
            webhook_endpoint_create(
                organisation=d.org("trader_a"),
                url="https://erp.andes-fresh.example/hooks",
                kinds=["released"],
                by=d.user("trader_a"),
            ).endpoint
        ),
    )


def _failed_delivery(d: Demo) -> Any:
    """A delivery to trader A's endpoint that failed: its address, accepted when the
    endpoint was saved, now resolves inside the platform's network and is refused."""

    def make() -> Any:
        from ventanilla.notifications.models import OutboundWebhook

        with override_settings(VENTANILLA_WEBHOOK_ALLOW_PRIVATE_HOSTS=True):
            endpoint = webhook_endpoint_create(
                organisation=d.org("trader_a"),
                url="http://127.0.0.1:9/hooks",
                by=d.user("trader_a"),
            ).endpoint
        declaration = d.declaration(AVO)
        [notice] = notify(
            organisations=[d.org("trader_a")],
            kind="released",
            declaration_id=declaration.pk,
            params={
                "reference": declaration.mrn,
                "released_at": timezone.now(),
                "location": "PECLL",
            },
            by=None,
        )
        hook = OutboundWebhook.objects.get(notice=notice, endpoint=endpoint)
        webhook_deliver_now(hook.pk)
        hook.refresh_from_db()
        assert hook.status == "failed", hook.last_error
        return hook

    return d.once("failed delivery", make)


def _new_endpoint(organisation: str | None) -> Any:
    def body(d: Demo) -> dict[str, Any]:
        data: dict[str, Any] = {
            "url": "https://erp.example.com/ventanilla",
            "kinds": ["released", "duties_due"],
        }
        if organisation is not None:
            data["organisation"] = d.org(organisation).pk
        return data

    return body


OWNER_A = expect(404, trader_a=200, admin=200)

ROWS = [
    Row("api-notifications-notices", "get", "mine", url("api-notifications-notices"), expect(200)),
    Row(
        "api-notifications-unread-count",
        "get",
        "mine",
        url("api-notifications-unread-count"),
        expect(200),
    ),
    Row(
        "api-notifications-notice-read",
        "post",
        f"trader A's notice on {AVO}",
        url("api-notifications-notice-read", _notice),
        expect(404, trader_a=200),
        why="An organisation's notices are read by its members; the superuser is none.",
    ),
    Row(
        "api-notifications-read-all",
        "post",
        "mine",
        url("api-notifications-read-all"),
        expect(200),
        body=lambda d: {},
    ),
    Row(
        "api-notifications-webhook-endpoints",
        "get",
        "mine",
        url("api-notifications-webhook-endpoints"),
        expect(200),
    ),
    Row(
        "api-notifications-webhook-endpoints",
        "post",
        "for the one organisation I manage",
        url("api-notifications-webhook-endpoints"),
        expect(
            403,
            trader_a=201,
            trader_b=201,
            broker=201,
            customs_supervisor=201,
            admin=400,
        ),
        body=_new_endpoint(None),
        why="Managers create endpoints for their organisation; the superuser manages "
        "every organisation and must say which one (400).",
    ),
    Row(
        "api-notifications-webhook-endpoints",
        "post",
        "for trader A",
        url("api-notifications-webhook-endpoints"),
        expect(404, trader_a=201, admin=201),
        body=_new_endpoint("trader_a"),
    ),
    Row(
        "api-notifications-webhook-endpoint",
        "get",
        "trader A's endpoint",
        url("api-notifications-webhook-endpoint", pk_of(_endpoint)),
        OWNER_A,
    ),
    Row(
        "api-notifications-webhook-endpoint",
        "delete",
        "trader A's endpoint",
        url("api-notifications-webhook-endpoint", pk_of(_endpoint)),
        expect(404, trader_a=204, admin=204),
    ),
    Row(
        "api-notifications-webhook-endpoint-rotate",
        "post",
        "trader A's endpoint",
        url("api-notifications-webhook-endpoint-rotate", pk_of(_endpoint)),
        OWNER_A,
    ),
    Row(
        "api-notifications-webhook-deliveries",
        "get",
        "mine",
        url("api-notifications-webhook-deliveries"),
        expect(200),
    ),
    Row(
        "api-notifications-webhook-delivery",
        "get",
        "trader A's failed delivery",
        url("api-notifications-webhook-delivery", pk_of(_failed_delivery)),
        OWNER_A,
    ),
    Row(
        "api-notifications-webhook-redeliver",
        "post",
        "trader A's failed delivery",
        url("api-notifications-webhook-redeliver", pk_of(_failed_delivery)),
        expect(404, trader_a=202, admin=202),
    ),
]


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_world")
@pytest.mark.parametrize(("row", "role"), params(ROWS))
def test_notifications_endpoints(row: Row, role: str) -> None:
    assert check(row, role) == []
