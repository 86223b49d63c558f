"""The notices page: the notices of the user's organisations in the reader's language,
unread first, marked as read one by one or all at once."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ventanilla.accounts.choices import OrganisationKind
from ventanilla.accounts.tests.factories import OrganisationFactory, member
from ventanilla.notifications.models import Notice
from ventanilla.notifications.selectors import notice_unread_count
from ventanilla.notifications.services import notice_mark_read, notify
from ventanilla.notifications.tests.factories import REFERENCE, release_params

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader():
    trader = OrganisationFactory(kind=OrganisationKind.TRADER)
    user = member("trader_declarant", trader)
    (older,) = notify(
        organisations=[trader], kind="released", declaration_id=1, params=release_params(), by=None
    )
    notify(
        organisations=[trader],
        kind="declaration_cancelled",
        declaration_id=2,
        params={"reference": "OTHER-REF"},
        by=None,
    )
    notice_mark_read(notice=Notice.objects.get(kind="declaration_cancelled"), by=user)
    return user, older


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_unread_first_in_the_readers_language(reader):
    user, _older = reader
    client = client_for(user)
    html = client.get(reverse("notifications:notices")).content.decode()
    assert html.index(REFERENCE) < html.index("OTHER-REF")  # unread first, though older
    assert html.count(">New</span>") == 1
    client.cookies["ventanilla_language"] = "es"
    html = client.get(reverse("notifications:notices")).content.decode()
    assert f"Levante otorgado: declaración {REFERENCE}" in html
    unread = client.get(reverse("notifications:notices"), {"show": "unread"}).content.decode()
    assert "OTHER-REF" not in unread


def test_mark_one_and_all_as_read(reader):
    user, older = reader
    client = client_for(user)
    client.post(reverse("notifications:read", args=[older.pk]))
    assert notice_unread_count(user=user) == 0
    notify(
        organisations=[older.organisation],
        kind="released",
        declaration_id=3,
        params=release_params(),
        by=None,
    )
    response = client.post(reverse("notifications:read_all"))
    assert response.status_code == 302 and notice_unread_count(user=user) == 0


def test_others_notices_are_not_shown_nor_markable(reader):
    _user, older = reader
    stranger = client_for(member("trader_declarant"))
    assert REFERENCE not in stranger.get(reverse("notifications:notices")).content.decode()
    assert stranger.post(reverse("notifications:read", args=[older.pk])).status_code == 404
    anonymous = Client().get(reverse("notifications:notices"))
    assert anonymous.status_code == 302
