"""Token authentication and "whom does the caller act for" on every API write: one query
for the token, none after it, and still refused at once when revoked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.test import APIRequestFactory

from ventanilla.accounts import services
from ventanilla.accounts.authentication import OrganisationTokenAuthentication
from ventanilla.accounts.choices import OrganisationKind
from ventanilla.accounts.models import ApiToken, Membership
from ventanilla.accounts.selectors import (
    acting_organisation,
    acting_organisation_ids,
    organisation_qs_for,
)
from ventanilla.accounts.tests.factories import OrganisationFactory, UserFactory, member

pytestmark = pytest.mark.django_db

LODGING = ("trader", "broker")


def _authenticate(secret: str):  # type: ignore[no-untyped-def]
    request = APIRequestFactory().post("/", HTTP_AUTHORIZATION=f"Token {secret}")
    return OrganisationTokenAuthentication().authenticate(request)


@pytest.fixture
def broker_token():  # type: ignore[no-untyped-def]
    """A broker admin who is also a member of a trader: the token is the broker's."""
    user = member("broker_admin")
    broker = user.memberships.get().organisation
    trader = OrganisationFactory(kind=OrganisationKind.TRADER)
    services.membership_add(user=user, organisation=trader, role_code="trader_admin", by=None)
    issued = services.api_token_create(organisation=broker, user=user, name="ERP", by=user)
    # Used a moment ago: the once-a-minute touch is not due.
    ApiToken.objects.filter(pk=issued.token.pk).update(last_used_at=timezone.now())
    return issued.secret, user, broker, trader


def test_token_authentication_is_one_query(broker_token, django_assert_num_queries):
    secret, user, broker, _trader = broker_token
    with django_assert_num_queries(1):
        authed, token = _authenticate(secret)
    assert authed.pk == user.pk and token.organisation_id == broker.pk
    assert authed.token_organisation_id == broker.pk


def test_the_touch_is_one_more_query_once_a_minute(broker_token, django_assert_num_queries):
    secret, *_ = broker_token
    ApiToken.objects.update(last_used_at=timezone.now() - dt.timedelta(minutes=2))
    with django_assert_num_queries(2):
        _authenticate(secret)
    with django_assert_num_queries(1):
        _authenticate(secret)


def test_whom_the_token_acts_for_needs_no_further_query(broker_token, django_assert_num_queries):
    secret, _user, broker, _trader = broker_token
    authed, _token = _authenticate(secret)
    with django_assert_num_queries(0):
        assert acting_organisation_ids(user=authed) == [broker.pk]
        assert acting_organisation(user=authed, kinds=LODGING) == broker
        assert acting_organisation(user=authed, kinds=LODGING, pk=broker.pk) == broker
        assert acting_organisation(user=authed, kinds=("carrier",)) is None
    with django_assert_num_queries(1):
        assert list(organisation_qs_for(user=authed)) == [broker]


def test_the_token_never_reaches_the_users_other_organisation(broker_token):
    secret, _user, _broker, trader = broker_token
    authed, _token = _authenticate(secret)
    assert acting_organisation(user=authed, kinds=LODGING, pk=trader.pk) is None
    assert trader not in organisation_qs_for(user=authed)


def test_a_revoked_token_is_refused_on_the_next_request(broker_token):
    secret, user, _broker, _trader = broker_token
    _authed, token = _authenticate(secret)
    services.api_token_revoke(token=token, by=user)
    with pytest.raises(exceptions.AuthenticationFailed):
        _authenticate(secret)


def test_a_member_removed_acts_for_nothing_on_the_next_request(broker_token):
    secret, user, broker, _trader = broker_token
    Membership.objects.filter(user=user, organisation=broker).update(is_active=False)
    authed, _token = _authenticate(secret)
    assert acting_organisation_ids(user=authed) == []
    assert acting_organisation(user=authed, kinds=LODGING) is None
    assert list(organisation_qs_for(user=authed)) == []


def test_a_token_set_by_hand_is_still_checked_against_memberships(broker_token):
    _secret, user, _broker, trader = broker_token
    user.token_organisation_id = trader.pk  # not through the authentication: no shortcut
    assert acting_organisation_ids(user=user) == [trader.pk]
    assert acting_organisation(user=user, kinds=LODGING) == trader


def test_signed_in_user_sole_organisation_is_one_query(django_assert_num_queries):
    user = member("trader_admin")
    trader = user.memberships.get().organisation
    with django_assert_num_queries(1):
        assert acting_organisation(user=user, kinds=LODGING) == trader
    with django_assert_num_queries(1):
        assert acting_organisation(user=user, kinds=LODGING, pk=trader.pk) == trader
    with django_assert_num_queries(1):
        assert list(organisation_qs_for(user=user)) == [trader]


def test_several_organisations_need_a_choice():
    user = member("trader_admin")
    trader = user.memberships.get().organisation
    broker = OrganisationFactory(kind=OrganisationKind.BROKER)
    carrier = OrganisationFactory(kind=OrganisationKind.CARRIER)
    services.membership_add(user=user, organisation=broker, role_code="broker_admin", by=None)
    services.membership_add(user=user, organisation=carrier, role_code="carrier_operator", by=None)
    assert acting_organisation(user=user, kinds=LODGING) is None
    assert acting_organisation(user=user, kinds=LODGING, pk=broker.pk) == broker
    assert acting_organisation(user=user, kinds=LODGING, pk=str(broker.pk)) == broker
    assert acting_organisation(user=user, kinds=LODGING, pk=carrier.pk) is None
    assert acting_organisation(user=user, kinds=("carrier",)) == carrier
    # Two roles in one organisation are still one organisation.
    services.membership_add(user=user, organisation=trader, role_code="trader_declarant", by=None)
    assert acting_organisation(user=user, kinds=("trader",)) == trader


def test_inactive_memberships_and_organisations_do_not_count():
    user = member("trader_admin")
    trader = user.memberships.get().organisation
    broker = OrganisationFactory(kind=OrganisationKind.BROKER, is_active=False)
    services.membership_add(user=user, organisation=broker, role_code="broker_admin", by=None)
    assert acting_organisation(user=user, kinds=LODGING) == trader
    Membership.objects.filter(user=user, organisation=trader).update(is_active=False)
    assert acting_organisation(user=user, kinds=LODGING) is None
    assert acting_organisation_ids(user=user) == []


def test_a_superuser_signed_in_sees_every_organisation():
    admin = UserFactory(is_superuser=True)
    only = OrganisationFactory(kind=OrganisationKind.BROKER)
    assert acting_organisation(user=admin, kinds=("broker",)) == only
    OrganisationFactory(kind=OrganisationKind.BROKER)
    assert acting_organisation(user=admin, kinds=("broker",)) is None
