"""Tariff measures, exchange rates and duty assessments (WCO DutyTaxFee 50A).

Measures and exchange rates are effective-dated and never overwritten: a new rate closes
the version in force (``valid_to``) and opens a new one, so a declaration is always
assessed with the data in force on its acceptance date (TFA 1.1: only published duties
apply; TFA 7.3: the final determination uses the same data as the provisional one).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.core.models import EffectiveDated
from ventanilla.duties.choices import AssessmentStatus, MeasureType, TaxBase, TradeFlow

MONEY: dict[str, Any] = {
    "max_digits": 18,
    "decimal_places": 3,
}  # quantized to the currency's minor units
QUANTITY: dict[str, Any] = {"max_digits": 16, "decimal_places": 3}


class VersionOverwriteRefused(Exception):
    """A version's content never changes: only ``valid_to`` may be set to close it."""


class ImmutableVersion(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding and set(kwargs.get("update_fields") or ()) != {"valid_to"}:
            raise VersionOverwriteRefused(f"{self._meta.label} {self.pk} is never overwritten")
        super().save(*args, **kwargs)


class TariffMeasure(ImmutableVersion, EffectiveDated):
    """One duty, tax or fee on a national tariff line, or on every line under an HS
    prefix (``0306`` for a whole heading). Ad valorem (WCO 115 on base 116), specific
    (per unit of quantity, WCO 129) or both (compound). A measure with a preference code
    or an origin applies only to items that claim that preference (WCO 164) from that
    origin (WCO 063); blank means erga omnes."""

    tariff_code = models.CharField(_("tariff line or HS prefix"), max_length=12, db_index=True)
    measure_type = models.CharField(
        _("measure type"), max_length=16, choices=MeasureType.choices
    )  # 113
    type_code = models.CharField(_("national duty or tax code"), max_length=4, blank=True)
    trade_flow = models.CharField(
        _("applies to"), max_length=2, choices=TradeFlow.choices, default=TradeFlow.IMPORT
    )
    ad_valorem_rate = models.DecimalField(
        _("ad valorem rate (%)"), max_digits=7, decimal_places=4, null=True, blank=True
    )  # 115
    specific_rate = models.DecimalField(
        _("specific rate per unit"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    specific_unit = models.CharField(_("unit (UN/ECE Rec 20)"), max_length=3, blank=True)
    specific_currency = models.CharField(
        _("currency of the specific rate"), max_length=3, blank=True
    )
    origin_country = models.CharField(_("origin"), max_length=2, blank=True)
    preference_code = models.CharField(_("preference"), max_length=20, blank=True)  # 164
    base = models.CharField(
        _("base"), max_length=20, choices=TaxBase.choices, default=TaxBase.CUSTOMS_VALUE
    )
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["tariff_code", "measure_type", "-valid_from"]
        verbose_name = _("tariff measure")
        verbose_name_plural = _("tariff measures")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "tariff_code",
                    "measure_type",
                    "trade_flow",
                    "origin_country",
                    "preference_code",
                    "valid_from",
                ],
                name="tariff_measure_version",
            ),
            models.CheckConstraint(
                name="tariff_measure_has_rate",
                condition=Q(ad_valorem_rate__isnull=False) | Q(specific_rate__isnull=False),
            ),
            models.CheckConstraint(
                name="tariff_measure_specific_complete",
                condition=Q(specific_rate__isnull=True)
                | (~Q(specific_unit="") & ~Q(specific_currency="")),
            ),
            models.CheckConstraint(
                name="tariff_measure_rates_not_negative",
                condition=(Q(ad_valorem_rate__isnull=True) | Q(ad_valorem_rate__gte=0))
                & (Q(specific_rate__isnull=True) | Q(specific_rate__gte=0)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tariff_code} {self.measure_type} {self.valid_from}"


class ExchangeRate(ImmutableVersion, EffectiveDated):
    """Units of national currency for one unit of ``currency`` (WCO 118 RateNumeric),
    as published by the administration for customs purposes."""

    currency = models.CharField(_("currency"), max_length=3, db_index=True)
    rate = models.DecimalField(_("rate"), max_digits=18, decimal_places=6)
    source = models.CharField(_("source"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["currency", "-valid_from"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "valid_from"], name="exchange_rate_version"
            ),
            models.CheckConstraint(name="exchange_rate_positive", condition=Q(rate__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.rate} from {self.valid_from}"


class DutyAssessment(models.Model):
    """The duties and taxes of one version of a declaration, in national currency.
    A re-assessment adds a new row and supersedes the previous one (never edited)."""

    declaration = models.ForeignKey(
        "declarations.Declaration", on_delete=models.PROTECT, related_name="duty_assessments"
    )
    number = models.PositiveIntegerField(_("assessment number"))
    declaration_version = models.PositiveIntegerField(_("declaration version"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AssessmentStatus.choices,
        default=AssessmentStatus.PROVISIONAL,
    )
    currency = models.CharField(_("currency"), max_length=3)
    total = models.DecimalField(_("total"), **MONEY)
    assessed_on = models.DateField(_("rates in force on"))
    exchange_rates = models.JSONField(_("exchange rates applied"), default=dict)  # 118
    basis_hash = models.CharField(max_length=64)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)

    class Meta:
        ordering = ["declaration", "-number"]
        verbose_name = _("duty assessment")
        verbose_name_plural = _("duty assessments")
        permissions = [("finalise_assessment", _("Finalise duty assessments after release"))]
        constraints = [
            models.UniqueConstraint(fields=["declaration", "number"], name="assessment_number"),
            # At most one assessment in force per declaration.
            models.UniqueConstraint(
                fields=["declaration"],
                name="assessment_one_current",
                condition=~Q(status=AssessmentStatus.SUPERSEDED),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.declaration_id} #{self.number} {self.status}"


class DutyLine(models.Model):
    """One measure on one goods item (WCO DutyTaxFee 50A under GovernmentAgencyGoodsItem)."""

    assessment = models.ForeignKey(DutyAssessment, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    item_sequence = models.PositiveSmallIntegerField(_("item number"))  # 006
    tariff_line = models.CharField(_("national tariff line"), max_length=12)
    measure = models.ForeignKey(TariffMeasure, on_delete=models.PROTECT, related_name="+")
    measure_type = models.CharField(_("type"), max_length=16, choices=MeasureType.choices)  # 113
    origin_country = models.CharField(_("origin"), max_length=2, blank=True)
    preference_code = models.CharField(_("preference applied"), max_length=20, blank=True)
    base_amount = models.DecimalField(_("base amount"), null=True, blank=True, **MONEY)  # 116
    base_quantity = models.DecimalField(
        _("base quantity"), null=True, blank=True, **QUANTITY
    )  # 129
    quantity_unit = models.CharField(_("unit"), max_length=3, blank=True)
    ad_valorem_rate = models.DecimalField(
        _("ad valorem rate (%)"), max_digits=7, decimal_places=4, null=True, blank=True
    )  # 115
    specific_rate = models.DecimalField(
        _("specific rate"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    specific_currency = models.CharField(max_length=3, blank=True)
    amount = models.DecimalField(_("amount assessed"), **MONEY)  # 120

    class Meta:
        ordering = ["assessment", "position"]
        verbose_name = _("duty line")
        verbose_name_plural = _("duty lines")

    def __str__(self) -> str:
        return f"{self.item_sequence} {self.measure_type} {self.amount}"
