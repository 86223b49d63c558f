"""Factories for declarations: ``declaration_with_items(n=...)`` is the usual entry point.

The default is the project's reference story: a pre-arrival import of fresh avocados
(HS 0804.40) from Mexico, lodged by a customs broker for a trader, by sea into Callao.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from ventanilla.accounts.choices import OrganisationKind
from ventanilla.accounts.tests.factories import OrganisationFactory
from ventanilla.declarations.models import Declaration, Document, GoodsItem, Party


class DeclarationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Declaration

    lrn = factory.Sequence(lambda n: f"LRN-{n:06d}")
    declaration_type = "IM"
    procedure_code = "4000"
    trader = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.TRADER)
    declarant = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.BROKER)
    carrier = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.CARRIER)
    office_code = "PECLL0118"
    transport_mode = "1"
    conveyance_ref = "MSC ANDES 123E"
    transport_document_ref = factory.Sequence(lambda n: f"MSCUBL{n:08d}")
    loading_location = "MXZLO"
    discharge_location = "PECLL"
    entry_office_code = "PECLL0118"
    estimated_arrival = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=3))
    export_country = "MX"
    destination_country = "PE"
    incoterm = "FOB"
    invoice_currency = "USD"
    invoice_amount = Decimal("24000.00")
    status = "draft"


class GoodsItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GoodsItem

    declaration = factory.SubFactory(DeclarationFactory)
    sequence = factory.Sequence(lambda n: n + 1)
    tariff_line = "0804400000"
    hs_code = "080440"
    hs_edition = "2022"
    description = "Fresh Hass avocados, 10 kg cartons"
    origin_country = "MX"
    package_type = "CT"
    package_count = 1200
    gross_mass_kg = Decimal("12600.000")
    net_mass_kg = Decimal("12000.000")
    customs_value = Decimal("24000.00")
    is_perishable = True


def declaration_with_items(n: int = 1, **kwargs: Any) -> Declaration:
    item_kwargs = kwargs.pop("item", {})
    declaration = DeclarationFactory(**kwargs)
    for seq in range(1, n + 1):
        GoodsItemFactory(declaration=declaration, sequence=seq, **item_kwargs)
    Party.objects.create(
        declaration=declaration,
        role="importer",
        name=declaration.trader.name,
        identifier=declaration.trader.code,
        country="PE",
    )
    invoice = Document.objects.create(
        declaration=declaration, type_code="N380", reference=f"INV-{declaration.lrn}"
    )
    invoice.items.set(declaration.items.all())
    if declaration.items.filter(is_perishable=True).exists():
        declaration.is_perishable = True
        declaration.save(update_fields=["is_perishable"])
    return declaration
