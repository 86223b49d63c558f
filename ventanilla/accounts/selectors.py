"""Reads, always starting from the user: a user sees only the organisations they act for."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ventanilla.accounts.models import ApiToken, Membership, Organisation, User


def acting_organisation_ids(*, user: Any) -> list[int]:
    """Organisations the user acts for in this request (one, when authenticated by token)."""
    if not getattr(user, "is_authenticated", False):
        return []
    qs = Membership.objects.filter(user=user, is_active=True, organisation__is_active=True)
    token_org = getattr(user, "token_organisation_id", None)
    if token_org is not None:
        qs = qs.filter(organisation_id=token_org)
    return sorted(set(qs.values_list("organisation_id", flat=True)))


def organisation_qs_for(*, user: Any) -> QuerySet[Organisation]:
    if (
        getattr(user, "is_superuser", False)
        and getattr(user, "token_organisation_id", None) is None
    ):
        return Organisation.objects.all()
    return Organisation.objects.filter(pk__in=acting_organisation_ids(user=user))


def membership_qs_for(*, user: Any) -> QuerySet[Membership]:
    orgs = organisation_qs_for(user=user)
    return Membership.objects.filter(organisation__in=orgs).select_related(
        "user", "organisation", "role"
    )


def my_memberships(*, user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user, is_active=True).select_related(
        "organisation", "role"
    )


def managed_organisation_ids(*, user: Any) -> list[int]:
    """Organisations the user acts for and may manage (accounts.manage_organisation)."""
    return [
        org.pk
        for org in organisation_qs_for(user=user)
        if user.has_perm("accounts.manage_organisation", org)
    ]


def api_token_qs_for(*, user: Any) -> QuerySet[ApiToken]:
    """Tokens of the organisations in which the user may manage the organisation."""
    return ApiToken.objects.filter(
        organisation_id__in=managed_organisation_ids(user=user)
    ).select_related("user")


def agency_qs() -> QuerySet[Organisation]:
    """Border agencies are public knowledge: anyone may list them."""
    return Organisation.objects.filter(kind="agency", is_active=True)
