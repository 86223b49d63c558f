"""Input and output shapes of the declaration, named after the WCO Data Model elements
(WCO ids in help texts) so a broker's system maps its fields once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ventanilla.declarations.choices import DeclarationType, PartyRole, TransportMode

MAX_ITEMS = 999  # WCO GovernmentAgencyGoodsItem 68A: 0..999


class PartyInput(serializers.Serializer):
    role = serializers.ChoiceField(choices=PartyRole.choices)
    name = serializers.CharField(max_length=200)
    identifier = serializers.CharField(max_length=17, required=False, allow_blank=True, default="")
    country = serializers.CharField(
        max_length=2, min_length=2, required=False, allow_blank=True, default=""
    )
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class DocumentRefInput(serializers.Serializer):
    type_code = serializers.CharField(max_length=6, help_text="WCO D006")
    reference = serializers.CharField(max_length=70, help_text="WCO D005")


class DocumentInput(DocumentRefInput):
    issued_on = serializers.DateField(required=False, allow_null=True, default=None)
    issuer = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ItemInput(serializers.Serializer):
    tariff_line = serializers.RegexField(
        r"^\d{8,10}$",
        max_length=12,
        help_text="WCO 145",
        error_messages={"invalid": _("Enter the 8 or 10 digit national tariff line.")},
    )
    description = serializers.CharField(max_length=512, help_text="WCO 137")
    origin_country = serializers.CharField(max_length=2, min_length=2, help_text="WCO 063")
    preference_code = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default=""
    )
    package_type = serializers.CharField(max_length=2, required=False, allow_blank=True, default="")
    package_count = serializers.IntegerField(min_value=0, required=False, default=0)
    gross_mass_kg = serializers.DecimalField(
        max_digits=14, decimal_places=3, min_value=Decimal("0")
    )
    net_mass_kg = serializers.DecimalField(max_digits=14, decimal_places=3, min_value=Decimal("0"))
    supplementary_quantity = serializers.DecimalField(
        max_digits=14, decimal_places=3, required=False, allow_null=True, default=None
    )
    customs_value = serializers.DecimalField(
        max_digits=16, decimal_places=2, min_value=Decimal("0"), help_text="WCO 108"
    )
    perishable = serializers.BooleanField(required=False, default=False)
    documents = DocumentRefInput(many=True, required=False, default=list)


class DeclarationInput(serializers.Serializer):
    lrn = serializers.CharField(max_length=35, help_text="WCO D026, the declarant's reference")
    declaration_type = serializers.ChoiceField(
        choices=DeclarationType.choices, help_text="WCO D013"
    )
    procedure_code = serializers.RegexField(r"^\d{4}$", help_text="WCO 166")
    previous_procedure_code = serializers.RegexField(
        r"^\d{2,4}$", required=False, allow_blank=True, default=""
    )
    office_code = serializers.CharField(max_length=17, help_text="WCO 065")
    transport_mode = serializers.ChoiceField(choices=TransportMode.choices, help_text="WCO T022")
    conveyance_ref = serializers.CharField(
        max_length=35, required=False, allow_blank=True, default=""
    )
    transport_document_ref = serializers.CharField(
        max_length=35, required=False, allow_blank=True, default=""
    )
    loading_location = serializers.CharField(
        max_length=5, required=False, allow_blank=True, default=""
    )
    discharge_location = serializers.CharField(
        max_length=5, required=False, allow_blank=True, default=""
    )
    entry_office_code = serializers.CharField(
        max_length=17, required=False, allow_blank=True, default=""
    )
    estimated_arrival = serializers.DateTimeField(required=False, allow_null=True, default=None)
    export_country = serializers.CharField(
        max_length=2, required=False, allow_blank=True, default=""
    )
    destination_country = serializers.CharField(
        max_length=2, required=False, allow_blank=True, default=""
    )
    incoterm = serializers.CharField(max_length=3, required=False, allow_blank=True, default="")
    invoice_currency = serializers.CharField(max_length=3, min_length=3)
    invoice_amount = serializers.DecimalField(
        max_digits=16, decimal_places=2, min_value=Decimal("0")
    )
    perishable = serializers.BooleanField(required=False, default=False)
    parties = PartyInput(many=True)
    items = ItemInput(many=True)
    documents = DocumentInput(many=True, required=False, default=list)

    def validate_items(self, value: list[Any]) -> list[Any]:
        if not value:
            raise serializers.ValidationError(
                _("A declaration needs at least one goods item."), code="items_required"
            )
        if len(value) > MAX_ITEMS:
            raise serializers.ValidationError(
                _("A declaration has at most %(n)s goods items.") % {"n": MAX_ITEMS},
                code="too_many_items",
            )
        return value


class BulkInput(serializers.Serializer):
    declarations = DeclarationInput(many=True)

    def validate_declarations(self, value: list[Any]) -> list[Any]:
        if not value:
            raise serializers.ValidationError(
                _("Send at least one declaration."), code="declarations_required"
            )
        if len(value) > 1000:
            raise serializers.ValidationError(
                _("Send at most 1,000 declarations at once."), code="too_many_declarations"
            )
        return value


class AmendInput(DeclarationInput):
    reason = serializers.CharField(max_length=500, help_text="WCO 099, reason for amendment")


class CancelInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500)
