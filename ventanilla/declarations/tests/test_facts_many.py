"""declaration_facts_many: the facts of a batch of declarations, as the single call gives
them, read with one query per table whatever the batch's size (ADR 0006)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ventanilla.declarations.facts import ITEM_FIELDS, declaration_facts, declaration_facts_many
from ventanilla.declarations.models import Declaration, Party
from ventanilla.declarations.tests.factories import DeclarationFactory, declaration_with_items

pytestmark = pytest.mark.django_db


def _facts_read_one_by_one(declaration: Declaration) -> dict[str, Any]:
    """The facts as they were read before batches, through the model's relations: the
    reference the batch must give field by field."""
    items = list(declaration.items.all())
    parties = {p.role: p for p in declaration.parties.all()}
    importer = parties.get("importer") or parties.get("exporter")
    header = (
        "declaration_type",
        "procedure_code",
        "office_code",
        "transport_mode",
        "loading_location",
        "discharge_location",
        "export_country",
        "destination_country",
        "invoice_currency",
        "is_perishable",
    )
    return {
        "id": declaration.pk,
        **{name: getattr(declaration, name) for name in header},
        "trader_code": declaration.trader.code,
        "declarant_code": declaration.declarant.code,
        "importer_identifier": importer.identifier if importer else "",
        "total_customs_value": sum((i.customs_value for i in items), Decimal("0")),
        "items": [{name: getattr(i, name) for name in ITEM_FIELDS} for i in items],
    }


def _variety() -> list[Declaration]:
    """Declarations that differ in every way the facts read."""
    several = declaration_with_items(3, item={"customs_value": Decimal("10.50")})
    copper = declaration_with_items(
        2,
        declaration_type="EX",
        export_country="PE",
        item={"hs_code": "740311", "tariff_line": "7403110000", "is_perishable": False},
    )
    Party.objects.filter(declaration=copper).update(role="exporter", identifier="20100000001")
    no_items = DeclarationFactory()  # no items, no parties
    both = declaration_with_items(1, trader=several.trader)
    Party.objects.create(declaration=both, role="exporter", name="Seller", identifier="X-1")
    declarations = [several, copper, no_items, both]
    declarations += [declaration_with_items(i % 3 + 1) for i in range(11)]
    return declarations


def _fresh(declarations: list[Declaration]) -> list[Declaration]:
    """The declarations as the orchestrator has them: read again, nothing loaded."""
    found = Declaration.objects.in_bulk([d.pk for d in declarations])
    return [found[d.pk] for d in declarations]


def test_the_batch_gives_the_facts_of_each_declaration() -> None:
    declarations = _variety()
    expected = {d.pk: _facts_read_one_by_one(d) for d in _fresh(declarations)}
    batch = declaration_facts_many(_fresh(declarations))
    assert list(batch) == [d.pk for d in declarations]
    assert batch == expected
    for d in _fresh(declarations):
        assert declaration_facts(d) == expected[d.pk]
    several, copper, no_items, both = (batch[d.pk] for d in declarations[:4])
    assert several["total_customs_value"] == Decimal("31.50")
    assert [i["sequence"] for i in several["items"]] == [1, 2, 3]
    assert copper["importer_identifier"] == "20100000001"  # the exporter, when no importer
    assert (no_items["items"], no_items["importer_identifier"]) == ([], "")
    assert no_items["total_customs_value"] == Decimal("0")
    assert both["importer_identifier"] == both["trader_code"]  # the importer comes first


def test_items_and_parties_already_prefetched_are_used() -> None:
    declarations = _variety()[:4]
    expected = {d.pk: _facts_read_one_by_one(d) for d in _fresh(declarations)}
    loaded = list(
        Declaration.objects.filter(pk__in=[d.pk for d in declarations])
        .select_related("trader", "declarant")
        .prefetch_related("items", "parties")
    )
    with CaptureQueriesContext(connection) as queries:
        batch = declaration_facts_many(loaded)
    assert len(queries) == 0
    assert batch == expected


def test_the_traders_and_declarants_stay_loaded_as_reading_them_would() -> None:
    declaration = _fresh([declaration_with_items()])[0]
    facts = declaration_facts(declaration)
    with CaptureQueriesContext(connection) as queries:
        codes = (declaration.trader.code, declaration.declarant.code)
    assert len(queries) == 0
    assert codes == (facts["trader_code"], facts["declarant_code"])


def test_the_queries_do_not_grow_with_the_batch() -> None:
    declarations = _variety()
    assert len(declarations) == 15
    one = _fresh(declarations[:1])
    with CaptureQueriesContext(connection) as queries:
        declaration_facts_many(one)
    single = len(queries)
    fifteen = _fresh(declarations)
    with CaptureQueriesContext(connection) as queries:
        declaration_facts_many(fifteen)
    assert len(queries) == single == 3  # items, parties, organisations
    assert declaration_facts_many([]) == {}
