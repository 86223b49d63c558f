"""Lodgement services: all-or-nothing, every error at once, LRN idempotency, versions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction

from ventanilla.audit.models import AuditEvent
from ventanilla.core import bulk
from ventanilla.core.errors import BusinessError, ConflictError
from ventanilla.declarations import services
from ventanilla.declarations.api.serializers import DeclarationInput
from ventanilla.declarations.models import (
    Declaration,
    DeclarationVersion,
    GoodsItem,
    MilestoneEvent,
    Party,
    StatusChange,
)
from ventanilla.declarations.mrn import check_character
from ventanilla.declarations.tests.conftest import payload
from ventanilla.declarations.tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db


def valid(data: dict[str, Any]) -> dict[str, Any]:
    serializer = DeclarationInput(data=data)
    assert serializer.is_valid(), serializer.errors
    return serializer.validated_data


def test_tfa_7_1_pre_arrival_lodgement_is_accepted_with_mrn(reference, parties):
    lodged = services.declaration_lodge(
        data=valid(payload(items=3)), declarant=parties["broker"], by=parties["broker_user"]
    )
    d = lodged.declaration
    assert lodged.created
    assert d.status == "accepted"
    assert d.arrived_at is None and d.estimated_arrival is not None
    assert len(d.mrn) == 18 and d.mrn[:2].isdigit() and d.mrn[2:4] == "PE"
    assert check_character(d.mrn[:-1]) == d.mrn[-1]
    assert d.trader == parties["trader"] and d.carrier == parties["carrier"]
    assert d.is_perishable  # fresh avocados, HS 0804.40 (TFA 7.9)
    assert list(d.items.values_list("sequence", "hs_code")) == [
        (1, "080440"),
        (2, "080440"),
        (3, "080440"),
    ]
    assert d.documents.count() == 4  # the invoice and three phytosanitary certificates
    assert d.items.get(sequence=2).documents.get().reference == "MX-PHYTO-2"
    assert list(
        StatusChange.objects.filter(declaration=d).values_list("from_status", "to_status")
    ) == [("draft", "lodged"), ("lodged", "accepted")]
    assert set(
        MilestoneEvent.objects.filter(declaration=d).values_list("milestone", flat=True)
    ) == {"lodgement", "acceptance"}
    assert AuditEvent.objects.filter(verb="declaration.lodged").count() == 1


def test_every_error_at_once_with_field_paths_and_nothing_stored(reference, parties):
    data = payload(items=2, invoice_currency="XXX", export_country="ZZ")
    data["items"][1]["tariff_line"] = "9999999999"
    data["items"][1]["net_mass_kg"] = "20000"
    data["items"][0]["origin_country"] = "QQ"
    data["parties"][0]["identifier"] = "NOT-REGISTERED"
    with pytest.raises(BusinessError) as err:
        services.declaration_lodge(data=valid(data), declarant=parties["broker"], by=None)
    assert sorted((e.code, e.field) for e in err.value.items) == [
        ("country_unknown", "export_country"),
        ("country_unknown", "items.0.origin_country"),
        ("currency_unknown", "invoice_currency"),
        ("net_mass_above_gross", "items.1.net_mass_kg"),
        ("tariff_line_unknown", "items.1.tariff_line"),
        ("trader_not_registered", "parties.0.identifier"),
    ]
    assert Declaration.objects.count() == 0 and GoodsItem.objects.count() == 0
    assert AuditEvent.objects.filter(verb="declaration.lodged").count() == 0


def test_same_lrn_same_content_returns_the_first(reference, parties):
    data = payload()
    first = services.declaration_lodge(data=valid(data), declarant=parties["broker"], by=None)
    again = services.declaration_lodge(data=valid(data), declarant=parties["broker"], by=None)
    assert again.declaration.pk == first.declaration.pk and not again.created
    assert Declaration.objects.count() == 1


def test_same_lrn_other_content_is_refused(reference, parties):
    services.declaration_lodge(data=valid(payload()), declarant=parties["broker"], by=None)
    with pytest.raises(BusinessError) as err:
        services.declaration_lodge(
            data=valid(payload(incoterm="CIF")), declarant=parties["broker"], by=None
        )
    assert [(e.code, e.field) for e in err.value.items] == [("lrn_already_used", "lrn")]
    assert err.value.http_status == 409


def test_bulk_is_all_or_nothing_with_indexed_paths(reference, parties):
    rows = [valid(payload(lrn=f"B-{n}", items=2)) for n in range(3)]
    rows[2]["items"][0]["tariff_line"] = "0000000000"
    with pytest.raises(BusinessError) as err:
        services.declarations_lodge(rows=rows, declarant=parties["broker"], by=None)
    assert [(e.code, e.field) for e in err.value.items] == [
        ("tariff_line_unknown", "declarations.2.items.0.tariff_line")
    ]
    assert Declaration.objects.count() == 0
    rows[2]["items"][0]["tariff_line"] = "0804400000"
    lodged = services.declarations_lodge(rows=rows, declarant=parties["broker"], by=None)
    assert [x.created for x in lodged] == [True, True, True]
    assert GoodsItem.objects.count() == 6
    assert len({x.declaration.mrn for x in lodged}) == 3


def test_amend_keeps_previous_version(reference, parties):
    original = payload()
    d = services.declaration_lodge(
        data=valid(original), declarant=parties["broker"], by=None
    ).declaration
    changed = {**original, "items": [dict(original["items"][0])]}
    changed["items"][0]["customs_value"] = "25000.00"
    amended = services.declaration_amend(
        declaration=d, data=valid(changed), reason="Corrected invoice value", by=None
    )
    assert amended.version == 2
    assert amended.items.get().customs_value == Decimal("25000.00")
    old = DeclarationVersion.objects.get(declaration=d)
    assert old.version == 1 and old.content["items"][0]["customs_value"] == "24000.00"
    assert old.reason == "Corrected invoice value"
    # A retried amendment changes nothing.
    services.declaration_amend(declaration=amended, data=valid(changed), reason="again", by=None)
    assert DeclarationVersion.objects.filter(declaration=d).count() == 1


def test_cancel_then_no_amendment(reference, parties):
    d = services.declaration_lodge(
        data=valid(payload()), declarant=parties["broker"], by=None
    ).declaration
    services.declaration_cancel(declaration=d, reason="Order cancelled", by=None)
    services.declaration_cancel(declaration=d, reason="Order cancelled", by=None)  # idempotent
    d.refresh_from_db()
    assert d.status == "cancelled"
    assert StatusChange.objects.filter(declaration=d, to_status="cancelled").count() == 1
    with pytest.raises(ConflictError):
        services.declaration_amend(declaration=d, data=valid(payload()), reason="x", by=None)


def test_a_lodged_declaration_comes_back_with_its_children_as_stored(
    reference, parties, django_assert_num_queries
):
    """The parties, items and documents just written are left on the declaration (ADR
    0006): the facts and the answer use them, and they must be what reading the
    declaration back gives."""
    from ventanilla.declarations.api.output import DeclarationOut, represent
    from ventanilla.declarations.facts import declaration_facts

    data = valid(payload(items=3))
    data["parties"].append(
        {**data["parties"][0], "role": "consignor", "identifier": "", "address": "Calle 1"}
    )
    lodged = services.declaration_lodge(
        data=data, declarant=parties["broker"], by=parties["broker_user"]
    ).declaration
    with django_assert_num_queries(0):
        kept = (represent(DeclarationOut, lodged), declaration_facts(lodged))
        ids = [
            sorted(x.pk for x in getattr(lodged, name).all())
            for name in ("parties", "items", "documents")
        ]
    fresh = Declaration.objects.select_related("trader", "declarant", "carrier").get(pk=lodged.pk)
    assert kept == (represent(DeclarationOut, fresh), declaration_facts(fresh))
    # In the order given, as reading them back gives them.
    assert [p["role"] for p in kept[0]["parties"]] == [p["role"] for p in data["parties"]]
    assert ids == [
        sorted(x.pk for x in getattr(fresh, name).all())
        for name in ("parties", "items", "documents")
    ]
    assert len(ids[0]) == len(data["parties"]) and len(ids[1]) == 3 and ids[2]
    # Anything but the whole list still reads the database.
    assert list(lodged.items.filter(sequence=2).values_list("sequence", flat=True)) == [2]
    # The items cite their documents by the ids drawn before the insert.
    cited = {d.pk for item in fresh.items.all() for d in item.documents.all()}
    assert cited and cited <= set(ids[2])


def test_bulk_lodgement_leaves_no_children_loaded(reference, parties):
    """A bulk lodgement neither assesses nor answers with the children: it does not pay
    for building them."""
    lodged = services.declarations_lodge(
        rows=[valid(payload(lrn="B-1")), valid(payload(lrn="B-2"))],
        declarant=parties["broker"],
        by=parties["broker_user"],
    )
    assert all(not getattr(x.declaration, "_prefetched_objects_cache", {}) for x in lodged)


def test_core_bulk_saved_instances_answer_the_relation_without_a_query(django_assert_num_queries):
    """core.bulk's instances of rows just written, left as a relation's prefetched rows
    (tested here: core has no relation of its own)."""
    declaration = DeclarationFactory()
    with transaction.atomic():
        (pk,) = bulk.reserve_ids(Party, 1)
        rows = [{"id": pk, "declaration_id": declaration.pk, "role": "importer", "name": "A"}]
        bulk.insert_rows(Party, rows)
    (party,) = bulk.as_saved(Party, rows)
    assert not party._state.adding and party.country == ""  # the model's default
    bulk.attach_prefetched(declaration, "parties", [party])
    with django_assert_num_queries(0):
        assert list(declaration.parties.all()) == [party]
    # Anything but the whole list still reads the database.
    assert list(declaration.parties.filter(role="importer").values_list("pk", flat=True)) == [pk]
    fresh = Declaration.objects.get(pk=declaration.pk).parties.get()
    assert (fresh.pk, fresh.role, fresh.name, fresh.country) == (pk, "importer", "A", "")
