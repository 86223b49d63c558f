"""The vocabulary of risk criteria: which declaration facts a condition may test, and
with which operators. Shared by the validation rules and the engine (pure data, no DB).

The fields are the TFA 7.4 criteria that a declaration carries: HS code, description,
origin, country of shipment, value, the trader's record and the means of transport.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Level(StrEnum):
    HEADER = "header"
    ITEM = "item"


class Kind(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    BOOL = "bool"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    level: Level
    kind: Kind
    label: Promise


def _spec(name: str, level: Level, kind: Kind, label: Promise) -> tuple[str, FieldSpec]:
    return name, FieldSpec(name, level, kind, label)


HEAD, ITEM = Level.HEADER, Level.ITEM
TEXT, NUM, BOOL = Kind.TEXT, Kind.NUMBER, Kind.BOOL

FIELDS: dict[str, FieldSpec] = dict(
    [
        # Header facts (declarations.facts.declaration_facts).
        _spec("declaration_type", HEAD, TEXT, _("declaration type")),
        _spec("procedure_code", HEAD, TEXT, _("procedure")),
        _spec("office_code", HEAD, TEXT, _("office")),
        _spec("transport_mode", HEAD, TEXT, _("transport mode")),
        _spec("loading_location", HEAD, TEXT, _("place of loading")),
        _spec("discharge_location", HEAD, TEXT, _("place of discharge")),
        _spec("export_country", HEAD, TEXT, _("country of export")),
        _spec("destination_country", HEAD, TEXT, _("country of destination")),
        _spec("invoice_currency", HEAD, TEXT, _("invoice currency")),
        _spec("trader_code", HEAD, TEXT, _("trader")),
        _spec("declarant_code", HEAD, TEXT, _("declarant")),
        _spec("total_customs_value", HEAD, NUM, _("total customs value")),
        _spec("is_perishable", HEAD, BOOL, _("perishable")),
        # Compliance record (TFA 7.4 "compliance record"), added by the risk service.
        _spec("trader_prior_declarations", HEAD, NUM, _("trader's previous declarations")),
        _spec("declarant_prior_declarations", HEAD, NUM, _("declarant's previous declarations")),
        # Item facts.
        _spec("hs_code", ITEM, TEXT, _("HS code")),
        _spec("tariff_line", ITEM, TEXT, _("tariff line")),
        _spec("origin_country", ITEM, TEXT, _("origin")),
        _spec("description", ITEM, TEXT, _("description")),
        _spec("preference_code", ITEM, TEXT, _("preference")),
        _spec("customs_value", ITEM, NUM, _("customs value")),
        _spec("gross_mass_kg", ITEM, NUM, _("gross mass (kg)")),
        _spec("net_mass_kg", ITEM, NUM, _("net mass (kg)")),
        # Derived by the engine: customs value per kg of net mass (undervaluation).
        _spec("value_per_kg", ITEM, NUM, _("value per kg")),
    ]
)

# Operators per kind of field. "startswith" and "contains" take one text or a list and
# hold when any entry matches.
OPS_BY_KIND: dict[Kind, frozenset[str]] = {
    Kind.TEXT: frozenset({"eq", "ne", "in", "not_in", "startswith", "contains"}),
    Kind.NUMBER: frozenset({"eq", "ne", "gt", "gte", "lt", "lte"}),
    Kind.BOOL: frozenset({"eq", "ne"}),
}
OPS: frozenset[str] = frozenset().union(*OPS_BY_KIND.values())
LIST_OPS = frozenset({"in", "not_in"})
ANY_OF_OPS = frozenset({"startswith", "contains"})

MAX_CONDITIONS = 50
MAX_VALUES = 500
