from __future__ import annotations

import pytest

from ventanilla.accounts import services
from ventanilla.accounts.demo import load_demo_accounts
from ventanilla.accounts.models import ApiToken, Membership, Organisation, User
from ventanilla.accounts.tests.factories import OrganisationFactory, UserFactory, member
from ventanilla.audit.models import AuditEvent
from ventanilla.core.errors import BusinessError, ConflictError

pytestmark = pytest.mark.django_db


def test_organisation_create_writes_audit_event():
    org = services.organisation_create(kind="trader", name="Frutas del Sur", code="20999", by=None)
    event = AuditEvent.objects.get(verb="organisation.created")
    assert event.target_id == str(org.pk)
    assert event.payload == {
        "kind": "trader",
        "name": "Frutas del Sur",
        "code": "20999",
        "names": {},
    }


def test_duplicate_organisation_code_is_refused_and_nothing_written():
    services.organisation_create(kind="trader", name="A", code="20999", by=None)
    before = AuditEvent.objects.count()
    with pytest.raises(ConflictError) as err:
        services.organisation_create(kind="broker", name="B", code="20999", by=None)
    assert err.value.items[0].code == "organisation_code_taken"
    assert Organisation.objects.count() == 1
    assert AuditEvent.objects.count() == before


def test_agency_function_only_for_agencies():
    with pytest.raises(Exception):  # noqa: B017 - full_clean raises ValidationError
        services.organisation_create(
            kind="trader", name="X", code="1", agency_function="customs", by=None
        )
    assert Organisation.objects.count() == 0


def test_role_must_fit_organisation_kind():
    trader = OrganisationFactory(kind="trader")
    user = UserFactory()
    with pytest.raises(BusinessError) as err:
        services.membership_add(user=user, organisation=trader, role_code="agency_officer", by=None)
    assert err.value.items[0].code == "role_not_for_kind"
    assert Membership.objects.count() == 0


def test_membership_add_is_idempotent():
    org = OrganisationFactory()
    user = UserFactory()
    first = services.membership_add(user=user, organisation=org, role_code="trader_admin", by=None)
    again = services.membership_add(user=user, organisation=org, role_code="trader_admin", by=None)
    assert first.pk == again.pk
    assert AuditEvent.objects.filter(verb="membership.added").count() == 1


def test_permissions_are_scoped_to_the_organisation():
    admin = member("trader_admin")
    own = admin.memberships.get().organisation
    other = OrganisationFactory()
    assert admin.has_perm("accounts.manage_organisation")
    assert admin.has_perm("accounts.manage_organisation", own)
    assert not admin.has_perm("accounts.manage_organisation", other)


def test_token_create_authenticate_revoke():
    admin = member("trader_admin")
    org = admin.memberships.get().organisation
    issued = services.api_token_create(organisation=org, user=admin, name="ERP", by=admin)
    assert issued.secret.startswith(f"vt_{issued.token.prefix}_")
    assert issued.secret not in ApiToken.objects.values_list("key_hash", flat=True)
    assert services.api_token_authenticate(secret=issued.secret) == issued.token
    assert services.api_token_authenticate(secret=issued.secret + "x") is None
    services.api_token_revoke(token=issued.token, by=admin)
    assert services.api_token_authenticate(secret=issued.secret) is None
    verbs = list(AuditEvent.objects.values_list("verb", flat=True))
    assert verbs[-2:] == ["api_token.created", "api_token.revoked"]


def test_token_create_refused_without_permission():
    declarant = member("trader_declarant")
    org = declarant.memberships.get().organisation
    with pytest.raises(BusinessError) as err:
        services.api_token_create(organisation=org, user=declarant, name="x", by=declarant)
    assert err.value.http_status == 403
    assert ApiToken.objects.count() == 0


def test_demo_accounts_load_is_idempotent():
    first = load_demo_accounts()
    assert first == {"organisations": 9, "users": 13, "memberships": 15, "mandates": 2}
    events = AuditEvent.objects.count()
    second = load_demo_accounts()
    assert second == {"organisations": 0, "users": 0, "memberships": 0, "mandates": 0}
    assert AuditEvent.objects.count() == events
    assert User.objects.get(email="admin@demo.ventanilla").is_superuser
