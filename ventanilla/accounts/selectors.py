"""Reads, always starting from the user: a user sees only the organisations they act for."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Q, QuerySet

from ventanilla.accounts.models import ApiToken, Mandate, Membership, Organisation, User
from ventanilla.core.baked import Baked, Many


def _token_organisations(user: Any) -> tuple[Organisation, ...] | None:
    """What the token authentication of this request already found (no query), or
    ``None`` when the user was not authenticated that way."""
    found = getattr(user, "token_acting_organisations", None)
    if found is None or getattr(user, "token_organisation_id", None) is None:
        return None
    return tuple(org for org in found if org.pk == user.token_organisation_id)


def _memberships(user: Any) -> QuerySet[Membership]:
    qs = Membership.objects.filter(user=user, is_active=True, organisation__is_active=True)
    token_org = getattr(user, "token_organisation_id", None)
    if token_org is not None:
        qs = qs.filter(organisation_id=token_org)
    # No ordering: Membership's default one would join users and roles for nothing.
    return qs.order_by()


def acting_organisation_ids(*, user: Any) -> list[int]:
    """Organisations the user acts for in this request (one, when authenticated by token)."""
    if not getattr(user, "is_authenticated", False):
        return []
    by_token = _token_organisations(user)
    if by_token is not None:
        return [org.pk for org in by_token]
    return sorted(set(_memberships(user).values_list("organisation_id", flat=True)))


def organisation_qs_for(*, user: Any) -> QuerySet[Organisation]:
    if (
        getattr(user, "is_superuser", False)
        and getattr(user, "token_organisation_id", None) is None
    ):
        return Organisation.objects.all()
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    by_token = _token_organisations(user)
    if by_token is not None:
        return Organisation.objects.filter(pk__in=[org.pk for org in by_token])
    # A subquery, not a list read first: one query when the queryset is used.
    return Organisation.objects.filter(pk__in=_memberships(user).values("organisation_id"))


def acting_organisation(
    *, user: Any, kinds: Sequence[str], pk: int | str | None = None
) -> Organisation | None:
    """The organisation of one of ``kinds`` that the user acts for: the one with ``pk``
    or, without ``pk``, the only one (``None`` when there is none, or several).

    Authenticated by token, the organisation came with the token: no query. Otherwise
    one query reading at most two rows (enough to tell "one" from "several")."""
    by_token = _token_organisations(user)
    if by_token is not None and (pk is None or isinstance(pk, int)):
        found = [org for org in by_token if org.kind in kinds and (pk is None or org.pk == pk)]
        return found[0] if len(found) == 1 else None
    orgs = organisation_qs_for(user=user).filter(kind__in=kinds)
    if pk is not None:
        return orgs.filter(pk=pk).first()
    candidates = list(orgs[:2])
    return candidates[0] if len(candidates) == 1 else None


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


def mandate_qs_for(*, user: Any) -> QuerySet[Mandate]:
    """Mandates a trader the user acts for has given, and those a broker the user acts
    for holds; nobody else sees them (a platform administrator uses the admin site)."""
    ids = acting_organisation_ids(user=user)
    if not ids:
        return Mandate.objects.none()
    return Mandate.objects.filter(
        Q(trader_id__in=ids, trader__kind="trader") | Q(broker_id__in=ids, broker__kind="broker")
    ).select_related("trader", "broker")


# Compiled once per process and number of traders (core.baked).
_MANDATED: Baked[int] = Baked(
    lambda broker, traders, day: (
        Mandate.objects.as_of(day)
        .filter(broker_id=broker, trader_id__in=traders)
        .values_list("trader_id", flat=True)
    ),
    broker=int,
    traders=Many(int),
    day=dt.date,
)


def mandates_in_force(*, broker: Organisation, trader_ids: Iterable[int], day: dt.date) -> set[int]:
    """Which of ``trader_ids`` have given ``broker`` a mandate in force on ``day`` (one
    query, whatever the number of traders)."""
    ids = sorted(set(trader_ids))
    if not ids:
        return set()
    return set(_MANDATED.list(broker=broker.pk, traders=ids, day=day))


def mandate_withdrawn(*, broker: Organisation, trader_id: int, day: dt.date) -> bool:
    """Whether ``trader_id`` revoked a mandate it gave ``broker`` and gives it none in
    force on ``day``: the broker may then no longer act on that trader's declarations,
    even those lodged under the mandate (TFA 10.6). A mandate that merely reached its end
    date still carries the declarations lodged under it to their end."""
    mandates = Mandate.objects.filter(broker=broker, trader_id=trader_id)
    if not mandates.filter(revoked_at__isnull=False).exists():
        return False
    return not mandates.as_of(day).exists()


def broker_by_code(*, code: str) -> Organisation | None:
    """An active customs broker by its identifier (brokers are licensed publicly: a
    trader names the one it gives a mandate to)."""
    return Organisation.objects.filter(code=code.strip(), kind="broker", is_active=True).first()
