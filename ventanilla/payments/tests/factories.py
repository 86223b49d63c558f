"""Payment test helpers: a declaration with an assessment of a chosen total, the
trader-side users, a guarantee account, and a signed sandbox callback."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ventanilla.accounts.tests.factories import member
from ventanilla.declarations.models import Declaration
from ventanilla.declarations.tests.factories import declaration_with_items
from ventanilla.duties.models import DutyAssessment
from ventanilla.duties.tests.factories import assessment_for
from ventanilla.payments.models import GuaranteeAccount, Payment
from ventanilla.payments.providers import sandbox
from ventanilla.payments.services import guarantee_account_open


@dataclass
class Case:
    declaration: Declaration
    assessment: DutyAssessment
    trader: Any
    broker: Any


def assessed_case(total: str = "1234.56", **declaration_kwargs: Any) -> Case:
    declaration = declaration_with_items(1, status="accepted", **declaration_kwargs)
    return Case(
        declaration=declaration,
        assessment=assessment_for(declaration, total),
        trader=member("trader_declarant", declaration.trader),
        broker=member("broker_declarant", declaration.declarant),
    )


def guarantee(case: Case, limit: str = "200000.00", **kwargs: Any) -> GuaranteeAccount:
    values: dict[str, Any] = {
        "reference": f"GAR-{case.declaration.pk}",
        "currency": "PEN",
        "limit_amount": Decimal(limit),
        "valid_from": dt.date(2024, 1, 1),
    }
    values.update(kwargs)
    return guarantee_account_open(holder=case.declaration.trader, by=None, **values)


def signed_callback(payment: Payment, outcome: str = "confirmed") -> tuple[dict[str, str], bytes]:
    body = sandbox.callback_body(payment, outcome)
    return {sandbox.SIGNATURE_HEADER: sandbox.sign(body)}, body
