from __future__ import annotations

from decimal import Decimal

import pytest

from ventanilla.accounts.tests.factories import OrganisationFactory
from ventanilla.payments.demo import DEMO_REFERENCE, load_demo_payments
from ventanilla.payments.models import GuaranteeAccount
from ventanilla.payments.selectors import guarantee_balance

pytestmark = pytest.mark.django_db


def test_demo_guarantee_account_for_the_demo_trader_loads_once():
    assert load_demo_payments() == {"guarantee_accounts": 0}  # no demo trader yet
    OrganisationFactory(code="20100000001", name="Andes Fresh Produce S.A.C.")

    assert load_demo_payments() == {"guarantee_accounts": 1}
    assert load_demo_payments() == {"guarantee_accounts": 0}
    account = GuaranteeAccount.objects.get(reference=DEMO_REFERENCE)
    assert (account.holder.code, account.currency, account.status) == (
        "20100000001",
        "PEN",
        "active",
    )
    assert guarantee_balance(account=account).available == Decimal("200000.00")
