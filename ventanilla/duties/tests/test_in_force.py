"""Tariff measures and exchange rates are read from per-day snapshots: a lodgement costs
no configuration query once they are held, and a published or closed version is used
from the moment its transaction commits (TFA 1.1: only published rates apply)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from ventanilla.core.errors import BusinessError
from ventanilla.declarations.facts import declaration_facts
from ventanilla.declarations.tests.factories import declaration_with_items
from ventanilla.duties import services
from ventanilla.duties.in_force import exchange_rate_on, measures_on
from ventanilla.duties.models import DutyAssessment, ExchangeRate
from ventanilla.duties.tests.factories import ExchangeRateFactory, duty_and_vat

pytestmark = pytest.mark.django_db
D = Decimal
LINE = "0804400000"


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Any:
    """Run a block as if its transaction committed: snapshots serve committed data only
    (while a write to a watched table is open they step aside), so they are observed
    holding rows, and being refreshed, after the commit."""

    def run() -> Any:
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def tariff(committed: Any) -> None:
    with committed():
        ExchangeRateFactory(currency="USD", rate=D("3.75"))
        duty_and_vat(LINE, duty="6", vat="18")


def _assess(**kwargs: Any) -> DutyAssessment:
    return services.duties_assess(declaration=declaration_with_items(1, **kwargs), by=None)


def test_a_fresh_ten_item_declaration_is_assessed_without_reading_configuration(
    tariff: None, django_assert_max_num_queries: Any
) -> None:
    _assess()  # the day's measures, rates and currency list are now held
    declaration = declaration_with_items(10)
    facts = declaration_facts(declaration)

    # Lock the declaration, read the assessment in force (and the next number), insert
    # the assessment and its lines in one statement; the rest is the audit event and
    # the savepoint. No tariff measure, exchange rate or currency is read.
    with django_assert_max_num_queries(9) as captured:
        assessment = services.duties_assess(declaration=declaration, by=None, facts=facts)

    sql = " ".join(q["sql"] for q in captured.captured_queries)
    for table in ("duties_tariffmeasure", "duties_exchangerate", "reference_currency"):
        assert table not in sql
    assert assessment.lines.count() == 20
    # 10 × 24,000 USD × 3.75 = 900,000.00; duty 6 % and VAT 18 % on value + duty.
    assert assessment.total == D("225720.00")


def test_facts_given_by_the_caller_give_the_same_assessment(tariff: None) -> None:
    declaration = declaration_with_items(3)
    other = declaration_with_items(1)

    with pytest.raises(ValueError):
        services.duties_assess(declaration=declaration, by=None, facts=declaration_facts(other))
    given = services.duties_assess(
        declaration=declaration, by=None, facts=declaration_facts(declaration)
    )
    read = services.duties_assess(declaration=declaration, by=None)

    assert read == given  # same basis: the same assessment is returned, not a new one


def test_a_published_measure_is_used_once_committed(tariff: None, committed: Any) -> None:
    assert _assess().total == D("22572.00")  # duty 6 %

    today = timezone.localdate()
    with committed():
        services.tariff_measure_publish(
            tariff_code=LINE,
            measure_type="customs_duty",
            ad_valorem_rate=D("10"),
            legal_basis="Test tariff, Art. 2",
            valid_from=today,
            by=None,
        )

    # 90,000.00 + duty 10 % = 9,000.00; VAT 18 % × 99,000.00 = 17,820.00
    assert _assess().total == D("26820.00")
    # The previous day keeps its own rows: the snapshot is per day.
    yesterday = [m.ad_valorem_rate for m in measures_on(LINE, today - dt.timedelta(1), "IM")]
    assert sorted(yesterday) == [D("6"), D("18")]


def test_a_closed_measure_no_longer_applies_once_committed(tariff: None, committed: Any) -> None:
    assert _assess().total == D("22572.00")
    duty = next(m for m in measures_on(LINE, timezone.localdate(), "IM") if m.ad_valorem_rate == 6)

    with committed():
        services.tariff_measure_close(measure=duty, valid_to=timezone.localdate(), by=None)

    # Only the VAT is left: 18 % × 90,000.00
    assert _assess().total == D("16200.00")


def test_a_published_exchange_rate_is_used_once_committed(tariff: None, committed: Any) -> None:
    today = timezone.localdate()
    assert exchange_rate_on("USD", today, "PEN") == D("3.75")

    with committed():
        services.exchange_rate_publish(currency="USD", rate=D("4"), valid_from=today, by=None)

    assert exchange_rate_on("USD", today, "PEN") == D("4")
    assert exchange_rate_on("USD", today - dt.timedelta(1), "PEN") == D("3.75")
    # 24,000 × 4 = 96,000.00; duty 5,760.00; VAT 18 % × 101,760.00 = 18,316.80
    assert _assess().total == D("24076.80")


def test_a_closed_exchange_rate_is_missing_once_committed(tariff: None, committed: Any) -> None:
    today = timezone.localdate()
    assert exchange_rate_on("USD", today, "PEN") == D("3.75")
    row = ExchangeRate.objects.get(currency="USD")

    with committed():
        row.valid_to = today
        row.save(update_fields=["valid_to"])

    assert exchange_rate_on("USD", today, "PEN") is None
    with pytest.raises(BusinessError) as missing:
        _assess()
    assert [(e.code, e.field) for e in missing.value.items] == [
        ("no_exchange_rate", "invoice_currency")
    ]


def test_an_uncommitted_measure_is_seen_by_its_own_transaction(tariff: None) -> None:
    assert _assess().total == D("22572.00")

    services.tariff_measure_publish(
        tariff_code=LINE,
        measure_type="customs_duty",
        ad_valorem_rate=D("10"),
        legal_basis="Test tariff, Art. 2",
        valid_from=timezone.localdate(),
        by=None,
    )

    assert _assess().total == D("26820.00")
