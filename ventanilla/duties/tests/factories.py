"""Factories for tariff measures, exchange rates and assessments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from ventanilla.declarations.models import Declaration
from ventanilla.duties.models import DutyAssessment, ExchangeRate, TariffMeasure

LONG_AGO = dt.date(2020, 1, 1)


class TariffMeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TariffMeasure

    tariff_code = "0804400000"
    measure_type = "customs_duty"
    ad_valorem_rate = Decimal("6")
    legal_basis = "Test tariff, Art. 1"
    valid_from = LONG_AGO


class ExchangeRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExchangeRate

    currency = "USD"
    rate = Decimal("3.750000")
    valid_from = LONG_AGO


def duty_and_vat(tariff_code: str = "0804400000", duty: str = "6", vat: str = "18") -> None:
    TariffMeasureFactory(tariff_code=tariff_code, ad_valorem_rate=Decimal(duty))
    TariffMeasureFactory(
        tariff_code=tariff_code,
        measure_type="vat",
        ad_valorem_rate=Decimal(vat),
        base="value_plus_duties",
        legal_basis="Test VAT law, Art. 13",
    )


def assessment_for(
    declaration: Declaration, total: str = "1234.56", **kwargs: Any
) -> DutyAssessment:
    """An assessment with a chosen total, for payment tests (no lines)."""
    values: dict[str, Any] = {
        "number": DutyAssessment.objects.filter(declaration=declaration).count() + 1,
        "declaration_version": declaration.version,
        "status": "provisional",
        "currency": "PEN",
        "total": Decimal(total),
        "assessed_on": timezone.localdate(),
        "basis_hash": f"test-{total}",
    }
    values.update(kwargs)
    return DutyAssessment.objects.create(declaration=declaration, **values)
