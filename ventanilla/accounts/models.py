"""Users, the organisations they act for, and the roles that grant permissions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser, Permission
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from ventanilla.accounts.choices import AgencyFunction, MandateKind, OrganisationKind
from ventanilla.core.models import EffectiveDatedQuerySet, TimeStamped


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    """A person. They sign in with their e-mail address and act for organisations."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        default="en",
        choices=[("en", _("English")), ("es", _("Spanish"))],
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []  # type: ignore[misc]
    objects = UserManager()  # type: ignore[misc, assignment]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    # Set for the length of a request authenticated by an organisation's API token: the
    # caller then acts for that organisation only, whatever else the user belongs to.
    token_organisation_id: int | None = None
    # Set with it by the token authentication: that organisation, loaded with the token,
    # if the user is an active member of it, else empty; ``None`` when not looked up
    # (see ``accounts.selectors.acting_organisation_ids``).
    token_acting_organisations: tuple[Organisation, ...] | None = None


class Organisation(TimeStamped):
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    name = models.CharField(_("name"), max_length=200)
    # National identifier: tax number (RUC, RUT, RFC, NIT) or agency code (WCO party ID).
    code = models.CharField(_("identifier"), max_length=35, unique=True)
    country = models.CharField(_("country"), max_length=2, default="PE")
    agency_function = models.CharField(
        _("agency function"),
        max_length=20,
        choices=AgencyFunction.choices,
        blank=True,
        help_text=_("Border agencies only: what the agency controls."),
    )
    email = models.EmailField(_("contact e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # A border agency or ministry has an official name in each language of the platform
    # (TFA 1.1: information in the languages traders read); a company keeps its legal
    # name in every language. ``name`` is the name the organisation is registered
    # under: searches, sorting and the declaration's data use it.
    names = models.JSONField(
        _("name in each language"),
        default=dict,
        blank=True,
        help_text=_(
            "Only where the name differs by language, as a border agency's official names: "
            '{"en": "National Plant Health Service", "es": "Servicio Nacional de Sanidad '
            'Vegetal"}. Otherwise the name is shown in every language.'
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        permissions = [
            ("manage_organisation", _("Manage the organisation's members and API tokens")),
        ]
        constraints = [
            models.CheckConstraint(
                name="agency_function_only_for_agencies",
                condition=models.Q(kind=OrganisationKind.AGENCY) | models.Q(agency_function=""),
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name to show, in the active language."""
        return self.name_in(translation.get_language())

    def name_in(self, language: str | None) -> str:
        code = (language or settings.LANGUAGE_CODE).split("-")[0]
        return (self.names or {}).get(code) or self.name

    def clean(self) -> None:
        super().clean()
        known = {code for code, _label in settings.LANGUAGES}
        names = self.names or {}
        if not isinstance(names, dict) or any(
            key not in known or not isinstance(value, str) or not value.strip() or len(value) > 200
            for key, value in names.items()
        ):
            message = _(
                "Give a name of at most 200 characters for each language code among: %(codes)s."
            ) % {"codes": ", ".join(sorted(known))}
            raise ValidationError({"names": ValidationError(message, code="invalid_names")})


class Role(models.Model):
    """A named bundle of Django permissions. Defined in ``roles.py`` and synced after
    every migrate, so the code is the single description of who may do what."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    organisation_kinds = models.JSONField(_("organisation kinds"), default=list)
    permissions = models.ManyToManyField(Permission, blank=True, verbose_name=_("permissions"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return self.name


class Membership(TimeStamped):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="memberships")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["organisation__name", "user__email", "role__code"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="unique_membership_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role.code})"


class ApiToken(models.Model):
    """A credential for an organisation's own system (a broker's software lodging by API).

    Only a SHA-256 of the secret is stored; the full token is shown once, at creation.
    The token acts as ``user`` within ``organisation`` only.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="tokens")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class Mandate(TimeStamped):
    """A power of representation given by a trader to a customs broker (WCO Agent 05A,
    TFA 10.6). Effective-dated (``valid_from`` inclusive, ``valid_to`` exclusive) and
    never overwritten nor deleted: revoking closes it (``valid_to``, ``revoked_at``)."""

    trader = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="mandates_given",
        verbose_name=_("trader"),
    )
    broker = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="mandates_held",
        verbose_name=_("customs broker"),
    )
    kind = models.CharField(_("representation"), max_length=10, choices=MandateKind.choices)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    created_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("granted by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("revoked by"),
    )
    revocation_reason = models.CharField(_("reason for revocation"), max_length=500, blank=True)

    objects = EffectiveDatedQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from", "-pk"]
        verbose_name = _("representation mandate")
        verbose_name_plural = _("representation mandates")
        indexes = [models.Index(fields=["broker", "trader", "valid_from"])]
        constraints = [
            models.CheckConstraint(
                name="mandate_valid_to_not_before_valid_from",
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
            ),
            models.CheckConstraint(
                name="mandate_not_to_oneself",
                condition=~models.Q(trader=models.F("broker")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trader} → {self.broker} ({self.kind})"

    def in_force(self, day: dt.date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.valid_from <= day and (self.valid_to is None or self.valid_to > day)
