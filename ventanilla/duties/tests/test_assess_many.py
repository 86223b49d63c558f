"""``duties_assess_many`` assesses a batch exactly as one ``duties_assess`` per
declaration would (TFA 7.2/7.3: numbering, supersession, an unchanged basis returning
the assessment in force, refusals, audit events), at a cost in queries that does not
grow with the batch (ADR 0006)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from ventanilla.accounts.tests.factories import UserFactory
from ventanilla.audit.models import AuditEvent
from ventanilla.core.errors import BusinessError, ConflictError
from ventanilla.declarations.facts import declaration_facts
from ventanilla.declarations.models import Declaration, GoodsItem
from ventanilla.declarations.tests.factories import declaration_with_items
from ventanilla.duties import services
from ventanilla.duties.models import DutyAssessment, DutyLine
from ventanilla.duties.tests.factories import ExchangeRateFactory, duty_and_vat

pytestmark = pytest.mark.django_db
D = Decimal
LINE = "0804400000"

ASSESSMENT_FIELDS = [
    "declaration_id",
    "number",
    "declaration_version",
    "status",
    "currency",
    "total",
    "assessed_on",
    "exchange_rates",
    "basis_hash",
    "computed_by_id",
    "finalised_by_id",
]
LINE_FIELDS = [
    "assessment__declaration_id",
    "assessment__number",
    "position",
    "item_sequence",
    "tariff_line",
    "measure_id",
    "measure_type",
    "origin_country",
    "preference_code",
    "base_amount",
    "base_quantity",
    "quantity_unit",
    "ad_valorem_rate",
    "specific_rate",
    "specific_currency",
    "amount",
]
EVENT_FIELDS = ["verb", "target_type", "actor_id", "actor_label", "organisation_id", "payload"]


@pytest.fixture
def tariff(django_capture_on_commit_callbacks: Any) -> None:
    # As committed: the day's measures and rates are then served from the snapshots
    # (while a write to them is open every read goes to the database).
    with django_capture_on_commit_callbacks(execute=True):
        ExchangeRateFactory(currency="USD", rate=D("3.75"))
        duty_and_vat(LINE, duty="6", vat="18")


def _amend(declaration: Declaration, value: str) -> None:
    GoodsItem.objects.filter(declaration=declaration).update(customs_value=D(value))
    Declaration.objects.filter(pk=declaration.pk).update(version=F("version") + 1)


def _amended(*, twice: bool = False) -> Declaration:
    """Assessed, then amended (once or twice, assessed in between)."""
    declaration = declaration_with_items(1)
    services.duties_assess(declaration=declaration, by=None)
    _amend(declaration, "30000.00")
    if twice:
        services.duties_assess(declaration=declaration, by=None)
        _amend(declaration, "36000.00")
    return declaration


def _mixed_batch(n: int) -> list[int]:
    """Declarations in every state the orchestrator meets: fresh (one or three items),
    assessed and unchanged, assessed then amended (once or twice), and an export with
    no measure (an assessment of no line)."""
    pks = []
    for i in range(n):
        kind = i % 5
        if kind == 3:
            declaration = _amended(twice=bool(i % 2))
        elif kind == 4:
            declaration = declaration_with_items(2, declaration_type="EX")
        else:
            declaration = declaration_with_items(3 if kind == 1 else 1)
        if kind == 2:
            services.duties_assess(declaration=declaration, by=None)
        pks.append(declaration.pk)
    return pks


def _batch_input(pks: list[int]) -> tuple[list[Declaration], dict[int, dict[str, Any]]]:
    declarations = list(Declaration.objects.filter(pk__in=pks).order_by("pk"))
    return declarations, {d.pk: declaration_facts(d) for d in declarations}


class _Undo(Exception):
    pass


def _outcome(pks: list[int], run: Callable[[], dict[int, DutyAssessment]]) -> dict[str, Any]:
    """What ``run`` stores and returns, with ids and times left out; undone after."""
    seen: dict[str, Any] = {}
    last_seq = max(AuditEvent.objects.values_list("seq", flat=True), default=0)
    try:
        with transaction.atomic():
            returned = run()
            numbers = dict(DutyAssessment.objects.values_list("pk", "number"))
            seen["returned"] = {pk: numbers[a.pk] for pk, a in returned.items()}
            seen["order"] = list(returned)
            rows = DutyAssessment.objects.filter(declaration_id__in=pks)
            seen["assessments"] = list(
                rows.order_by("declaration_id", "number").values_list(*ASSESSMENT_FIELDS)
            )
            seen["superseded"] = list(
                rows.filter(superseded_at__isnull=False)
                .order_by("declaration_id", "number")
                .values_list("declaration_id", "number")
            )
            seen["lines"] = list(
                DutyLine.objects.filter(assessment__declaration_id__in=pks)
                .order_by("assessment__declaration_id", "assessment__number", "position")
                .values_list(*LINE_FIELDS)
            )
            seen["events"] = list(
                AuditEvent.objects.filter(seq__gt=last_seq)
                .order_by("seq")
                .values_list(*EVENT_FIELDS)
            )
            raise _Undo
    except _Undo:
        pass
    return seen


def test_a_batch_stores_and_returns_what_one_call_per_declaration_does(tariff: None) -> None:
    pks = _mixed_batch(15)
    user = UserFactory()
    declarations, facts = _batch_input(pks)

    def one_by_one() -> dict[int, DutyAssessment]:
        return {
            d.pk: services.duties_assess(declaration=d, by=user, facts=facts[d.pk])
            for d in declarations
        }

    def batch() -> dict[int, DutyAssessment]:
        return services.duties_assess_many(declarations=declarations, facts=facts, by=user)

    single, batched = _outcome(pks, one_by_one), _outcome(pks, batch)

    assert batched == single
    # Every state was met: supersessions (numbers 2 and 3), assessments returned as
    # they were, lines, and one event per assessment added.
    assert {number for *_, number in single["superseded"]} == {1, 2}
    assert set(single["returned"].values()) == {1, 2, 3}
    assert len(single["lines"]) > 30
    assert [e[0] for e in single["events"]] == ["duties.assessed"] * 12
    assert single["order"] == pks


def test_the_batch_costs_the_same_queries_for_one_declaration_or_fifteen(
    tariff: None,
) -> None:
    def count(n: int) -> int:
        # Each declaration was assessed, then amended: its assessment is superseded and
        # a new one with its lines and audit event added.
        declarations, facts = _batch_input([_amended().pk for _ in range(n)])
        with CaptureQueriesContext(connection) as queries, transaction.atomic():
            added = services.duties_assess_many(declarations=declarations, facts=facts, by=None)
        assert [a.number for a in added.values()] == [2] * n
        return len(queries)

    assert count(1) == count(15)


def test_a_mixed_batch_costs_the_same_queries_as_one_declaration(tariff: None) -> None:
    def count(pks: list[int]) -> int:
        declarations, facts = _batch_input(pks)
        with CaptureQueriesContext(connection) as queries, transaction.atomic():
            services.duties_assess_many(declarations=declarations, facts=facts, by=None)
        return len(queries)

    assert count([_amended().pk]) == count(_mixed_batch(15))


def test_nothing_is_read_or_written_for_an_empty_batch() -> None:
    with CaptureQueriesContext(connection) as queries:
        assert services.duties_assess_many(declarations=[], facts={}, by=None) == {}
    assert len(queries) == 0


def test_a_refused_declaration_refuses_the_batch_with_its_errors(tariff: None) -> None:
    fine = declaration_with_items(1)
    unknown = declaration_with_items(1, item={"tariff_line": "0101210000"})
    declarations, facts = _batch_input([fine.pk, unknown.pk])

    with pytest.raises(BusinessError) as single:
        services.duties_assess(declaration=unknown, by=None)
    with pytest.raises(BusinessError) as batch:
        services.duties_assess_many(declarations=declarations, facts=facts, by=None)

    assert [(e.code, e.field) for e in batch.value.items] == [
        (e.code, e.field) for e in single.value.items
    ]
    assert [e.code for e in batch.value.items] == ["no_tariff_measure"]


def test_a_final_assessment_is_not_superseded_in_a_batch(tariff: None) -> None:
    declaration = declaration_with_items(1)
    services.duties_assess(declaration=declaration, by=None)
    DutyAssessment.objects.filter(declaration=declaration).update(status="final")
    _amend(declaration, "30000.00")
    declarations, facts = _batch_input([declaration.pk])

    with pytest.raises(ConflictError) as refused:
        services.duties_assess_many(declarations=declarations, facts=facts, by=None)

    assert [e.code for e in refused.value.items] == ["assessment_final"]


def test_facts_must_be_those_of_each_declaration_given_once(tariff: None) -> None:
    one, other = declaration_with_items(1), declaration_with_items(1)
    facts = {one.pk: declaration_facts(one)}

    with pytest.raises(ValueError):
        services.duties_assess_many(declarations=[one, other], facts=facts, by=None)
    with pytest.raises(ValueError):
        services.duties_assess_many(
            declarations=[one], facts={one.pk: declaration_facts(other)}, by=None
        )
    with pytest.raises(ValueError):
        services.duties_assess_many(declarations=[one, one], facts=facts, by=None)
