"""Reference data: effective-dated and never overwritten (TFA 10.3: international
standards — HS, UN/LOCODE, ISO 3166 / 4217, UN/ECE Rec 20 and 21).

A change never updates a row in place: the loader closes the version in force
(``valid_to``) and adds a new one, so any past declaration can be read against the data
that applied on its date. ``search_text`` holds the accent-folded code and names in both
languages so one LIKE query searches English and Spanish on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ventanilla.core.models import EffectiveDated


class ReferenceModel(EffectiveDated):
    search_text = models.TextField(_("search text"), blank=True, editable=False)

    class Meta:
        abstract = True


class Country(ReferenceModel):
    code = models.CharField(_("ISO 3166-1 alpha-2"), max_length=2, db_index=True)
    alpha3 = models.CharField(_("ISO 3166-1 alpha-3"), max_length=3)
    numeric = models.CharField(_("ISO 3166-1 numeric"), max_length=3)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["code"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="country_version")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Currency(ReferenceModel):
    code = models.CharField(_("ISO 4217 code"), max_length=3, db_index=True)
    numeric = models.CharField(_("ISO 4217 numeric"), max_length=3, blank=True)
    name = models.CharField(_("name"), max_length=200)
    minor_units = models.PositiveSmallIntegerField(_("minor units"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("currency")
        verbose_name_plural = _("currencies")
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="currency_version")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class HSEdition(models.Model):
    """An edition of the Harmonized System (2017, 2022, 2028): the whole tree is dated
    by its edition, and every declaration item and ruling names the edition it used."""

    code = models.CharField(_("edition"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=100)
    valid_from = models.DateField(_("in force from"))
    valid_to = models.DateField(_("in force until"), null=True, blank=True)

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("HS edition")
        verbose_name_plural = _("HS editions")
        permissions = [("manage_reference", _("Maintain reference data"))]

    def __str__(self) -> str:
        return self.name


class HSSection(models.Model):
    edition = models.ForeignKey(HSEdition, on_delete=models.PROTECT, related_name="sections")
    number = models.CharField(_("section"), max_length=5)  # roman numeral, as published
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.TextField(_("name"))

    class Meta:
        ordering = ["edition", "position"]
        verbose_name = _("HS section")
        verbose_name_plural = _("HS sections")
        constraints = [
            models.UniqueConstraint(fields=["edition", "number"], name="hs_section_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class HSCode(ReferenceModel):
    """A chapter (2 digits), heading (4) or subheading (6) of one HS edition."""

    class Level(models.IntegerChoices):
        CHAPTER = 2, _("Chapter")
        HEADING = 4, _("Heading")
        SUBHEADING = 6, _("Subheading")

    edition = models.ForeignKey(HSEdition, on_delete=models.PROTECT, related_name="codes")
    code = models.CharField(_("code"), max_length=6, db_index=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent_code = models.CharField(_("parent"), max_length=6, blank=True, db_index=True)
    section = models.CharField(_("section"), max_length=5, blank=True)
    description = models.TextField(_("description"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("HS code")
        verbose_name_plural = _("HS codes")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "code", "valid_from"], name="hs_code_version"
            )
        ]
        indexes = [models.Index(fields=["edition", "parent_code"])]

    def __str__(self) -> str:
        return f"{self.display_code} {self.description}"

    @property
    def display_code(self) -> str:
        """0804.40 for a subheading, 08.04 for a heading, 08 for a chapter."""
        if self.level == 6:
            return f"{self.code[:4]}.{self.code[4:]}"
        if self.level == 4:
            return f"{self.code[:2]}.{self.code[2:]}"
        return self.code


class TariffLine(ReferenceModel):
    """A national tariff line (8 or 10 digits) under an HS subheading."""

    code = models.CharField(_("national code"), max_length=12, db_index=True)
    edition = models.ForeignKey(HSEdition, on_delete=models.PROTECT, related_name="tariff_lines")
    hs_code = models.CharField(_("HS subheading"), max_length=6, db_index=True)
    description = models.TextField(_("description"))
    supplementary_unit = models.CharField(
        _("supplementary unit (UN/ECE Rec 20)"), max_length=3, blank=True
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("national tariff line")
        verbose_name_plural = _("national tariff lines")
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="tariff_line_version")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class Location(ReferenceModel):
    """A UN/LOCODE location kept for trade: seaports, airports, rail and road terminals,
    border crossings (function positions 1, 2, 3, 4, 6 and 8 'B')."""

    unlocode = models.CharField(_("UN/LOCODE"), max_length=5, db_index=True)
    country = models.CharField(_("country"), max_length=2, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    name_ascii = models.CharField(_("name without diacritics"), max_length=200)
    subdivision = models.CharField(_("subdivision"), max_length=5, blank=True)
    function = models.CharField(_("function"), max_length=8)
    status = models.CharField(_("status"), max_length=2, blank=True)
    iata = models.CharField(_("IATA code"), max_length=3, blank=True)
    coordinates = models.CharField(_("coordinates"), max_length=20, blank=True)
    is_seaport = models.BooleanField(_("seaport"), default=False)
    is_rail = models.BooleanField(_("rail terminal"), default=False)
    is_road = models.BooleanField(_("road terminal"), default=False)
    is_airport = models.BooleanField(_("airport"), default=False)
    is_multimodal = models.BooleanField(_("multimodal / inland depot"), default=False)
    is_border_crossing = models.BooleanField(_("border crossing"), default=False)

    class Meta:
        ordering = ["unlocode"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        constraints = [
            models.UniqueConstraint(fields=["unlocode", "valid_from"], name="location_version")
        ]

    def __str__(self) -> str:
        return f"{self.unlocode} {self.name}"


class CustomsOffice(ReferenceModel):
    """WCO office code: UN/LOCODE (an..5) + national suffix, an..17 in all."""

    code = models.CharField(_("office code"), max_length=17, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    unlocode = models.CharField(_("UN/LOCODE"), max_length=5, blank=True)
    country = models.CharField(_("country"), max_length=2)

    class Meta:
        ordering = ["code"]
        verbose_name = _("customs office")
        verbose_name_plural = _("customs offices")
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="customs_office_version")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class UnitOfMeasure(ReferenceModel):
    """UN/ECE Recommendation 20 unit (KGM, LTR, C62, ...)."""

    code = models.CharField(_("code"), max_length=3, db_index=True)
    name = models.CharField(_("name"), max_length=100)
    symbol = models.CharField(_("symbol"), max_length=10, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("unit of measure")
        verbose_name_plural = _("units of measure")
        constraints = [models.UniqueConstraint(fields=["code", "valid_from"], name="unit_version")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PackageType(ReferenceModel):
    """UN/ECE Recommendation 21 package type (WCO 141)."""

    code = models.CharField(_("code"), max_length=2, db_index=True)
    name = models.CharField(_("name"), max_length=100)
    is_bulk = models.BooleanField(_("bulk (no package count)"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("package type")
        verbose_name_plural = _("package types")
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="package_type_version")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class DocumentType(ReferenceModel):
    """A supporting document (WCO 02A TypeCode D006): invoice, bill of lading, permit..."""

    code = models.CharField(_("code"), max_length=6, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    agency_function = models.CharField(_("issued or checked by"), max_length=20, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("document type")
        verbose_name_plural = _("document types")
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="document_type_version")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
