"""Notices and webhooks API, including who may not see or change what."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from ventanilla.accounts.choices import OrganisationKind
from ventanilla.accounts.tests.factories import OrganisationFactory, member
from ventanilla.audit.models import AuditEvent
from ventanilla.notifications.models import (
    Notice,
    NoticeRead,
    OutboundWebhook,
    WebhookEndpoint,
    WebhookStatus,
)
from ventanilla.notifications.services import notify
from ventanilla.notifications.signing import sign, verify_signature
from ventanilla.notifications.tests.factories import (
    REFERENCE,
    WebhookEndpointFactory,
    release_params,
)

pytestmark = pytest.mark.django_db


def _client(user):  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def trader():
    return OrganisationFactory(kind=OrganisationKind.TRADER)


@pytest.fixture
def other():
    return OrganisationFactory(kind=OrganisationKind.TRADER)


@pytest.fixture
def admin(trader):
    return member("trader_admin", trader)


@pytest.fixture
def declarant(trader):
    return member("trader_declarant", trader)


def _release(org, declaration_id=1):  # type: ignore[no-untyped-def]
    return notify(
        organisations=[org],
        kind="released",
        declaration_id=declaration_id,
        params=release_params(),
        by=None,
    )[0]


# --- notices ----------------------------------------------------------------------------


def test_my_notices_in_my_language_newest_first(trader, other, declarant):
    first = _release(trader, 1)
    second = notify(
        organisations=[trader],
        kind="declaration_accepted",
        declaration_id=2,
        params={"reference": "LRN-2"},
        by=None,
    )[0]
    _release(other)
    data = (
        _client(declarant)
        .get(reverse("api-notifications-notices"), HTTP_ACCEPT_LANGUAGE="es")
        .json()
    )
    assert data["count"] == 2
    assert [n["id"] for n in data["results"]] == [second.pk, first.pk]
    row = data["results"][1]
    assert row == {
        "id": first.pk,
        "kind": "released",
        "severity": "success",
        "title": f"Levante otorgado: declaración {REFERENCE}",
        "body": row["body"],
        "declaration": {"id": 1, "reference": REFERENCE},
        "params": release_params(),
        "organisation": {"id": trader.pk, "name": trader.name},
        "created_at": row["created_at"],
        "is_read": False,
    }
    assert row["body"].startswith("Se otorgó el levante")


def test_filters_unread_and_declaration(trader, declarant):
    a = _release(trader, 1)
    b = _release(trader, 2)
    client = _client(declarant)
    client.post(reverse("api-notifications-notice-read", args=[a.pk]))
    url = reverse("api-notifications-notices")
    assert [n["id"] for n in client.get(url, {"unread": "true"}).json()["results"]] == [b.pk]
    assert [n["id"] for n in client.get(url, {"unread": "false"}).json()["results"]] == [a.pk]
    assert [n["id"] for n in client.get(url, {"declaration_id": 1}).json()["results"]] == [a.pk]
    bad = client.get(url, {"declaration_id": "abc", "kind": "nope"})
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} == {"declaration_id", "kind"}


def test_read_state_is_per_user(trader, declarant, admin):
    notice = _release(trader)
    response = _client(declarant).post(reverse("api-notifications-notice-read", args=[notice.pk]))
    assert response.status_code == 200 and response.json()["is_read"] is True
    again = _client(declarant).post(reverse("api-notifications-notice-read", args=[notice.pk]))
    assert again.status_code == 200
    assert NoticeRead.objects.filter(notice=notice).count() == 1
    assert AuditEvent.objects.filter(verb="notice.read").count() == 1
    notice.refresh_from_db()
    assert notice.read_at is not None  # first read in the organisation
    count = reverse("api-notifications-unread-count")
    assert _client(declarant).get(count).json() == {"unread": 0}
    assert _client(admin).get(count).json() == {"unread": 1}


def test_read_all_of_one_declaration(trader, declarant):
    _release(trader, 1)
    _release(trader, 1)
    _release(trader, 2)
    client = _client(declarant)
    response = client.post(
        reverse("api-notifications-read-all"), {"declaration_id": 1}, format="json"
    )
    assert response.json() == {"marked": 2, "unread": 1}
    assert client.post(reverse("api-notifications-read-all"), {}, format="json").json() == {
        "marked": 1,
        "unread": 0,
    }


def test_another_organisations_notice_is_not_found_and_stays_unread(trader, other, declarant):
    theirs = _release(other)
    client = _client(declarant)
    response = client.post(reverse("api-notifications-notice-read", args=[theirs.pk]))
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"
    client.post(reverse("api-notifications-read-all"), {}, format="json")
    assert NoticeRead.objects.count() == 0
    assert Notice.objects.get(pk=theirs.pk).read_at is None


def test_anonymous_callers_are_refused():
    response = APIClient().get(reverse("api-notifications-notices"))
    assert response.status_code in (401, 403)


# --- webhook endpoints ------------------------------------------------------------------


def test_admin_creates_an_endpoint_and_sees_the_secret_once(trader, admin):
    client = _client(admin)
    url = reverse("api-notifications-webhook-endpoints")
    body = {"url": "https://erp.trader.example/hooks", "kinds": ["released", "goods_detained"]}
    first = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="wh-1")
    again = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="wh-1")
    assert first.status_code == 201 and again.status_code == 201
    created = first.json()
    assert created["secret"].startswith("whsec_")
    assert again.json()["secret"] is None and again.json()["id"] == created["id"]
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret == created["secret"] and endpoint.organisation == trader
    assert endpoint.kinds == ["released", "goods_detained"]
    listed = client.get(url).json()
    assert [e["id"] for e in listed] == [endpoint.pk]
    assert "secret" not in listed[0]
    assert AuditEvent.objects.filter(verb="webhook_endpoint.created").count() == 1


def test_endpoint_input_errors_are_listed(admin):
    response = _client(admin).post(
        reverse("api-notifications-webhook-endpoints"),
        {"url": "ftp://example.com/x", "kinds": ["released", "teleported"]},
        format="json",
    )
    assert response.status_code == 400
    assert [(e["code"], e["field"]) for e in response.json()["errors"]] == [
        ("webhook_url_invalid", "url"),
        ("notice_kind_unknown", "kinds.1"),
    ]
    assert WebhookEndpoint.objects.count() == 0


def test_internal_addresses_are_refused(admin, settings):
    settings.VENTANILLA_WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    client = _client(admin)
    for target in ("http://127.0.0.1:8000/x", "http://169.254.169.254/latest", "http://localhost/"):
        response = client.post(
            reverse("api-notifications-webhook-endpoints"), {"url": target}, format="json"
        )
        assert response.status_code == 400, target
        assert response.json()["errors"][0]["code"] == "webhook_url_not_allowed"
    assert WebhookEndpoint.objects.count() == 0


def test_a_member_who_may_not_manage_cannot_create(declarant):
    response = _client(declarant).post(
        reverse("api-notifications-webhook-endpoints"),
        {"url": "https://erp.example/hooks"},
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "forbidden"
    assert WebhookEndpoint.objects.count() == 0


def test_creating_for_another_organisation_is_not_found(admin, other):
    response = _client(admin).post(
        reverse("api-notifications-webhook-endpoints"),
        {"url": "https://erp.example/hooks", "organisation": other.pk},
        format="json",
    )
    assert response.status_code == 404
    assert WebhookEndpoint.objects.count() == 0


def test_another_organisations_endpoint_is_not_found_and_unchanged(admin, other):
    theirs = WebhookEndpointFactory(organisation=other)
    secret = theirs.secret
    client = _client(admin)
    detail = reverse("api-notifications-webhook-endpoint", args=[theirs.pk])
    assert client.get(detail).status_code == 404
    assert client.delete(detail).status_code == 404
    rotate = reverse("api-notifications-webhook-endpoint-rotate", args=[theirs.pk])
    assert client.post(rotate).status_code == 404
    assert client.get(reverse("api-notifications-webhook-endpoints")).json() == []
    theirs.refresh_from_db()
    assert (theirs.secret, theirs.is_active, theirs.deleted_at) == (secret, True, None)
    assert AuditEvent.objects.filter(verb__startswith="webhook").count() == 0


def test_rotate_secret_then_delete(trader, admin):
    endpoint = WebhookEndpointFactory(organisation=trader)
    old = endpoint.secret
    client = _client(admin)
    rotated = client.post(reverse("api-notifications-webhook-endpoint-rotate", args=[endpoint.pk]))
    assert rotated.status_code == 200
    new = rotated.json()["secret"]
    assert new != old and new.startswith("whsec_")
    header = sign(new, b"{}")
    assert verify_signature(new, header, b"{}") and not verify_signature(old, header, b"{}")
    deleted = client.delete(reverse("api-notifications-webhook-endpoint", args=[endpoint.pk]))
    assert deleted.status_code == 204
    endpoint.refresh_from_db()
    assert endpoint.deleted_at is not None and endpoint.is_active is False
    assert client.get(reverse("api-notifications-webhook-endpoints")).json() == []
    assert list(
        AuditEvent.objects.filter(verb__startswith="webhook_endpoint").values_list(
            "verb", flat=True
        )
    ) == ["webhook_endpoint.secret_rotated", "webhook_endpoint.deleted"]


# --- deliveries -------------------------------------------------------------------------


def _delivery(org, status):  # type: ignore[no-untyped-def]
    endpoint = WebhookEndpointFactory(organisation=org)
    notice = _release(org)  # on_commit does not run: the delivery stays as made
    hook = OutboundWebhook.objects.get(notice=notice, endpoint=endpoint)
    OutboundWebhook.objects.filter(pk=hook.pk).update(status=status, attempts=6)
    hook.refresh_from_db()
    return hook


def test_deliveries_of_my_endpoints_only(trader, other, admin, declarant):
    mine = _delivery(trader, WebhookStatus.DEAD)
    _delivery(other, WebhookStatus.DEAD)
    rows = _client(admin).get(reverse("api-notifications-webhook-deliveries")).json()["results"]
    assert [(r["id"], r["status"], r["attempts"], r["kind"]) for r in rows] == [
        (mine.pk, "dead", 6, "released")
    ]
    detail = _client(admin).get(reverse("api-notifications-webhook-delivery", args=[mine.pk]))
    assert detail.json()["payload"]["id"] == str(mine.event_id)
    # A member who does not manage the organisation sees no deliveries.
    assert (
        _client(declarant).get(reverse("api-notifications-webhook-deliveries")).json()["results"]
        == []
    )


def test_redeliver_a_failed_delivery(trader, admin, django_capture_on_commit_callbacks):
    hook = _delivery(trader, WebhookStatus.DEAD)
    WebhookEndpoint.objects.filter(pk=hook.endpoint_id).update(url="http://127.0.0.1:9/none")
    url = reverse("api-notifications-webhook-redeliver", args=[hook.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(admin).post(url, HTTP_IDEMPOTENCY_KEY="rd-1")
    assert response.status_code == 202
    assert (response.json()["status"], response.json()["attempts"]) == ("pending", 0)
    hook.refresh_from_db()
    # Sent again after commit (nobody listens on port 9): a fresh allowance of attempts.
    assert (hook.status, hook.attempts) == (WebhookStatus.FAILED, 1)


def test_a_delivered_delivery_cannot_be_redelivered(trader, admin):
    hook = _delivery(trader, WebhookStatus.DELIVERED)
    response = _client(admin).post(reverse("api-notifications-webhook-redeliver", args=[hook.pk]))
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "webhook_not_failed"
    hook.refresh_from_db()
    assert (hook.status, hook.attempts) == (WebhookStatus.DELIVERED, 6)


def test_redelivering_another_organisations_delivery_is_not_found(trader, other, admin):
    theirs = _delivery(other, WebhookStatus.DEAD)
    response = _client(admin).post(reverse("api-notifications-webhook-redeliver", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert (theirs.status, theirs.attempts) == (WebhookStatus.DEAD, 6)
    assert AuditEvent.objects.filter(verb="webhook.redelivery_requested").count() == 0


def test_a_caller_acting_through_a_token_sees_only_that_organisation(trader, other, admin):
    from ventanilla.accounts import services as accounts

    accounts.membership_add(user=admin, organisation=other, role_code="trader_admin", by=None)
    mine = _release(trader)
    _release(other)
    # What OrganisationTokenAuthentication sets for a request made with trader's token.
    admin.token_organisation_id = trader.pk
    client = _client(admin)
    listed = client.get(reverse("api-notifications-notices"))
    assert [r["id"] for r in listed.json()["results"]] == [mine.pk]
    # With two organisations managed, a session must say which; the token need not.
    created = client.post(
        reverse("api-notifications-webhook-endpoints"),
        {"url": "https://erp.example/hooks"},
        format="json",
    )
    assert created.status_code == 201 and created.json()["organisation"] == trader.pk
    admin.token_organisation_id = None
    for attr in [a for a in vars(admin) if a.startswith("_role_perm_cache_")]:
        delattr(admin, attr)
    session = _client(admin).post(
        reverse("api-notifications-webhook-endpoints"),
        {"url": "https://erp.example/hooks"},
        format="json",
    )
    assert session.status_code == 400
    assert session.json()["errors"][0]["code"] == "organisation_required"
