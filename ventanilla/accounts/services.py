"""Writes for accounts and organisations. Each is one transaction with its audit event."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.accounts.choices import MandateKind, OrganisationKind
from ventanilla.accounts.models import ApiToken, Mandate, Membership, Organisation, Role, User
from ventanilla.accounts.selectors import acting_organisation_ids
from ventanilla.audit.services import audit_record
from ventanilla.core.baked import Baked
from ventanilla.core.errors import BusinessError, ConflictError, ErrorItem

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
    names: dict[str, str] | None = None,
    by: User | None,
) -> Organisation:
    """``names``: the official name in each language, where it differs (agencies)."""
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
        names=names or {},
    )
    org.full_clean()
    org.save()
    audit_record(
        verb="organisation.created",
        target=org,
        by=by,
        organisation=org,
        payload={"kind": kind, "name": name, "code": code, "names": org.names},
    )
    return org


@transaction.atomic
def organisation_names_set(
    *, organisation: Organisation, names: dict[str, str], by: User | None
) -> Organisation:
    """Set the organisation's official name in each language (an empty dict: its
    registered name in every language). Invalid names raise Django's ValidationError
    on ``names`` and change nothing."""
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = dict(org.names or {})
    org.names = names
    org.clean()
    if org.names == before:
        return org  # a repeated call changes nothing
    org.save(update_fields=["names", "updated_at"])
    audit_record(
        verb="organisation.names_set",
        target=org,
        by=by,
        organisation=org,
        payload={"before": before, "after": org.names},
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


# One query: the token, its user, its organisation, and whether the user is still an
# active member there (what the caller may act for, read again on every request so a
# revoked token or a removed member is refused at once). Compiled once per process
# (core.baked): building and compiling it was most of authenticating a request.
_TOKEN_BY_PREFIX: Baked[ApiToken] = Baked(
    lambda prefix: (
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
        .filter(prefix=prefix)
        .order_by("pk")[:1]
    ),
    prefix=str,
)


def api_token_authenticate(*, secret: str) -> ApiToken | None:
    """Find the usable token for a presented secret (constant-time comparison)."""
    # The random part is URL-safe base64 and may itself contain "_".
    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = _TOKEN_BY_PREFIX.first(prefix=parts[1])
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


# --- Representation mandates (WCO Agent 05A, TFA 10.6) -----------------------------------


def _require_trader_manager(trader: Organisation, by: User) -> None:
    """Only a member of the trader who may manage it gives or takes back a mandate (a
    platform administrator who is not a member may not act in the trader's name)."""
    if trader.pk not in acting_organisation_ids(user=by) or not by.has_perm(
        "accounts.manage_organisation", trader
    ):
        raise BusinessError.single(
            "forbidden",
            _("Only an administrator of the trader may grant or revoke its mandates."),
            http_status=403,
        )


def _overlapping(
    trader: Organisation, broker: Organisation, valid_from: dt.date, valid_to: dt.date | None
) -> list[Mandate]:
    qs = Mandate.objects.select_for_update().filter(trader=trader, broker=broker)
    if valid_to is not None:
        qs = qs.filter(valid_from__lt=valid_to)
    # An empty period (a mandate revoked before it began) overlaps nothing.
    qs = qs.exclude(valid_to__isnull=False, valid_to__lte=valid_from).exclude(
        valid_to__isnull=False, valid_to=models.F("valid_from")
    )
    return list(qs)


@transaction.atomic
def mandate_grant(
    *,
    trader: Organisation,
    broker: Organisation | None,
    kind: str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    by: User,
) -> Mandate:
    """The trader gives the broker the power to lodge in its name from ``valid_from``
    (inclusive) until ``valid_to`` (exclusive; open-ended when empty). A retried grant
    of the same mandate returns it; any other overlapping mandate is refused (409).
    ``broker`` is ``None`` when the code the trader gave names no active broker
    (``selectors.broker_by_code``): refused with the other errors."""
    _require_trader_manager(trader, by)
    errors = []
    if trader.kind != OrganisationKind.TRADER:
        errors.append(
            ErrorItem(
                "mandate_trader_not_trader",
                _("Only a trader gives a representation mandate."),
                "trader",
            )
        )
    if broker is None or broker.kind != OrganisationKind.BROKER or not broker.is_active:
        errors.append(
            ErrorItem(
                "mandate_broker_not_broker",
                _("A representation mandate is given to an active customs broker."),
                "broker",
            )
        )
    if kind not in MandateKind.values:
        errors.append(
            ErrorItem(
                "mandate_kind_unknown", _("Choose direct or indirect representation."), "kind"
            )
        )
    if valid_to is not None and valid_to <= valid_from:
        errors.append(
            ErrorItem(
                "mandate_period_invalid",
                _("The end date must be after the start date."),
                "valid_to",
            )
        )
    elif valid_to is not None and valid_to <= timezone.localdate():
        errors.append(
            ErrorItem(
                "mandate_period_past",
                _("The end date must be after today."),
                "valid_to",
            )
        )
    if errors or broker is None:
        raise BusinessError(errors)
    for existing in _overlapping(trader, broker, valid_from, valid_to):
        same = (
            existing.kind == kind
            and existing.valid_from == valid_from
            and existing.valid_to == valid_to
            and existing.revoked_at is None
        )
        if same:
            return existing  # a retried grant: nothing changes, nothing to audit
        raise ConflictError(
            "mandate_exists",
            _("This trader has already given this customs broker a mandate for that period."),
            "broker",
        )
    mandate = Mandate.objects.create(
        trader=trader,
        broker=broker,
        kind=kind,
        valid_from=valid_from,
        valid_to=valid_to,
        created_by=by,
    )
    audit_record(
        verb="mandate.granted",
        target=mandate,
        by=by,
        organisation=trader,
        payload={
            "trader": trader.code,
            "broker": broker.code,
            "kind": kind,
            "valid_from": valid_from.isoformat(),
            "valid_to": valid_to.isoformat() if valid_to else None,
        },
    )
    return mandate


@transaction.atomic
def mandate_revoke(*, mandate: Mandate, by: User, reason: str = "") -> Mandate:
    """Close the mandate today: it no longer lets the broker lodge (from now on; what it
    lodged stays lodged). Never deleted. Revoking a revoked mandate changes nothing."""
    mandate = (
        Mandate.objects.select_for_update().select_related("trader", "broker").get(pk=mandate.pk)
    )
    _require_trader_manager(mandate.trader, by)
    if mandate.revoked_at is not None:
        return mandate  # idempotent
    today = timezone.localdate()
    closes = max(today, mandate.valid_from)  # one not yet begun never begins
    if mandate.valid_to is None or mandate.valid_to > closes:
        mandate.valid_to = closes
    mandate.revoked_at = timezone.now()
    mandate.revoked_by = by
    mandate.revocation_reason = reason[:500]
    mandate.save(
        update_fields=["valid_to", "revoked_at", "revoked_by", "revocation_reason", "updated_at"]
    )
    audit_record(
        verb="mandate.revoked",
        target=mandate,
        by=by,
        organisation=mandate.trader,
        payload={
            "trader": mandate.trader.code,
            "broker": mandate.broker.code,
            "valid_to": mandate.valid_to.isoformat() if mandate.valid_to else None,
            "reason": reason,
        },
    )
    return mandate
