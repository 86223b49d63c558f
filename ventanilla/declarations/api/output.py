"""Output shapes. The channel is an officer's information: it is left out for the trader
side (ui-principles: risk details are never shown to the trader)."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from rest_framework import serializers

from ventanilla.declarations.choices import Status
from ventanilla.declarations.models import Declaration, Document, GoodsItem, Party


class PartyOut(serializers.ModelSerializer):
    class Meta:
        model = Party
        fields = ["role", "name", "identifier", "country", "address"]


class DocumentOut(serializers.ModelSerializer):
    class Meta:
        model = Document
        fields = ["type_code", "reference", "issued_on", "issuer"]


class ItemOut(serializers.ModelSerializer):
    class Meta:
        model = GoodsItem
        fields = [
            "sequence",
            "tariff_line",
            "hs_code",
            "hs_edition",
            "description",
            "origin_country",
            "preference_code",
            "package_type",
            "package_count",
            "gross_mass_kg",
            "net_mass_kg",
            "supplementary_quantity",
            "supplementary_unit",
            "customs_value",
            "is_perishable",
        ]


class StatusLabel(serializers.CharField):
    """The status in the reader's language. ``get_status_display`` rebuilds the model's
    choices on every call (a third of a bulk answer's time); the enum's label does not."""

    def to_representation(self, value: Any) -> str:
        return str(Status(value).label)


class DeclarationSummaryOut(serializers.ModelSerializer):
    status_label = StatusLabel(source="status")
    trader = serializers.CharField(source="trader.name")
    declarant = serializers.CharField(source="declarant.name")

    class Meta:
        model = Declaration
        fields = [
            "id",
            "mrn",
            "lrn",
            "version",
            "declaration_type",
            "procedure_code",
            "status",
            "status_label",
            "trader",
            "declarant",
            "office_code",
            "conveyance_ref",
            "transport_document_ref",
            "estimated_arrival",
            "arrived_at",
            "released_at",
            "is_perishable",
            "lodged_at",
            "accepted_at",
        ]


class DeclarationOut(DeclarationSummaryOut):
    parties = PartyOut(many=True)
    items = ItemOut(many=True)
    documents = DocumentOut(many=True)
    channel = serializers.SerializerMethodField()

    class Meta(DeclarationSummaryOut.Meta):
        fields = [
            *DeclarationSummaryOut.Meta.fields,
            "transport_mode",
            "loading_location",
            "discharge_location",
            "entry_office_code",
            "export_country",
            "destination_country",
            "incoterm",
            "invoice_currency",
            "invoice_amount",
            "channel",
            "parties",
            "items",
            "documents",
        ]

    def get_channel(self, declaration: Declaration) -> Any:
        return None if self.context.get("trader_side", True) else declaration.channel or None


@functools.cache
def _built(serializer_class: type[serializers.Serializer], trader_side: bool) -> Any:
    """One serializer per class and audience, its fields built once per process. DRF
    builds a ModelSerializer's fields again for every instance (a fifth of a lodgement's
    time went there); representing with fields already built keeps no state between
    calls, so the one serializer serves every request and thread."""
    serializer = serializer_class(context={"trader_side": trader_side})
    serializer.fields  # noqa: B018 — built here, once, not lazily by concurrent threads
    return serializer


def represent(
    serializer_class: type[serializers.Serializer], instance: Any, *, trader_side: bool = True
) -> dict[str, Any]:
    """``serializer_class(instance, context={"trader_side": ...}).data``, without
    rebuilding the fields."""
    return dict(_built(serializer_class, trader_side).to_representation(instance))


def represent_many(
    serializer_class: type[serializers.Serializer],
    instances: Iterable[Any],
    *,
    trader_side: bool = True,
) -> list[dict[str, Any]]:
    serializer = _built(serializer_class, trader_side)
    return [dict(serializer.to_representation(x)) for x in instances]
