"""Template tags for pages outside the accounts app (the home page's "You act for")."""

from __future__ import annotations

from typing import Any

from django import template

from ventanilla.accounts import selectors
from ventanilla.accounts.models import User

register = template.Library()


@register.simple_tag
def acting_for(user: Any) -> list[dict[str, Any]]:
    """The organisations the user acts for, each with the names of the user's roles."""
    if not isinstance(user, User):
        return []
    rows: dict[int, dict[str, Any]] = {}
    for m in selectors.my_memberships(user=user):
        if not m.organisation.is_active:
            continue
        row = rows.setdefault(m.organisation_id, {"organisation": m.organisation, "roles": []})
        row["roles"].append(m.role)
    return list(rows.values())
