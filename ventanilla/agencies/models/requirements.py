"""The requirement matrix: which agency acts on which goods (TFA 8, 10.1, 10.4).

Each line is owned and maintained by one border agency. Lines are effective-dated and
never overwritten: a change closes the version in force and adds a new one with the same
``key``, so a declaration is always read against the matrix of its own date. The public
trade portal reads the same lines (TFA 1.1, 1.2: publish what each product needs).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ventanilla.agencies.choices import RequirementAction
from ventanilla.core.models import EffectiveDated, EffectiveDatedQuerySet
from ventanilla.declarations.choices import DeclarationType


class RequirementLine(EffectiveDated):
    # Stable across versions: "AG-PLANT-0001" v1, v2… share it.
    key = models.CharField(_("line key"), max_length=40, db_index=True)
    agency = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="requirement_lines",
        verbose_name=_("agency"),
        limit_choices_to={"kind": "agency"},
    )
    # 2 (chapter) to 6 (subheading) HS digits, or 8 to 10 digits of a national tariff line.
    hs_prefix = models.CharField(_("HS or tariff prefix"), max_length=10, db_index=True)
    origin_country = models.CharField(
        _("country of origin"), max_length=2, blank=True, help_text=_("Blank: any origin.")
    )
    export_country = models.CharField(
        _("country of export"), max_length=2, blank=True, help_text=_("Blank: any country.")
    )
    destination_country = models.CharField(
        _("country of destination"), max_length=2, blank=True, help_text=_("Blank: any country.")
    )
    declaration_type = models.CharField(
        _("declaration type"),
        max_length=2,
        blank=True,
        choices=DeclarationType.choices,
        help_text=_("Blank: every type."),
    )
    procedure_code = models.CharField(
        _("procedure"), max_length=4, blank=True, help_text=_("Blank: every procedure.")
    )
    action = models.CharField(_("action"), max_length=10, choices=RequirementAction.choices)
    document_type_code = models.CharField(
        _("required document type"), max_length=6, blank=True
    )  # WCO D006, e.g. N851
    description = models.CharField(_("description"), max_length=300)  # _en / _es
    # 0 acts in parallel; a line with a higher number acts once all lower ones approve.
    sequence = models.PositiveSmallIntegerField(_("sequence"), default=0)
    sla_hours = models.PositiveIntegerField(_("service level (hours)"), default=24)
    perishable_sla_hours = models.PositiveIntegerField(
        _("service level for perishables (hours)"), default=4
    )  # TFA 7.9
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    objects = EffectiveDatedQuerySet.as_manager()  # type: ignore[misc]  # typed per model

    class Meta:
        ordering = ["agency__name", "sequence", "hs_prefix", "key", "valid_from"]
        verbose_name = _("requirement line")
        verbose_name_plural = _("requirement matrix")
        permissions = [("manage_requirementline", _("Maintain the agency's requirement matrix"))]
        constraints = [
            models.UniqueConstraint(fields=["key", "valid_from"], name="requirement_line_version"),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.hs_prefix} ({self.valid_from:%Y-%m-%d})"

    def matches_item(self, item: dict[str, Any]) -> bool:
        """Does this line apply to one item of ``declaration_facts``?"""
        code = item.get("tariff_line") or item.get("hs_code") or ""
        if not code.startswith(self.hs_prefix):
            return False
        return not (self.origin_country and item.get("origin_country") != self.origin_country)


def default_opening() -> dt.time:
    # Callables, not fixed times: Django's W161 check takes a fixed time default for a
    # mistaken "now" whenever it runs within ten seconds of that time of day.
    return dt.time(7, 0)


def default_closing() -> dt.time:
    return dt.time(19, 0)


class InspectionCalendar(EffectiveDated):
    """Configured inspection hours at a place (blank location: every place).

    Slots of ``slot_minutes`` during opening hours; ``capacity`` inspections at once, of
    which ``perishable_reserve`` are kept for perishables, which may also be examined
    outside opening hours (TFA 7.9)."""

    location = models.CharField(_("UN/LOCODE"), max_length=5, blank=True)
    opens_at = models.TimeField(_("opens at"), default=default_opening)
    closes_at = models.TimeField(_("closes at"), default=default_closing)
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"), default=30)
    capacity = models.PositiveSmallIntegerField(_("inspections at the same time"), default=2)
    perishable_reserve = models.PositiveSmallIntegerField(
        _("places kept for perishables"), default=1
    )
    perishables_after_hours = models.BooleanField(
        _("perishables also examined after hours"), default=True
    )

    objects = EffectiveDatedQuerySet.as_manager()  # type: ignore[misc]  # typed per model

    class Meta:
        ordering = ["location", "valid_from"]
        verbose_name = _("inspection calendar")
        verbose_name_plural = _("inspection calendars")
        constraints = [
            models.UniqueConstraint(
                fields=["location", "valid_from"], name="inspection_calendar_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.location or '*'} {self.opens_at:%H:%M}-{self.closes_at:%H:%M}"
