"""The financial state is one query (it is asked twice per lodgement), and the same
whether the caller passes the assessment it holds or lets it be read (TFA 7.3)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from ventanilla.declarations.tests.factories import declaration_with_items
from ventanilla.duties.selectors import assessment_latest
from ventanilla.duties.services import duties_assess
from ventanilla.duties.tests.factories import ExchangeRateFactory, duty_and_vat
from ventanilla.payments import services
from ventanilla.payments.selectors import FinancialState, financial_state
from ventanilla.payments.tests.factories import assessed_case, guarantee

pytestmark = pytest.mark.django_db
D = Decimal


def test_a_freshly_assessed_ten_item_declaration_costs_one_query(
    django_assert_max_num_queries: Any,
) -> None:
    ExchangeRateFactory(currency="USD", rate=D("3.75"))
    duty_and_vat("0804400000", duty="6", vat="18")
    declaration = declaration_with_items(10, status="accepted")
    assessment = duties_assess(declaration=declaration, by=None)

    with django_assert_max_num_queries(1):
        given = financial_state(declaration=declaration, assessment=assessment)
    with django_assert_max_num_queries(1):
        read = financial_state(declaration=declaration)

    assert (
        given
        == read
        == FinancialState(
            amount_due=D("225720.00"),
            currency="PEN",
            paid=D("0"),
            guaranteed=D("0"),
            settled_for_release=False,
            payment_status=None,
            outstanding=D("225720.00"),
            assessment_id=assessment.pk,
            assessment_status="provisional",
        )
    )
    assert str(given.amount_due) == str(read.amount_due) == "225720.000"


def test_before_assessment_nothing_is_due_and_nothing_is_settled(
    django_assert_max_num_queries: Any,
) -> None:
    declaration = declaration_with_items(1, status="accepted")

    with django_assert_max_num_queries(1):
        state = financial_state(declaration=declaration)

    assert (state.amount_due, state.currency, state.assessment_id) == (D("0"), "PEN", None)
    assert (state.settled_for_release, state.payment_status) == (False, None)


def test_payments_and_guarantee_movements_are_counted_in_one_query(
    silent_sandbox: None, django_assert_max_num_queries: Any
) -> None:
    case = assessed_case("1000.00")
    guarantee(case, "5000.00")
    first = services.payment_start(
        declaration=case.declaration, by=case.trader, idempotency_key="a"
    )
    services.guarantee_reserve(declaration=case.declaration, amount=D("1000.00"), by=None)
    assessment = assessment_latest(declaration=case.declaration)

    with django_assert_max_num_queries(1):
        read = financial_state(declaration=case.declaration)
    given = financial_state(declaration=case.declaration, assessment=assessment)

    assert read == given
    assert (read.amount_due, read.paid, read.guaranteed, read.outstanding) == (
        D("1000.00"),
        D("0"),
        D("1000.00"),
        D("1000.00"),
    )
    assert (read.payment_status, read.settled_for_release) == (first.status, True)
