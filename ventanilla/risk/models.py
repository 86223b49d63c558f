"""Risk management (TFA 7.4) and import alerts (TFA 5.1).

A risk profile is published data: effective-dated and never overwritten. Each change is
a new version (same ``code``, next ``version``); publishing it closes the version in
force (``valid_to``), so any past assessment can be explained by the profiles that
applied on its date. Assessments and their feedback (CRMS-style outcomes) are kept in
full: a re-assessment after an amendment adds a row.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.core.models import EffectiveDated, EffectiveDatedQuerySet, TimeStamped
from ventanilla.declarations.choices import Channel
from ventanilla.risk.choices import OutcomeResult, ProfileKind, ProfileStatus
from ventanilla.risk.engine import ProfileRule


class RiskProfile(EffectiveDated, TimeStamped):
    code = models.CharField(_("code"), max_length=30, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=200)  # _en/_es by modeltranslation
    owner = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="risk_profiles",
        verbose_name=_("owner agency"),
        limit_choices_to={"kind": "agency"},
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ProfileKind.choices)
    channel = models.CharField(_("target channel"), max_length=8, choices=Channel.choices)
    # [{"field": ..., "op": ..., "value": ...}, ...], all of which must hold (risk/fields.py).
    criteria = models.JSONField(_("criteria"), default=list, blank=True)
    # Import alert scope (TFA 5.1): limited to the goods, origins and entry points concerned,
    # ended promptly (ends_on, inclusive) and reviewed (review_on).
    hs_prefixes = models.JSONField(_("HS codes"), default=list, blank=True)
    origin_countries = models.JSONField(_("origin countries"), default=list, blank=True)
    entry_points = models.JSONField(_("entry points"), default=list, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    review_on = models.DateField(_("review on"), null=True, blank=True)
    rationale = models.TextField(_("rationale (internal)"), blank=True)  # never shown to traders
    random_rate = models.DecimalField(
        _("random rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    priority = models.PositiveSmallIntegerField(_("priority"), default=100)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ProfileStatus.choices,
        default=ProfileStatus.DRAFT,
        db_index=True,
    )
    change_reason = models.CharField(_("reason for the change"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    # Bound again here so the type checker knows the manager's model.
    objects = EffectiveDatedQuerySet.as_manager()  # type: ignore[misc]
    # Columns added by modeltranslation (translation.py), declared for the type checker.
    name_en: str
    name_es: str | None

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("risk profile")
        verbose_name_plural = _("risk profiles")
        permissions = [("manage_riskprofile", _("Maintain and publish risk profiles"))]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="risk_profile_version"),
            models.CheckConstraint(
                name="risk_profile_channel_selects", condition=Q(channel__in=["yellow", "red"])
            ),
            models.CheckConstraint(
                name="risk_profile_random_rate_range",
                condition=Q(random_rate__isnull=True)
                | (Q(random_rate__gt=0) & Q(random_rate__lte=100)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    def in_force(self, day: dt.date | None = None) -> bool:
        day = day or timezone.localdate()
        return (
            self.status != ProfileStatus.DRAFT
            and super().in_force(day)
            and (self.ends_on is None or self.ends_on >= day)
        )

    def as_rule(self) -> ProfileRule:
        return ProfileRule(
            id=self.pk,
            code=self.code,
            version=self.version,
            kind=self.kind,
            channel=self.channel,
            criteria=list(self.criteria),
            priority=self.priority,
            random_rate=self.random_rate,
            hs_prefixes=list(self.hs_prefixes),
            origin_countries=list(self.origin_countries),
            entry_points=list(self.entry_points),
        )


class RiskAssessment(models.Model):
    """The selectivity result for one version of a declaration. The channel is never
    shown to the trader, broker or carrier."""

    declaration = models.ForeignKey(
        "declarations.Declaration", on_delete=models.PROTECT, related_name="risk_assessments"
    )
    declaration_version = models.PositiveIntegerField(_("declaration version"))
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    # Match.as_json() of every matched profile: code, version, channel, the conditions that
    # held with the facts that satisfied them, and the explanation (TFA 7.4: no arbitrary
    # discrimination, so every selection can be explained).
    matches = models.JSONField(_("matched profiles"), default=list)
    random_selected = models.BooleanField(_("selected at random"), default=False)
    profiles_evaluated = models.PositiveIntegerField(_("profiles evaluated"), default=0)
    assessed_on = models.DateField(_("profiles in force on"), db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["declaration", "-pk"]
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")

    def __str__(self) -> str:
        return f"{self.declaration_id} v{self.declaration_version}: {self.channel}"


class RiskMatch(models.Model):
    """One matched profile of an assessment, as a row: hit rates are counted from these
    with plain queries on either database (the JSON keeps the explanation)."""

    assessment = models.ForeignKey(
        RiskAssessment, on_delete=models.CASCADE, related_name="profile_matches"
    )
    profile = models.ForeignKey(RiskProfile, on_delete=models.PROTECT, related_name="matches")
    code = models.CharField(_("code"), max_length=30, db_index=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    is_random = models.BooleanField(_("random selection"), default=False)

    class Meta:
        ordering = ["assessment", "code"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "profile"], name="risk_match_once")
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.code}"


class RiskOutcome(models.Model):
    """Feedback on the control a selection led to (CRMS: feedback is mandatory), so that
    each profile's hit rate can be computed (TFA 7.4, 7.5)."""

    assessment = models.ForeignKey(
        RiskAssessment, on_delete=models.PROTECT, related_name="outcomes"
    )
    agency = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="risk_outcomes",
        verbose_name=_("agency"),
    )
    result = models.CharField(_("result"), max_length=20, choices=OutcomeResult.choices)
    revenue_amount = models.DecimalField(
        _("revenue recovered"), default=0, max_digits=16, decimal_places=2
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["assessment", "created_at"]
        verbose_name = _("risk outcome")
        verbose_name_plural = _("risk outcomes")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "agency"], name="risk_outcome_once"),
            models.CheckConstraint(
                name="risk_outcome_revenue_not_negative", condition=Q(revenue_amount__gte=0)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.result}"
