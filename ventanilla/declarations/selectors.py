"""Who sees which declaration.

A trader sees the declarations made for it; a broker those it lodged; a carrier those it
carries and a terminal operator those whose goods it holds (to know what may leave the
port); a border agency those routed to it; the
national committee and superusers see all. The routing rule for agencies lives in the
app that routes (``agencies``), which registers it here, so this app does not import it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet

from ventanilla.accounts.models import Organisation
from ventanilla.accounts.selectors import organisation_qs_for
from ventanilla.declarations.models import TRADE_PARTIES, Declaration

# Functions (organisation ids) -> Q, added by apps that route declarations to agencies.
_agency_visibility: list[Callable[[list[int]], Q]] = []


def register_agency_visibility(rule: Callable[[list[int]], Q]) -> None:
    if rule not in _agency_visibility:
        _agency_visibility.append(rule)


def declaration_qs_for(*, user: Any) -> QuerySet[Declaration]:
    orgs = organisation_qs_for(user=user)
    if (
        getattr(user, "is_superuser", False)
        and getattr(user, "token_organisation_id", None) is None
    ):
        return Declaration.objects.all()
    kinds = dict(orgs.values_list("pk", "kind"))
    if not kinds:
        return Declaration.objects.none()
    # The national committee oversees, and customs administers every declaration.
    if (
        "ministry" in kinds.values()
        or orgs.filter(kind="agency", agency_function="customs").exists()
    ):
        return Declaration.objects.all()
    ids = list(kinds)
    visible = trade_parties_q(ids)
    agency_ids = [pk for pk, kind in kinds.items() if kind == "agency"]
    if agency_ids:
        for rule in _agency_visibility:
            visible |= rule(agency_ids)
    return Declaration.objects.filter(visible).distinct()


def trade_parties_q(ids: list[int], *, through: str = "") -> Q:
    """Declarations where one of these organisations is a trade party (``TRADE_PARTIES``);
    ``through`` reaches the declaration from another model (``"declaration__"``)."""
    found = Q()
    for party in TRADE_PARTIES:
        found |= Q(**{f"{through}{party}_id__in": ids})
    return found


def moved_or_held_by(organisation: Organisation) -> Q:
    """The declarations whose goods this carrier carries or this terminal holds: those it
    reports the arrival of and sees on its release list."""
    return Q(carrier=organisation) | Q(terminal=organisation)


def is_trader_side(*, user: Any, declaration: Declaration) -> bool:
    """True when the user sees the declaration as trader, broker, carrier or terminal —
    and so must not see the channel, risk details or officers' reasons."""
    ids = set(organisation_qs_for(user=user).values_list("pk", flat=True))
    return bool(ids & {getattr(declaration, f"{party}_id") for party in TRADE_PARTIES})


TRADE_KINDS = ("trader", "broker", "carrier")


def declaration_trade_qs_for(*, user: Any) -> QuerySet[Declaration]:
    """Declarations the user sees as trader, broker or carrier (their own trade), not as
    an agency officer: the trader's "Declarations" list."""
    ids = list(
        organisation_qs_for(user=user).filter(kind__in=TRADE_KINDS).values_list("pk", flat=True)
    )
    if not ids:
        return Declaration.objects.none()
    return Declaration.objects.filter(trade_parties_q(ids))


def registered_party(*, code: str, kinds: tuple[str, ...]) -> Organisation | None:
    """The active organisation registered under ``code`` (tax number) with one of
    ``kinds``: a declaration names its importer and carrier by identifier."""
    code = (code or "").strip()
    if not code:
        return None
    return Organisation.objects.filter(code=code, kind__in=kinds, is_active=True).first()
