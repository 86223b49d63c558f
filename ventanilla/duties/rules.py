"""Business rules of the assessment. Each rule is a class named by its code whose
docstring is the message; the assessment collects every failure, so the declarant sees
all of them at once, each with the path of the field at fault (``items.0.tariff_line``)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _

from ventanilla.core.errors import ErrorItem


class Rule:
    # ``message`` repeats the docstring as a literal so makemessages extracts it.
    code: ClassVar[str]
    message: ClassVar[Any]

    @classmethod
    def error(cls, path: str | None, **params: Any) -> ErrorItem:
        return ErrorItem(cls.code, str(cls.message) % params if params else str(cls.message), path)


class NoTariffMeasure(Rule):
    """No duty or tax measure in force on %(day)s applies to tariff line %(line)s."""

    # TFA 1.1 / GATT X: only published duties may be applied, so an item whose line has
    # no published measure cannot be assessed (the tariff data must be completed).
    code = "no_tariff_measure"
    message = _("No duty or tax measure in force on %(day)s applies to tariff line %(line)s.")


class NoExchangeRate(Rule):
    """No exchange rate for %(currency)s is in force on %(day)s."""

    # WCO 118: values are converted at the rate in force on the date of acceptance.
    code = "no_exchange_rate"
    message = _("No exchange rate for %(currency)s is in force on %(day)s.")


class QuantityMissing(Rule):
    """A specific duty per %(unit)s applies: the supplementary quantity is required."""

    # WCO 129 SpecificTaxBaseQuantity: the quantity in the unit the measure prescribes.
    code = "quantity_missing"
    message = _("A specific duty per %(unit)s applies: the supplementary quantity is required.")


class AssessmentFinal(Rule):
    """The final assessment has been made; it can no longer be replaced by a provisional
    one."""

    code = "assessment_final"
    message = _(
        "The final assessment has been made; it can no longer be replaced by a provisional one."
    )


class NotReleased(Rule):
    """Duties are finally determined after release: this declaration is not released."""

    # TFA 7.3.1: release may precede the final determination of duties.
    code = "not_released"
    message = _("Duties are finally determined after release: this declaration is not released.")


class NotAssessed(Rule):
    """This declaration has no duty assessment yet."""

    code = "not_assessed"
    message = _("This declaration has no duty assessment yet.")


class MeasureVersionExists(Rule):
    """A version of this measure already starts on or after this date."""

    # Reference data is never overwritten: versions are only added after the last one.
    code = "version_exists"
    message = _("A version already starts on or after this date; versions are only added.")
