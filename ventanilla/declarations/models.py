"""The single goods declaration, aligned with the WCO Data Model (ids in comments).

One declaration per consignment, lodged once for every agency (TFA 10.4). Its content
is versioned: an amendment stores the previous content as a ``DeclarationVersion`` and
every status change writes a ``StatusChange`` row, from which release times are computed
(TFA 7.6, WCO Time Release Study).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ventanilla.core.models import TimeStamped
from ventanilla.declarations.choices import (
    Channel,
    DeclarationType,
    Milestone,
    PartyRole,
    Status,
    TransportMode,
)

MONEY: dict[str, Any] = {"max_digits": 16, "decimal_places": 2}
MASS: dict[str, Any] = {"max_digits": 14, "decimal_places": 3}


# The organisations a declaration names as trade parties: they see it, never its risk
# result, and the carrier and terminal are told of holds and release. One list, so that
# a new party role reaches visibility, notices and the rows loaded with a declaration.
TRADE_PARTIES = ("trader", "declarant", "carrier", "terminal")


class Declaration(TimeStamped):
    # --- identity -----------------------------------------------------------------
    mrn = models.CharField(_("MRN"), max_length=18, unique=True, null=True, blank=True)  # D014
    lrn = models.CharField(_("declarant's reference (LRN)"), max_length=35)  # D026
    version = models.PositiveIntegerField(_("version"), default=1)
    declaration_type = models.CharField(
        _("declaration type"), max_length=2, choices=DeclarationType.choices
    )  # D013
    procedure_code = models.CharField(_("requested procedure"), max_length=4)  # 166
    previous_procedure_code = models.CharField(
        _("previous procedure"), max_length=4, blank=True
    )  # 161
    # --- who ----------------------------------------------------------------------
    # The organisation that lodged (a broker or the trader itself) and the trader the
    # declaration is for: both see it. The carrier is told of holds and release.
    # No index of their own: the (party, status) indexes below lead with them (one
    # index less to maintain per declaration lodged, ADR 0006).
    declarant = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="declarations_lodged",
        db_index=False,
    )
    trader = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="declarations",
        db_index=False,
    )
    carrier = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="declarations_carried",
        null=True,
        blank=True,
        db_index=False,
    )
    # The terminal or warehouse operator holding the goods (WCO GoodsLocation 64A),
    # told of holds and release with the carrier, and gating the goods out on release.
    terminal = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="declarations_held",
        null=True,
        blank=True,
        db_index=False,
    )
    # --- where and how --------------------------------------------------------------
    office_code = models.CharField(_("office of declaration"), max_length=17)  # 065
    transport_mode = models.CharField(
        _("mode of transport at the border"), max_length=1, choices=TransportMode.choices
    )  # T022
    conveyance_ref = models.CharField(
        _("conveyance (vessel, flight, plate)"), max_length=35, blank=True
    )  # T006
    transport_document_ref = models.CharField(
        _("transport document (B/L, AWB)"), max_length=35, blank=True
    )
    loading_location = models.CharField(_("place of loading"), max_length=5, blank=True)  # L010
    discharge_location = models.CharField(_("place of discharge"), max_length=5, blank=True)
    entry_office_code = models.CharField(_("office of entry or exit"), max_length=17, blank=True)
    estimated_arrival = models.DateTimeField(_("estimated arrival"), null=True, blank=True)
    export_country = models.CharField(_("country of export"), max_length=2, blank=True)  # 062
    destination_country = models.CharField(
        _("country of destination"), max_length=2, blank=True
    )  # 465
    incoterm = models.CharField(_("Incoterm"), max_length=3, blank=True)  # 090
    invoice_currency = models.CharField(_("invoice currency"), max_length=3)  # 135
    invoice_amount = models.DecimalField(_("invoice amount"), **MONEY)  # 109
    is_perishable = models.BooleanField(_("perishable goods"), default=False)  # TFA 7.9
    perishable_declared = models.BooleanField(_("declared perishable by the trader"), default=False)
    # --- processing ----------------------------------------------------------------
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    channel = models.CharField(
        _("channel"), max_length=8, choices=Channel.choices, blank=True
    )  # never shown to the trader
    lodged_at = models.DateTimeField(_("lodged at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)  # 277
    content_hash = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        verbose_name = _("declaration")
        verbose_name_plural = _("declarations")
        ordering = ["-created_at"]
        constraints = [
            # The LRN is the declarant's own key: retrying a lodgement finds the first.
            models.UniqueConstraint(fields=["declarant", "lrn"], name="declaration_lrn"),
        ]
        indexes = [
            models.Index(fields=["trader", "status"]),
            models.Index(fields=["declarant", "status"]),
            models.Index(fields=["carrier", "status"]),
            models.Index(fields=["terminal", "status"]),
            models.Index(fields=["conveyance_ref"]),
        ]

    def __str__(self) -> str:
        return self.mrn or self.lrn

    @property
    def total_customs_value(self) -> Decimal:
        return sum((i.customs_value for i in self.items.all()), Decimal("0"))


class Party(models.Model):
    # Indexed by the (declaration, role) constraint, which leads with it.
    declaration = models.ForeignKey(
        Declaration, on_delete=models.CASCADE, related_name="parties", db_index=False
    )
    role = models.CharField(_("role"), max_length=12, choices=PartyRole.choices)
    name = models.CharField(_("name"), max_length=200)
    identifier = models.CharField(_("identifier"), max_length=17, blank=True)  # R038 etc.
    country = models.CharField(_("country"), max_length=2, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)  # 04A

    class Meta:
        # As written (the trader's order), on every database: without it SQLite read
        # them in the order of its (declaration, role) index, PostgreSQL in its own.
        ordering = ["declaration", "pk"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.UniqueConstraint(fields=["declaration", "role"], name="party_role_once")
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.name}"


class GoodsItem(models.Model):
    """WCO GovernmentAgencyGoodsItem 68A."""

    # Indexed by the (declaration, sequence) constraint, which leads with it.
    declaration = models.ForeignKey(
        Declaration, on_delete=models.CASCADE, related_name="items", db_index=False
    )
    sequence = models.PositiveSmallIntegerField(_("item number"))  # 006
    tariff_line = models.CharField(_("national tariff line"), max_length=12)  # 145
    hs_code = models.CharField(_("HS subheading"), max_length=6, db_index=True)
    hs_edition = models.CharField(_("HS edition"), max_length=10)
    description = models.CharField(_("description of goods"), max_length=512)  # 137
    origin_country = models.CharField(_("country of origin"), max_length=2)  # 063
    preference_code = models.CharField(_("preference claimed"), max_length=20, blank=True)  # 164
    package_type = models.CharField(_("package type"), max_length=2, blank=True)  # 141
    package_count = models.PositiveIntegerField(_("number of packages"), default=0)  # 144
    gross_mass_kg = models.DecimalField(_("gross mass (kg)"), **MASS)  # 126
    net_mass_kg = models.DecimalField(_("net mass (kg)"), **MASS)  # 128
    supplementary_quantity = models.DecimalField(
        _("supplementary quantity"), null=True, blank=True, **MASS
    )  # 130
    supplementary_unit = models.CharField(_("supplementary unit"), max_length=3, blank=True)
    customs_value = models.DecimalField(_("customs value"), **MONEY)  # 108
    is_perishable = models.BooleanField(_("perishable"), default=False)

    class Meta:
        ordering = ["declaration", "sequence"]
        verbose_name = _("goods item")
        verbose_name_plural = _("goods items")
        constraints = [
            models.UniqueConstraint(fields=["declaration", "sequence"], name="item_sequence")
        ]

    def __str__(self) -> str:
        return f"{self.sequence}: {self.tariff_line} {self.description[:40]}"


class Document(models.Model):
    """A supporting document (WCO AdditionalDocument 02A): attached to the declaration,
    and cited by the items it covers. Stored once, referenced by every agency (TFA 10.2)."""

    # Indexed by the (declaration, type, reference) constraint, which leads with it.
    declaration = models.ForeignKey(
        Declaration, on_delete=models.CASCADE, related_name="documents", db_index=False
    )
    type_code = models.CharField(_("document type"), max_length=6)  # D006
    reference = models.CharField(_("document reference"), max_length=70)  # D005
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    items = models.ManyToManyField(
        GoodsItem, blank=True, related_name="documents", verbose_name=_("items covered")
    )

    class Meta:
        ordering = ["declaration", "pk"]  # as written, as the parties
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.UniqueConstraint(
                fields=["declaration", "type_code", "reference"], name="document_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.type_code} {self.reference}"


class DeclarationVersion(models.Model):
    """The content as it was before an amendment (WCO 06A, reason code 099)."""

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    content = models.JSONField()
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        ordering = ["declaration", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["declaration", "version"], name="declaration_version_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.declaration_id} v{self.version}"


class StatusChange(models.Model):
    declaration = models.ForeignKey(
        Declaration, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=24, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=24, choices=Status.choices)
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    actor_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", null=True
    )
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["declaration", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status}→{self.to_status}"


class MilestoneEvent(models.Model):
    """One timestamp per WCO Time Release Study milestone and declaration (TFA 7.6)."""

    # Indexed by the (declaration, milestone) constraint, which leads with it.
    declaration = models.ForeignKey(
        Declaration, on_delete=models.CASCADE, related_name="milestones", db_index=False
    )
    milestone = models.CharField(max_length=24, choices=Milestone.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    source = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["declaration", "at"]
        constraints = [
            models.UniqueConstraint(fields=["declaration", "milestone"], name="milestone_once")
        ]

    def __str__(self) -> str:
        return f"{self.milestone}@{self.at:%Y-%m-%d %H:%M}"


from ventanilla.declarations.draft_model import DeclarationDraft  # noqa: E402,F401
