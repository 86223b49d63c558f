"""Demo guarantee account for the demo importer (organisation "20100000001"), so its
goods can be released against a guarantee before final determination (TFA 7.3).
Idempotent: a second run adds nothing. Runs after ``load_demo_accounts``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from ventanilla.accounts.models import Organisation
from ventanilla.duties.money import national_currency
from ventanilla.payments.models import GuaranteeAccount
from ventanilla.payments.services import guarantee_account_open

DEMO_TRADER = "20100000001"
DEMO_REFERENCE = "GAR-20100000001-01"
DEMO_LIMIT = Decimal("200000.00")


@transaction.atomic
def load_demo_payments() -> dict[str, int]:
    holder = Organisation.objects.filter(code=DEMO_TRADER).first()
    if holder is None or GuaranteeAccount.objects.filter(reference=DEMO_REFERENCE).exists():
        return {"guarantee_accounts": 0}
    guarantee_account_open(
        holder=holder,
        reference=DEMO_REFERENCE,
        currency=national_currency(),
        limit_amount=DEMO_LIMIT,
        valid_from=dt.date(2024, 1, 1),
        by=None,
    )
    return {"guarantee_accounts": 1}
