"""Code lists of the duties app (WCO DutyTaxFee 50A)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MeasureType(models.TextChoices):
    """Kind of duty, tax or fee (WCO 113 DutyTaxFee/TypeCode; the national code of each
    measure is kept in ``TariffMeasure.type_code``). The order is the display order."""

    CUSTOMS_DUTY = "customs_duty", _("Customs duty")
    EXCISE = "excise", _("Excise tax")
    VAT = "vat", _("Value added tax")
    OTHER_FEE = "other_fee", _("Other fee or charge")


# Computation order inside one item: a cascade base needs the duties computed before it.
COMPUTATION_ORDER: tuple[str, ...] = (
    MeasureType.CUSTOMS_DUTY,
    MeasureType.EXCISE,
    MeasureType.OTHER_FEE,
    MeasureType.VAT,
)
# Amounts that enter a cascade base (customs value + duty + excise), as VAT laws usually
# define the taxable value of an import (e.g. Peru's IGV: CIF + ad valorem duty + ISC).
CASCADE_TYPES: frozenset[str] = frozenset({MeasureType.CUSTOMS_DUTY, MeasureType.EXCISE})


class TaxBase(models.TextChoices):
    """What an ad valorem rate applies to (WCO 116 AdValoremTaxBaseAmount)."""

    CUSTOMS_VALUE = "customs_value", _("Customs value")
    VALUE_PLUS_DUTIES = "value_plus_duties", _("Customs value plus duty and excise (cascade)")


class TradeFlow(models.TextChoices):
    """Direction a measure applies to (WCO D013 declaration type)."""

    IMPORT = "IM", _("Import")
    EXPORT = "EX", _("Export")


class AssessmentStatus(models.TextChoices):
    """TFA 7.3: goods may be released on a provisional assessment; the final
    determination follows release."""

    PROVISIONAL = "provisional", _("Provisional")
    FINAL = "final", _("Final")
    SUPERSEDED = "superseded", _("Superseded")


ASSESSMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    AssessmentStatus.PROVISIONAL: frozenset({AssessmentStatus.FINAL, AssessmentStatus.SUPERSEDED}),
    AssessmentStatus.FINAL: frozenset({AssessmentStatus.SUPERSEDED}),
    AssessmentStatus.SUPERSEDED: frozenset(),
}
