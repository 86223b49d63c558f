"""The admin: every reference model listed, searchable, and search_text kept in sync."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from ventanilla.accounts.tests.factories import UserFactory
from ventanilla.reference import models as m
from ventanilla.reference.loaders.report import LoadReport
from ventanilla.reference.tests.conftest import REFERENCE_MODELS

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client: Client) -> Client:
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_every_reference_model_is_registered() -> None:
    assert all(admin.site.is_registered(model) for model in REFERENCE_MODELS)


@pytest.mark.parametrize("model", REFERENCE_MODELS, ids=lambda model: model.__name__)
def test_changelist_change_and_history_pages(
    staff_client: Client, demo: LoadReport, model: type
) -> None:
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert staff_client.get(url, {"q": "peru"}).status_code == 200
    obj = model._default_manager.first()
    change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    assert staff_client.get(change).status_code == 200
    if hasattr(model, "history"):
        history = reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])
        assert staff_client.get(history).status_code == 200


def test_admin_search_is_accent_insensitive(staff_client: Client, demo: LoadReport) -> None:
    url = reverse("admin:reference_hscode_changelist")
    response = staff_client.get(url, {"q": "café tostado"})
    assert response.status_code == 200
    assert "090121" in response.content.decode()


def test_admin_save_rebuilds_search_text_and_records_history(
    staff_client: Client, demo: LoadReport
) -> None:
    unit = m.UnitOfMeasure.objects.get(code="PR")
    url = reverse("admin:reference_unitofmeasure_change", args=[unit.pk])
    response = staff_client.post(
        url,
        {
            "code": "PR",
            "name_en": "pair",
            "name_es": "par (dos piezas)",
            "symbol": "",
            "valid_from": "1900-01-01",
            "valid_to": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    unit.refresh_from_db()
    assert unit.name_es == "par (dos piezas)"
    assert unit.search_text == "pr pair par dos piezas"
    assert unit.history.count() == 1
