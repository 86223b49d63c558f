"""Output shapes. The channel is an officer's information: it is left out for the trader
side (ui-principles: risk details are never shown to the trader)."""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models.manager import BaseManager
from rest_framework import serializers
from rest_framework.fields import SkipField

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
    trader = serializers.CharField(source="trader.label")
    declarant = serializers.CharField(source="declarant.label")

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


# (field name, getter or None for DRF's reading, to_representation, nested serializer)
Step = tuple[str, Any, Any, "type[serializers.Serializer] | None"]


@functools.cache
def _plan(serializer_class: type[serializers.Serializer], trader_side: bool) -> list[Step]:
    """For each readable field: its name, how to read its value and how to represent it.
    Plain fields read their source with ``attrgetter`` and call the field's own
    ``to_representation``; nested lists are planned in turn; anything else (method
    fields, sources DRF resolves in its own way) keeps DRF's path. DRF's per-field
    machinery was half the time of representing a bulk answer."""
    serializer = _built(serializer_class, trader_side)
    plan: list[Step] = []
    for field in serializer._readable_fields:
        name, child = str(field.field_name), getattr(field, "child", None)
        if isinstance(field, serializers.ListSerializer) and isinstance(
            child, serializers.ModelSerializer
        ):
            plan.append((name, operator.attrgetter(str(field.source)), None, type(child)))
        elif isinstance(field, (serializers.SerializerMethodField, serializers.BaseSerializer)) or (
            field.source == "*"
        ):
            plan.append((name, None, None, None))
        else:
            getter = operator.attrgetter(".".join(field.source_attrs))
            plan.append((name, getter, field.to_representation, None))
    return plan


def _represent(
    serializer_class: type[serializers.Serializer], instance: Any, trader_side: bool
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    fields = _built(serializer_class, trader_side).fields
    for name, getter, how, nested in _plan(serializer_class, trader_side):
        value = _read(getter, instance)
        if value is _DRF:
            try:
                attribute = fields[name].get_attribute(instance)
            except SkipField:
                continue
            out[name] = None if attribute is None else fields[name].to_representation(attribute)
        elif nested is not None:
            rows = value.all() if isinstance(value, BaseManager) else value
            out[name] = [_represent(nested, row, trader_side) for row in rows]
        else:
            out[name] = None if value is None else how(value)
    return out


_DRF = object()


def _read(getter: Any, instance: Any) -> Any:
    """The field's value, or ``_DRF`` where DRF's own reading is needed: no plain getter,
    a callable (DRF calls it), or a failed read (DRF knows defaults and missing
    relations)."""
    if getter is None:
        return _DRF
    try:
        value = getter(instance)
    except (AttributeError, ObjectDoesNotExist):
        return _DRF
    return _DRF if callable(value) and not isinstance(value, BaseManager) else value


def represent(
    serializer_class: type[serializers.Serializer], instance: Any, *, trader_side: bool = True
) -> dict[str, Any]:
    """``serializer_class(instance, context={"trader_side": ...}).data``, without
    rebuilding the fields nor going through DRF's per-field machinery."""
    return _represent(serializer_class, instance, trader_side)


def represent_many(
    serializer_class: type[serializers.Serializer],
    instances: Iterable[Any],
    *,
    trader_side: bool = True,
) -> list[dict[str, Any]]:
    return [_represent(serializer_class, x, trader_side) for x in instances]
