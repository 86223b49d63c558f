"""Public reference data as JSON. ``name``/``description`` follow the request's language
(Accept-Language, via modeltranslation); the ``_en``/``_es`` fields give both."""

from __future__ import annotations

from rest_framework import serializers

from ventanilla.reference.models import (
    Country,
    Currency,
    CustomsOffice,
    DocumentType,
    HSCode,
    HSSection,
    Location,
    PackageType,
    TariffLine,
    UnitOfMeasure,
)

NAMES = ("name", "name_en", "name_es")
DATES = ("valid_from", "valid_to")


class HSCodeSerializer(serializers.ModelSerializer):
    display_code = serializers.CharField(read_only=True)

    class Meta:
        model = HSCode
        fields = ("code", "display_code", "level", "description", "parent_code", "section")


class HSSectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = HSSection
        fields = ("number", "position", *NAMES)


class TariffLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = TariffLine
        fields = (
            "code",
            "hs_code",
            "description",
            "description_en",
            "description_es",
            "supplementary_unit",
            *DATES,
        )


class HSCodeDetailSerializer(serializers.Serializer):
    """Reads a ``selectors.HSCodeDetail``: the node, its place in the tree and the
    national lines under it."""

    code = serializers.CharField(source="node.code")
    display_code = serializers.CharField(source="node.display_code")
    level = serializers.IntegerField(source="node.level")
    description = serializers.CharField(source="node.description")
    description_en = serializers.CharField(source="node.description_en")
    description_es = serializers.CharField(source="node.description_es", allow_null=True)
    # "parent" shadows Field.parent only for the type checker: DRF's metaclass moves
    # declared fields out of the class attributes.
    parent = serializers.CharField(source="node.parent_code", allow_blank=True)  # type: ignore[assignment]
    edition = serializers.CharField(source="node.edition.code")
    valid_from = serializers.DateField(source="node.valid_from")
    valid_to = serializers.DateField(source="node.valid_to", allow_null=True)
    section = HSSectionSerializer(allow_null=True)
    ancestors = HSCodeSerializer(many=True)
    children = HSCodeSerializer(many=True)
    tariff_lines = TariffLineSerializer(many=True)


class CountrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Country
        fields = ("code", "alpha3", "numeric", *NAMES, *DATES)


class CurrencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Currency
        fields = ("code", "numeric", *NAMES, "minor_units", *DATES)


class LocationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Location
        fields = (
            "unlocode",
            "country",
            "name",
            "name_ascii",
            "subdivision",
            "function",
            "status",
            "iata",
            "coordinates",
            "is_seaport",
            "is_rail",
            "is_road",
            "is_airport",
            "is_multimodal",
            "is_border_crossing",
            *DATES,
        )


class CustomsOfficeSerializer(serializers.ModelSerializer):
    class Meta:
        model = CustomsOffice
        fields = ("code", *NAMES, "unlocode", "country", *DATES)


class UnitOfMeasureSerializer(serializers.ModelSerializer):
    class Meta:
        model = UnitOfMeasure
        fields = ("code", *NAMES, "symbol", *DATES)


class PackageTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = PackageType
        fields = ("code", *NAMES, "is_bulk", *DATES)


class DocumentTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = DocumentType
        fields = ("code", *NAMES, "agency_function", *DATES)


class LocationQuerySerializer(serializers.Serializer):
    """Validates the query string so a typo in ``function`` is a 400, not all rows."""

    q = serializers.CharField(required=False, allow_blank=True, default="")
    country = serializers.RegexField(r"^[A-Za-z]{2}$", required=False, allow_blank=True, default="")
    function = serializers.ChoiceField(
        choices=("seaport", "airport", "rail", "road", "multimodal", "border_crossing"),
        required=False,
        allow_blank=True,
        default="",
    )
