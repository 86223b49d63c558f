"""Representation mandates (TFA 10.6, WCO Agent 05A): who may grant and revoke them, the
rules of a grant, scoping, the API and the "Representation mandates" page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from ventanilla.accounts import selectors, services
from ventanilla.accounts.models import Mandate
from ventanilla.accounts.tests.factories import (
    MandateFactory,
    OrganisationFactory,
    UserFactory,
    member,
)
from ventanilla.audit.models import AuditEvent
from ventanilla.core.errors import BusinessError

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 1, 1)


@pytest.fixture
def w():  # type: ignore[no-untyped-def]
    trader = OrganisationFactory(kind="trader", name="Andes Fresh", code="20100000001")
    broker = OrganisationFactory(kind="broker", name="Callao Brokers", code="20100000003")
    return {
        "trader": trader,
        "broker": broker,
        "admin": member("trader_admin", trader),
        "declarant": member("trader_declarant", trader),
        "broker_admin": member("broker_admin", broker),
        "broker_user": member("broker_declarant", broker),
    }


def _grant(w, **kw):  # type: ignore[no-untyped-def]
    args = {
        "trader": w["trader"],
        "broker": w["broker"],
        "kind": "direct",
        "valid_from": DAY,
        "valid_to": None,
        "by": w["admin"],
    }
    args.update(kw)
    return services.mandate_grant(**args)


def _codes(err):  # type: ignore[no-untyped-def]
    return [(e.code, e.field) for e in err.value.items]


# --- services ---------------------------------------------------------------------------


def test_the_trader_administrator_grants_a_mandate_with_an_audit_event(w) -> None:  # type: ignore[no-untyped-def]
    mandate = _grant(w)
    assert (mandate.trader, mandate.broker, mandate.kind) == (w["trader"], w["broker"], "direct")
    assert (mandate.valid_from, mandate.valid_to, mandate.created_by) == (DAY, None, w["admin"])
    event = AuditEvent.objects.get(verb="mandate.granted")
    assert event.payload["broker"] == "20100000003" and event.payload["valid_to"] is None
    # A retried grant returns the same mandate, with no second event.
    assert _grant(w) == mandate
    assert Mandate.objects.count() == 1
    assert AuditEvent.objects.filter(verb="mandate.granted").count() == 1


@pytest.mark.parametrize("who", ["declarant", "broker_admin", "broker_user", "outsider", "root"])
def test_only_a_member_who_manages_the_trader_grants(w, who) -> None:  # type: ignore[no-untyped-def]
    by = {
        "outsider": lambda: member("trader_admin"),
        "root": lambda: UserFactory(is_superuser=True),
    }.get(who, lambda: w[who])()
    with pytest.raises(BusinessError) as err:
        _grant(w, by=by)
    assert err.value.http_status == 403
    assert _codes(err) == [("forbidden", None)]
    assert Mandate.objects.count() == 0


def test_a_grant_is_validated_with_every_error_at_once(w) -> None:  # type: ignore[no-untyped-def]
    carrier = OrganisationFactory(kind="carrier")
    with pytest.raises(BusinessError) as err:
        _grant(w, broker=carrier, kind="general", valid_to=DAY)
    assert err.value.http_status == 400
    assert _codes(err) == [
        ("mandate_broker_not_broker", "broker"),
        ("mandate_kind_unknown", "kind"),
        ("mandate_period_invalid", "valid_to"),
    ]
    inactive = OrganisationFactory(kind="broker", is_active=False)
    with pytest.raises(BusinessError) as err:
        _grant(w, broker=inactive, valid_to=DAY + dt.timedelta(days=1))
    assert _codes(err) == [
        ("mandate_broker_not_broker", "broker"),
        ("mandate_period_past", "valid_to"),
    ]
    assert Mandate.objects.count() == 0


def test_an_overlapping_mandate_for_the_same_pair_is_a_conflict(w) -> None:  # type: ignore[no-untyped-def]
    first = _grant(w, valid_to=dt.date(2099, 1, 1))
    for kw in (
        {"kind": "indirect", "valid_to": dt.date(2099, 1, 1)},
        {"valid_from": dt.date(2098, 6, 1)},
        {"valid_from": dt.date(2025, 1, 1), "valid_to": dt.date(2098, 1, 2)},
    ):
        with pytest.raises(BusinessError) as err:
            _grant(w, **kw)
        assert err.value.http_status == 409
        assert _codes(err) == [("mandate_exists", "broker")]
    # Back to back is not an overlap (valid_to is exclusive).
    nxt = _grant(w, valid_from=dt.date(2099, 1, 1))
    assert Mandate.objects.count() == 2 and nxt != first


def test_revoking_closes_the_mandate_today_and_keeps_it(w) -> None:  # type: ignore[no-untyped-def]
    mandate = _grant(w)
    today = timezone.localdate()
    with pytest.raises(BusinessError) as err:
        services.mandate_revoke(mandate=mandate, by=w["broker_admin"], reason="no")
    assert err.value.http_status == 403
    revoked = services.mandate_revoke(mandate=mandate, by=w["admin"], reason="Contract ended")
    assert (revoked.valid_to, revoked.revoked_by) == (today, w["admin"])
    assert revoked.revoked_at is not None and revoked.revocation_reason == "Contract ended"
    assert not revoked.in_force(today)
    assert Mandate.objects.count() == 1
    again = services.mandate_revoke(mandate=mandate, by=w["admin"], reason="again")
    assert again.revoked_at == revoked.revoked_at
    assert AuditEvent.objects.filter(verb="mandate.revoked").count() == 1
    # A new mandate may start today.
    assert _grant(w, valid_from=today).in_force(today)


def test_revoking_a_mandate_not_yet_begun_means_it_never_begins(w) -> None:  # type: ignore[no-untyped-def]
    later = timezone.localdate() + dt.timedelta(days=10)
    mandate = _grant(w, valid_from=later)
    revoked = services.mandate_revoke(mandate=mandate, by=w["admin"], reason="")
    assert revoked.valid_to == later
    assert not revoked.in_force(later)


def test_selectors_scope_mandates_to_their_trader_and_broker(w) -> None:  # type: ignore[no-untyped-def]
    mine = _grant(w)
    other = MandateFactory()
    assert list(selectors.mandate_qs_for(user=w["declarant"])) == [mine]
    assert list(selectors.mandate_qs_for(user=w["broker_user"])) == [mine]
    assert list(selectors.mandate_qs_for(user=member("carrier_operator"))) == []
    assert list(selectors.mandate_qs_for(user=UserFactory(is_superuser=True))) == []
    ids = [w["trader"].pk, other.trader.pk]
    assert selectors.mandates_in_force(broker=w["broker"], trader_ids=ids, day=DAY) == {
        w["trader"].pk
    }
    before = DAY - dt.timedelta(days=1)
    assert selectors.mandates_in_force(broker=w["broker"], trader_ids=ids, day=before) == set()


# --- API --------------------------------------------------------------------------------


def _api(user):  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_grant_list_and_revoke(w) -> None:  # type: ignore[no-untyped-def]
    body = {"broker": "20100000003", "kind": "indirect", "valid_from": "2026-01-01"}
    response = _api(w["admin"]).post(
        reverse("api-mandates"), body, format="json", HTTP_IDEMPOTENCY_KEY="m-1"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["trader"], data["broker"], data["kind"]) == (
        "20100000001",
        "20100000003",
        "indirect",
    )
    replay = _api(w["admin"]).post(
        reverse("api-mandates"), body, format="json", HTTP_IDEMPOTENCY_KEY="m-1"
    )
    assert replay.status_code == 201 and replay.json()["id"] == data["id"]
    assert Mandate.objects.count() == 1
    # Both sides list it; an outsider does not.
    for user, count in ((w["declarant"], 1), (w["broker_user"], 1), (member("trader_admin"), 0)):
        listed = _api(user).get(reverse("api-mandates")).json()
        rows = listed["results"] if isinstance(listed, dict) else listed
        assert len(rows) == count
    # The broker may not revoke; the trader's administrator may.
    url = reverse("api-mandate-revoke", args=[data["id"]])
    refused = _api(w["broker_admin"]).post(url, {"reason": "x"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["code"] == "forbidden"
    done = _api(w["admin"]).post(url, {"reason": "Ended"}, format="json")
    assert done.status_code == 200 and done.json()["revoked_at"] is not None
    assert done.json()["in_force"] is False


def test_api_grant_refusals_have_codes_and_fields(w) -> None:  # type: ignore[no-untyped-def]
    url = reverse("api-mandates")
    unknown = _api(w["admin"]).post(
        url, {"broker": "nope", "kind": "direct", "valid_from": "2026-01-01"}, format="json"
    )
    assert unknown.status_code == 400
    assert [(e["code"], e["field"]) for e in unknown.json()["errors"]] == [
        ("mandate_broker_not_broker", "broker")
    ]
    by_broker = _api(w["broker_admin"]).post(
        url, {"broker": "20100000003", "kind": "direct", "valid_from": "2026-01-01"}, format="json"
    )
    assert by_broker.status_code == 403
    _grant(w)
    again = _api(w["admin"]).post(
        url,
        {"broker": "20100000003", "kind": "indirect", "valid_from": "2026-01-01"},
        format="json",
    )
    assert again.status_code == 409
    assert again.json()["errors"][0]["code"] == "mandate_exists"
    assert Mandate.objects.count() == 1


# --- page -------------------------------------------------------------------------------


def test_the_page_needs_sign_in(client) -> None:  # type: ignore[no-untyped-def]
    for url, method in (
        (reverse("accounts:mandates"), "get"),
        (reverse("accounts:mandate_grant", args=[1]), "post"),
        (reverse("accounts:mandate_revoke", args=[1]), "post"),
    ):
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_the_trader_administrator_grants_and_revokes_through_the_page(client, w) -> None:  # type: ignore[no-untyped-def]
    client.force_login(w["admin"])
    page = client.get(reverse("accounts:me"))
    assert reverse("accounts:mandates") in page.content.decode()
    page = client.get(reverse("accounts:mandates"))
    assert page.status_code == 200
    assert "This trader has given no customs broker a mandate." in page.content.decode()
    prefix = f"org{w['trader'].pk}"
    url = reverse("accounts:mandate_grant", args=[w["trader"].pk])
    response = client.post(
        url,
        {
            f"{prefix}-broker": "20100000003",
            f"{prefix}-kind": "direct",
            f"{prefix}-valid_from": "2026-01-01",
        },
        follow=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Callao Brokers may now lodge declarations in the name of Andes Fresh." in html
    assert "In force" in html
    mandate = Mandate.objects.get()
    assert (mandate.broker, mandate.kind, mandate.valid_to) == (w["broker"], "direct", None)
    # A second mandate for the same period: the error summary, field linked, status 409.
    refused = client.post(
        url,
        {
            f"{prefix}-broker": "20100000003",
            f"{prefix}-kind": "indirect",
            f"{prefix}-valid_from": "2026-02-01",
        },
    )
    assert refused.status_code == 409
    assert f'href="#id_{prefix}-broker"' in refused.content.decode()
    assert Mandate.objects.count() == 1
    # Revoke.
    response = client.post(reverse("accounts:mandate_revoke", args=[mandate.pk]), follow=True)
    html = response.content.decode()
    assert "The mandate given to Callao Brokers is revoked." in html
    assert "Revoked" in html
    mandate.refresh_from_db()
    assert mandate.revoked_by == w["admin"] and mandate.valid_to == timezone.localdate()


def test_the_page_form_errors_and_the_broker_view(client, w) -> None:  # type: ignore[no-untyped-def]
    client.force_login(w["admin"])
    prefix = f"org{w['trader'].pk}"
    response = client.post(
        reverse("accounts:mandate_grant", args=[w["trader"].pk]),
        {f"{prefix}-broker": "20100000001", f"{prefix}-kind": "direct", f"{prefix}-valid_from": ""},
    )
    assert response.status_code == 400
    assert Mandate.objects.count() == 0
    mandate = _grant(w)
    # The broker's members see the mandate they hold, with no form and no revoke button.
    client.force_login(w["broker_user"])
    html = client.get(reverse("accounts:mandates")).content.decode()
    assert "Mandates held by Callao Brokers" in html and "Andes Fresh" in html
    assert reverse("accounts:mandate_revoke", args=[mandate.pk]) not in html
    assert client.post(reverse("accounts:mandate_grant", args=[w["broker"].pk])).status_code == 404
    refused = client.post(reverse("accounts:mandate_revoke", args=[mandate.pk]), follow=True)
    assert "Only an administrator of the trader may grant or revoke its mandates." in (
        refused.content.decode()
    )
    mandate.refresh_from_db()
    assert mandate.revoked_at is None
    # A trader's declarant sees the mandates but cannot grant or revoke.
    client.force_login(w["declarant"])
    html = client.get(reverse("accounts:mandates")).content.decode()
    assert "Callao Brokers" in html
    assert reverse("accounts:mandate_grant", args=[w["trader"].pk]) not in html
