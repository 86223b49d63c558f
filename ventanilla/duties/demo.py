"""Demo tariff measures and exchange rates for the demo tariff lines. Figures are
illustrative, modelled on a Peruvian-style tariff (0 % or 6 % ad valorem duty, an 18 %
VAT on value plus duty, an excise on cars); they are not an official publication.
Idempotent: a second run finds every row and adds nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from ventanilla.duties import services
from ventanilla.duties.choices import MeasureType as M
from ventanilla.duties.choices import TaxBase
from ventanilla.duties.models import ExchangeRate, TariffMeasure

DEMO_FROM = dt.date(2024, 1, 1)
TARIFF = "Demo national customs tariff (ad valorem on the customs value, WTO Valuation Agreement)"
VAT = "Demo VAT law: 18 % on customs value plus duties (IGV 16 % + IPM 2 % in Peru)"
EXCISE = "Demo excise law: selective consumption tax on new passenger cars"
PACIFIC = "Demo Pacific Alliance Additional Protocol: 0 % for originating goods"

# tariff code or HS prefix, type, ad valorem %, base, legal basis, origin, preference
MEASURES: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    ("0804400000", M.CUSTOMS_DUTY, "0", TaxBase.CUSTOMS_VALUE, TARIFF, "", ""),
    ("0804400000", M.VAT, "18", TaxBase.VALUE_PLUS_DUTIES, VAT, "", ""),
    ("0901119000", M.CUSTOMS_DUTY, "6", TaxBase.CUSTOMS_VALUE, TARIFF, "", ""),
    ("0901119000", M.CUSTOMS_DUTY, "0", TaxBase.CUSTOMS_VALUE, PACIFIC, "CO", "AP"),
    ("0901119000", M.VAT, "18", TaxBase.VALUE_PLUS_DUTIES, VAT, "", ""),
    ("7403110000", M.CUSTOMS_DUTY, "0", TaxBase.CUSTOMS_VALUE, TARIFF, "", ""),
    ("7403110000", M.VAT, "18", TaxBase.VALUE_PLUS_DUTIES, VAT, "", ""),
    ("6109100031", M.CUSTOMS_DUTY, "6", TaxBase.CUSTOMS_VALUE, TARIFF, "", ""),
    ("6109100031", M.VAT, "18", TaxBase.VALUE_PLUS_DUTIES, VAT, "", ""),
    ("870323", M.CUSTOMS_DUTY, "0", TaxBase.CUSTOMS_VALUE, TARIFF, "", ""),
    ("870323", M.EXCISE, "10", TaxBase.VALUE_PLUS_DUTIES, EXCISE, "", ""),
    ("870323", M.VAT, "18", TaxBase.VALUE_PLUS_DUTIES, VAT, "", ""),
    ("8471300000", M.CUSTOMS_DUTY, "0", TaxBase.CUSTOMS_VALUE, TARIFF, "", ""),
    ("8471300000", M.VAT, "18", TaxBase.VALUE_PLUS_DUTIES, VAT, "", ""),
    ("0306", M.CUSTOMS_DUTY, "6", TaxBase.CUSTOMS_VALUE, TARIFF, "", ""),
    ("0306", M.VAT, "18", TaxBase.VALUE_PLUS_DUTIES, VAT, "", ""),
    # Chapter-wide rows, so every demo tariff line has a measure; the longest code wins.
    ("03", M.CUSTOMS_DUTY, "6", TaxBase.CUSTOMS_VALUE, TARIFF, "", ""),
    ("03", M.VAT, "18", TaxBase.VALUE_PLUS_DUTIES, VAT, "", ""),
    ("07", M.CUSTOMS_DUTY, "0", TaxBase.CUSTOMS_VALUE, TARIFF, "", ""),
    ("07", M.VAT, "18", TaxBase.VALUE_PLUS_DUTIES, VAT, "", ""),
    ("08", M.CUSTOMS_DUTY, "0", TaxBase.CUSTOMS_VALUE, TARIFF, "", ""),
    ("08", M.VAT, "18", TaxBase.VALUE_PLUS_DUTIES, VAT, "", ""),
    ("09", M.CUSTOMS_DUTY, "6", TaxBase.CUSTOMS_VALUE, TARIFF, "", ""),
    ("09", M.VAT, "18", TaxBase.VALUE_PLUS_DUTIES, VAT, "", ""),
    ("61", M.CUSTOMS_DUTY, "6", TaxBase.CUSTOMS_VALUE, TARIFF, "", ""),
    ("61", M.VAT, "18", TaxBase.VALUE_PLUS_DUTIES, VAT, "", ""),
    ("85", M.CUSTOMS_DUTY, "0", TaxBase.CUSTOMS_VALUE, TARIFF, "", ""),
    ("85", M.VAT, "18", TaxBase.VALUE_PLUS_DUTIES, VAT, "", ""),
)
RATES = (("USD", Decimal("3.750000")), ("EUR", Decimal("4.050000")))
RATE_SOURCE = "Demo customs exchange rate"


@transaction.atomic
def load_demo_duties() -> dict[str, int]:
    created = {"tariff_measures": 0, "exchange_rates": 0}
    for code, kind, rate, base, basis, origin, preference in MEASURES:
        key: dict[str, Any] = {
            "tariff_code": code,
            "measure_type": kind,
            "origin_country": origin,
            "preference_code": preference,
        }
        if TariffMeasure.objects.filter(**key).exists():
            continue
        services.tariff_measure_publish(
            **key,
            ad_valorem_rate=Decimal(rate),
            base=base,
            legal_basis=basis,
            valid_from=DEMO_FROM,
            by=None,
        )
        created["tariff_measures"] += 1
    for currency, value in RATES:
        if ExchangeRate.objects.filter(currency=currency).exists():
            continue
        services.exchange_rate_publish(
            currency=currency, rate=value, valid_from=DEMO_FROM, source=RATE_SOURCE, by=None
        )
        created["exchange_rates"] += 1
    return created
