"""Demo risk profiles, owned by the demo customs and plant health agencies (created by
``accounts.demo``, which must run first). Idempotent: a profile whose code exists is
left as it is. Published from today, so the demo declarations are assessed against them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from ventanilla.accounts.selectors import agency_qs
from ventanilla.risk import services
from ventanilla.risk.models import RiskProfile


def _profiles(today: dt.date) -> list[dict[str, Any]]:
    return [
        {
            # TFA 5.1: limited to the goods, origins and entry points concerned, with an
            # end date and a review date.
            "code": "AL-MEDFLY-0804",
            "owner": "AG-PLANT",
            "kind": "import_alert",
            "channel": "red",
            "priority": 10,
            "name_en": "Fruit fly alert: fresh avocados from Mexico and Guatemala",
            "name_es": "Alerta de mosca de la fruta: paltas frescas de México y Guatemala",
            "hs_prefixes": ["080440"],
            "origin_countries": ["MX", "GT"],
            "entry_points": ["PECLL", "PEPAI"],
            "ends_on": today + dt.timedelta(days=120),
            "review_on": today + dt.timedelta(days=30),
            "rationale": "Outbreaks of Mediterranean fruit fly (Ceratitis capitata) notified in "
            "producing areas. Every consignment is inspected at the ports where "
            "it enters until the outbreak is declared over.",
        },
        {
            "code": "CU-VAL-7403",
            "owner": "AG-CUSTOMS",
            "kind": "selectivity",
            "channel": "yellow",
            "priority": 50,
            "name_en": "Copper cathodes declared below 6.00 per kg",
            "name_es": "Cátodos de cobre declarados por debajo de 6,00 por kg",
            "criteria": [
                {"field": "hs_code", "op": "startswith", "value": ["7403"]},
                {"field": "value_per_kg", "op": "lt", "value": "6.00"},
            ],
            "rationale": "Refined copper trades near 9 USD per kg; a declared value far below "
            "suggests undervaluation. Documentary check of the invoice and the "
            "sales contract.",
        },
        {
            "code": "CU-NEW-TRADER",
            "owner": "AG-CUSTOMS",
            "kind": "selectivity",
            "channel": "yellow",
            "priority": 80,
            "name_en": "First declaration of a trader",
            "name_es": "Primera declaración de un operador",
            "criteria": [{"field": "trader_prior_declarations", "op": "eq", "value": 0}],
            "rationale": "No compliance record yet (TFA 7.4): documentary check of the first "
            "declaration.",
        },
        {
            "code": "CU-RANDOM-3",
            "owner": "AG-CUSTOMS",
            "kind": "random",
            "channel": "red",
            "priority": 900,
            "random_rate": Decimal("3"),
            "name_en": "Random selection (3 %)",
            "name_es": "Selección aleatoria (3 %)",
            "rationale": "TFA 7.4 random selection; keeps inspection results unbiased for "
            "measuring the other profiles' hit rates.",
        },
    ]


@transaction.atomic
def load_demo_risk() -> dict[str, int]:
    today = timezone.localdate()
    agencies = {a.code: a for a in agency_qs().filter(code__in=["AG-CUSTOMS", "AG-PLANT"])}
    if len(agencies) != 2:
        raise LookupError("The demo agencies AG-CUSTOMS and AG-PLANT must be loaded first.")
    created = existing = 0
    for spec in _profiles(today):
        if RiskProfile.objects.filter(code=spec["code"]).exists():
            existing += 1
            continue
        profile = services.risk_profile_create(
            **{**spec, "owner": agencies[spec["owner"]]}, valid_from=today, by=None
        )
        services.risk_profile_publish(profile=profile, by=None)
        created += 1
    return {"risk_profiles_created": created, "risk_profiles_existing": existing}
