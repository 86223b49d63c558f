"""Every model in the Django admin, on the demo data: the list, a search and a record open
for a superuser; the read-only ones offer no add, change nor delete, and a POST to change
one is refused with nothing changed."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from ventanilla.accounts.models import Mandate, User
from ventanilla.core.admin import ReadOnlyAdmin
from ventanilla.demo.tests.authz import demo_world_fixture

pytestmark = pytest.mark.django_db

demo_world = demo_world_fixture()

REGISTERED = sorted(admin.site._registry.items(), key=lambda kv: kv[0]._meta.label)
READ_ONLY = [model for model, model_admin in REGISTERED if isinstance(model_admin, ReadOnlyAdmin)]


@pytest.fixture
def superuser_client() -> Client:
    client = Client()
    client.force_login(User.objects.get(email="admin@demo.ventanilla"))
    return client


def test_accounts_and_declarations_are_in_the_admin() -> None:
    labels = {model._meta.label for model in READ_ONLY}
    assert {
        "accounts.Organisation",
        "accounts.Membership",
        "accounts.ApiToken",
        "accounts.Mandate",
        "declarations.Declaration",
    } <= labels


@pytest.mark.usefixtures("demo_world")
@pytest.mark.parametrize("model", READ_ONLY, ids=lambda model: model._meta.label)
def test_read_only_admin_pages_open_and_refuse_changes(superuser_client: Client, model) -> None:
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    page = superuser_client.get(changelist, {"q": "a"})
    assert page.status_code == 200
    assert f"admin:{opts.app_label}_{opts.model_name}_add" not in page.content.decode()
    assert (
        superuser_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code
        == 403
    )
    obj = model._default_manager.order_by("pk").first()
    if obj is None:
        return
    change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    assert superuser_client.get(change).status_code == 200
    before = model._default_manager.count()
    delete = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk])
    assert superuser_client.post(delete, {"post": "yes"}).status_code == 403
    assert model._default_manager.count() == before


@pytest.mark.usefixtures("demo_world")
def test_a_mandate_is_shown_not_edited(superuser_client: Client) -> None:
    mandate = Mandate.objects.order_by("pk").first()
    assert mandate is not None
    change = reverse("admin:accounts_mandate_change", args=[mandate.pk])
    page = superuser_client.get(change)
    assert page.status_code == 200
    assert mandate.trader.name in page.content.decode()
    before = (mandate.valid_to, mandate.revoked_at, mandate.revocation_reason)
    refused = superuser_client.post(change, {"valid_to": "2000-01-01", "revocation_reason": "x"})
    assert refused.status_code == 403
    mandate.refresh_from_db()
    assert (mandate.valid_to, mandate.revoked_at, mandate.revocation_reason) == before
