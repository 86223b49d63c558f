"""Permissions come from roles held through memberships.

``user.has_perm("x.y")`` is true when any active membership's role grants it;
``user.has_perm("x.y", organisation)`` only when a membership *in that organisation*
does. A request authenticated by an organisation's API token sees only that
organisation's memberships.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from ventanilla.accounts.models import Membership, Organisation


class MembershipRoleBackend(ModelBackend):
    def _role_perms(self, user_obj: Any, organisation_id: int | None) -> set[str]:
        memberships = Membership.objects.filter(
            user=user_obj, is_active=True, organisation__is_active=True
        )
        token_org = getattr(user_obj, "token_organisation_id", None)
        if token_org is not None:
            memberships = memberships.filter(organisation_id=token_org)
        if organisation_id is not None:
            memberships = memberships.filter(organisation_id=organisation_id)
        rows = memberships.values_list(
            "role__permissions__content_type__app_label", "role__permissions__codename"
        )
        return {f"{app}.{code}" for app, code in rows if app and code}

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj)
        organisation_id = obj.pk if isinstance(obj, Organisation) else None
        cache_name = f"_role_perm_cache_{organisation_id}"
        if not hasattr(user_obj, cache_name):
            setattr(user_obj, cache_name, self._role_perms(user_obj, organisation_id))
        return getattr(user_obj, cache_name)  # type: ignore[no-any-return]

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return user_obj.is_active and perm in self.get_all_permissions(user_obj, obj)
