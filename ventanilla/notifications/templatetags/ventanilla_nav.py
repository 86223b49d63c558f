"""``{% load ventanilla_nav %}{% nav_for user as nav %}``: what the main navigation shows
a signed-in user — Declarations for traders and brokers, Queue for officers, the
Requirement matrix for the supervisors who maintain it, Arrivals and Releases for
carriers and terminals, and the number of unread notices."""

from __future__ import annotations

from typing import Any

from django import template

from ventanilla.accounts.selectors import organisation_qs_for
from ventanilla.notifications.selectors import notice_unread_count

register = template.Library()
DECIDE = "agencies.decide_review"
MANAGE_LINES = "agencies.manage_requirementline"  # by name: notifications sits below agencies


@register.simple_tag
def nav_for(user: Any) -> dict[str, Any]:
    if not getattr(user, "is_authenticated", False):
        return {}
    orgs = list(organisation_qs_for(user=user).filter(is_active=True))
    kinds = {o.kind for o in orgs}
    return {
        "trade": bool(kinds & {"trader", "broker"}),
        "officer": any(o.kind == "agency" and user.has_perm(DECIDE, o) for o in orgs),
        "matrix": any(o.kind == "agency" and user.has_perm(MANAGE_LINES, o) for o in orgs),
        "carrier": "carrier" in kinds,
        "unread": notice_unread_count(user=user),
    }
