"""Output shapes. The channel is an officer's information: it is left out for the trader
side (ui-principles: risk details are never shown to the trader)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

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


class DeclarationSummaryOut(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display")
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
