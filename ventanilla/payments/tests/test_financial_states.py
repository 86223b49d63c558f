"""``financial_states`` gives each declaration of a batch what ``financial_state`` gives
it alone (TFA 7.3: due, paid, guaranteed, settled for release), in one query whatever
the batch's size (ADR 0006)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ventanilla.declarations.models import Declaration
from ventanilla.declarations.tests.factories import declaration_with_items
from ventanilla.duties.models import DutyAssessment
from ventanilla.duties.selectors import assessment_latest
from ventanilla.duties.tests.factories import assessment_for
from ventanilla.payments import services
from ventanilla.payments.selectors import financial_state, financial_states
from ventanilla.payments.tests.factories import assessed_case, guarantee, signed_callback

pytestmark = pytest.mark.django_db
D = Decimal


def _declarations(n: int) -> list[Declaration]:
    """Declarations in every financial state: not assessed, assessed and unpaid, a
    payment pending, a payment confirmed, covered by a guarantee, and partly guaranteed
    with a pending payment after a re-assessment."""
    found = []
    for i in range(n):
        kind = i % 6
        if kind == 0:
            found.append(declaration_with_items(1, status="accepted"))
            continue
        case = assessed_case(f"{1000 + i}.50")
        if kind == 5:
            DutyAssessment.objects.filter(pk=case.assessment.pk).update(status="superseded")
            assessment_for(case.declaration, f"{2000 + i}.25")
        if kind in (4, 5):
            guarantee(case, "5000.00")
            amount = D("1000.00") if kind == 4 else D("500.00")
            services.guarantee_reserve(declaration=case.declaration, amount=amount, by=None)
        if kind in (2, 3, 5):
            payment = services.payment_start(
                declaration=case.declaration, by=case.trader, idempotency_key=f"k-{i}"
            )
            if kind == 3:
                headers, body = signed_callback(payment)
                services.payment_callback_handle(
                    provider_code="sandbox", headers=headers, body=body
                )
        found.append(case.declaration)
    return found


def test_a_batch_gives_each_declaration_its_own_financial_state(silent_sandbox: None) -> None:
    declarations = _declarations(12)
    held = {
        d.pk: a for d in declarations[::2] if (a := assessment_latest(declaration=d)) is not None
    }

    read = financial_states(declarations=declarations)
    given = financial_states(declarations=declarations, assessments=held)

    assert list(read) == list(given) == [d.pk for d in declarations]
    for d in declarations:
        assert read[d.pk] == financial_state(declaration=d)
        assert given[d.pk] == financial_state(declaration=d, assessment=held.get(d.pk))
        assert str(given[d.pk].amount_due) == str(read[d.pk].amount_due)
    # Every state was met.
    states = list(read.values())
    assert {s.payment_status for s in states} == {None, "pending", "confirmed"}
    assert {s.settled_for_release for s in states} == {True, False}
    assert {s.guaranteed for s in states} == {D("0"), D("500.00"), D("1000.00")}
    assert any(s.assessment_id is None for s in states)


@pytest.mark.parametrize("held", [False, True])
def test_one_query_for_one_declaration_or_fifteen(silent_sandbox: None, held: bool) -> None:
    def count(declarations: list[Declaration]) -> int:
        assessments: dict[int, Any] = {}
        if held:
            for d in declarations:
                if (a := assessment_latest(declaration=d)) is not None:
                    assessments[d.pk] = a
        with CaptureQueriesContext(connection) as queries:
            financial_states(declarations=declarations, assessments=assessments)
        return len(queries)

    assert count(_declarations(2)[1:]) == count(_declarations(15)) == 1


def test_nothing_is_read_for_an_empty_batch() -> None:
    with CaptureQueriesContext(connection) as queries:
        assert financial_states(declarations=[]) == {}
    assert len(queries) == 0
