"""Writes for accounts and organisations. Each is one transaction with its audit event."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.accounts.models import ApiToken, Membership, Organisation, Role, User
from ventanilla.audit.services import audit_record
from ventanilla.core.errors import BusinessError, ConflictError

TOKEN_PREFIX = "vt"  # noqa: S105 - a public marker, not a secret


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def organisation_create(
    *,
    kind: str,
    name: str,
    code: str,
    country: str = "PE",
    agency_function: str = "",
    email: str = "",
    by: User | None,
) -> Organisation:
    if Organisation.objects.filter(code=code).exists():
        raise ConflictError(
            "organisation_code_taken",
            _("An organisation with this identifier already exists."),
            "code",
        )
    org = Organisation(
        kind=kind,
        name=name,
        code=code,
        country=country,
        agency_function=agency_function,
        email=email,
    )
    org.full_clean()
    org.save()
    audit_record(
        verb="organisation.created",
        target=org,
        by=by,
        organisation=org,
        payload={"kind": kind, "name": name, "code": code},
    )
    return org


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    full_name: str = "",
    preferred_language: str = "en",
    is_superuser: bool = False,
    by: User | None,
) -> User:
    email = email.strip().lower()
    if User.objects.filter(email=email).exists():
        raise ConflictError(
            "user_email_taken", _("A user with this e-mail already exists."), "email"
        )
    if is_superuser:
        user = User.objects.create_superuser(
            email, password, full_name=full_name, preferred_language=preferred_language
        )
    else:
        user = User.objects.create_user(
            email, password, full_name=full_name, preferred_language=preferred_language
        )
    audit_record(
        verb="user.created", target=user, by=by, payload={"email": email, "superuser": is_superuser}
    )
    return user


@transaction.atomic
def membership_add(
    *, user: User, organisation: Organisation, role_code: str, by: User | None
) -> Membership:
    role = Role.objects.filter(code=role_code).first()
    if role is None:
        raise BusinessError.single("role_unknown", _("This role does not exist."), "role")
    if role.organisation_kinds and organisation.kind not in role.organisation_kinds:
        raise BusinessError.single(
            "role_not_for_kind",
            _("This role cannot be held in this kind of organisation."),
            "role",
        )
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, role=role, defaults={"is_active": True}
    )
    if not created and not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active", "updated_at"])
    elif not created:
        return membership  # retried call: nothing changes, nothing to audit
    audit_record(
        verb="membership.added",
        target=membership,
        by=by,
        organisation=organisation,
        payload={"user": user.email, "role": role_code},
    )
    return membership


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown to the caller once, never stored


@transaction.atomic
def api_token_create(
    *,
    organisation: Organisation,
    user: User,
    name: str,
    expires_at: Any = None,
    by: User,
) -> IssuedToken:
    if not by.has_perm("accounts.manage_organisation", organisation):
        raise BusinessError.single(
            "forbidden", _("You may not manage this organisation."), http_status=403
        )
    if not Membership.objects.filter(user=user, organisation=organisation, is_active=True).exists():
        raise BusinessError.single(
            "token_user_not_member",
            _("The token's user must be a member of the organisation."),
            "user",
        )
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        organisation=organisation,
        user=user,
        name=name,
        prefix=prefix,
        key_hash=_hash(secret),
        expires_at=expires_at,
    )
    audit_record(
        verb="api_token.created",
        target=token,
        by=by,
        organisation=organisation,
        payload={"name": name, "prefix": prefix, "user": user.email},
    )
    return IssuedToken(token=token, secret=secret)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    if not by.has_perm("accounts.manage_organisation", token.organisation):
        raise BusinessError.single(
            "forbidden", _("You may not manage this organisation."), http_status=403
        )
    if token.revoked_at is not None:
        return token  # idempotent
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        verb="api_token.revoked",
        target=token,
        by=by,
        organisation=token.organisation,
        payload={"prefix": token.prefix},
    )
    return token


def api_token_authenticate(*, secret: str) -> ApiToken | None:
    """Find the usable token for a presented secret (constant-time comparison)."""
    # The random part is URL-safe base64 and may itself contain "_".
    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    # One query: the token, its user, its organisation, and whether the user is still an
    # active member there (what the caller may act for, read again on every request so a
    # revoked token or a removed member is refused at once).
    token = (
        ApiToken.objects.select_related("user", "organisation")
        .annotate(
            member=Exists(
                Membership.objects.filter(
                    user_id=OuterRef("user_id"),
                    organisation_id=OuterRef("organisation_id"),
                    is_active=True,
                )
            )
        )
        .filter(prefix=parts[1])
        .first()
    )
    if token is None or not secrets.compare_digest(token.key_hash, _hash(secret)):
        return None
    if not token.is_usable or not token.user.is_active or not token.organisation.is_active:
        return None
    now = timezone.now()
    # Touch at most once a minute: a broker's system may call many times a second.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


@transaction.atomic
def user_set_language(*, user: User, language: str, by: User) -> User:
    if language not in ("en", "es") or user.preferred_language == language:
        return user
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    audit_record(verb="user.language_changed", target=user, by=by, payload={"language": language})
    return user
