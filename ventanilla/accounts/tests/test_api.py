from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from ventanilla.accounts import services
from ventanilla.accounts.models import ApiToken
from ventanilla.accounts.tests.factories import member
from ventanilla.audit.models import AuditEvent
from ventanilla.core.idempotency import IdempotencyRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    admin = member("trader_admin")
    client = APIClient()
    client.force_authenticate(admin)
    return admin, admin.memberships.get().organisation, client


def test_me_lists_organisations_roles_and_permissions(admin_client):
    admin, org, client = admin_client
    data = client.get(reverse("api-me")).json()
    assert data["email"] == admin.email
    assert [(o["id"], o["roles"]) for o in data["organisations"]] == [(org.pk, ["trader_admin"])]
    assert data["permissions"] == ["accounts.manage_organisation"]


def test_token_create_with_idempotency_key_is_not_duplicated(admin_client):
    _admin, org, client = admin_client
    url = reverse("api-tokens", args=[org.pk])
    first = client.post(url, {"name": "ERP"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(url, {"name": "ERP"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201 and again.status_code == 201
    assert first.json()["secret"].startswith("vt_")
    assert again.json()["secret"] is None  # shown once only
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert ApiToken.objects.count() == 1
    assert AuditEvent.objects.filter(verb="api_token.created").count() == 1


def test_idempotency_key_reused_for_other_request_is_refused(admin_client):
    _admin, org, client = admin_client
    url = reverse("api-tokens", args=[org.pk])
    client.post(url, {"name": "ERP"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    other = client.post(url, {"name": "Other"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert other.status_code == 422
    assert other.json()["errors"][0]["code"] == "idempotency_key_reused"
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"
    assert ApiToken.objects.count() == 1


def test_validation_errors_have_code_field_and_translated_message(admin_client):
    _admin, org, client = admin_client
    url = reverse("api-tokens", args=[org.pk])
    response = client.post(
        url, {"name": "", "user": "not-an-email"}, format="json", HTTP_IDEMPOTENCY_KEY="k-3"
    )
    assert response.status_code == 400
    rows = {(e["field"], e["code"]) for e in response.json()["errors"]}
    assert rows == {("name", "blank"), ("user", "invalid")}
    assert ApiToken.objects.count() == 0
    assert IdempotencyRecord.objects.count() == 0  # a refusal is not remembered
    spanish = client.post(url, {"name": ""}, format="json", HTTP_ACCEPT_LANGUAGE="es")
    assert spanish.json()["errors"][0]["message"] == "Este campo no puede estar en blanco."


def test_token_authentication_scopes_to_the_token_organisation():
    user = member("trader_admin")
    first = user.memberships.get().organisation
    second_member = member("broker_admin")
    second = second_member.memberships.get().organisation
    services.membership_add(user=user, organisation=second, role_code="broker_admin", by=None)
    issued = services.api_token_create(organisation=first, user=user, name="ERP", by=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issued.secret}")
    data = client.get(reverse("api-organisations")).json()
    assert [o["id"] for o in data["results"]] == [first.pk]
    assert client.get(reverse("api-tokens", args=[second.pk])).status_code == 404
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token vt_nothing_here")
    response = bad.get(reverse("api-me"))
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "authentication_failed"


def test_revoked_token_is_refused(admin_client):
    admin, org, _client = admin_client
    issued = services.api_token_create(organisation=org, user=admin, name="ERP", by=admin)
    services.api_token_revoke(token=issued.token, by=admin)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issued.secret}")
    assert client.get(reverse("api-me")).status_code == 401


def test_public_agency_list_needs_no_sign_in():
    member("agency_officer")
    data = APIClient().get(reverse("api-public-agencies")).json()
    assert len(data["results"]) == 1
    assert data["results"][0]["agency_function"] == "customs"
