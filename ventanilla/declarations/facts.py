"""The facts of a declaration as plain data, for rules that other apps evaluate
(risk profiles, the agency requirement matrix, duties). Decoupling by data keeps those
apps from depending on this app's model internals."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from ventanilla.accounts.models import Organisation
from ventanilla.declarations.models import Declaration, GoodsItem, Party

# The item facts, in the order the rules see them.
ITEM_FIELDS = (
    "sequence",
    "hs_code",
    "tariff_line",
    "description",
    "origin_country",
    "preference_code",
    "customs_value",
    "gross_mass_kg",
    "net_mass_kg",
    "supplementary_quantity",
    "is_perishable",
)
# The party whose identifier the rules test: the importer, else the exporter.
_PARTY_ROLES = ("importer", "exporter")


def declaration_facts(declaration: Declaration) -> dict[str, Any]:
    return declaration_facts_many([declaration])[declaration.pk]


def _prefetched(declaration: Declaration, name: str) -> list[Any] | None:
    cache = getattr(declaration, "_prefetched_objects_cache", {})
    return list(cache[name]) if name in cache else None


def _items(declarations: Sequence[Declaration]) -> dict[int, list[dict[str, Any]]]:
    """Each declaration's items by sequence: one query for the batch (items a caller
    already prefetched are used as they are)."""
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    wanted = []
    for d in declarations:
        cached = _prefetched(d, "items")
        if cached is None:
            wanted.append(d.pk)
        else:
            found[d.pk] = [{name: getattr(i, name) for name in ITEM_FIELDS} for i in cached]
    if wanted:
        rows = (
            GoodsItem.objects.filter(declaration_id__in=wanted)
            .order_by("declaration_id", "sequence")
            .values("declaration_id", *ITEM_FIELDS)
        )
        for row in rows:
            found[row.pop("declaration_id")].append(row)
    return found


def _importers(declarations: Sequence[Declaration]) -> dict[int, str]:
    """The importer's (else the exporter's) identifier of each declaration: one query."""
    roles: dict[int, dict[str, str]] = defaultdict(dict)
    wanted = []
    for d in declarations:
        cached = _prefetched(d, "parties")
        if cached is None:
            wanted.append(d.pk)
        else:
            roles[d.pk] = {p.role: p.identifier for p in cached}
    if wanted:
        rows = (
            Party.objects.filter(declaration_id__in=wanted, role__in=_PARTY_ROLES)
            .order_by()
            .values_list("declaration_id", "role", "identifier")
        )
        for declaration_id, role, identifier in rows:
            roles[declaration_id][role] = identifier
    return {
        pk: next((by_role[r] for r in _PARTY_ROLES if r in by_role), "")
        for pk, by_role in roles.items()
    }


def _load_organisations(declarations: Sequence[Declaration]) -> None:
    """Load the traders and declarants not loaded yet, in one query, onto the
    declarations (as reading ``declaration.trader`` would, so later reads are free)."""
    fields = (Declaration.trader.field, Declaration.declarant.field)  # type: ignore[attr-defined]
    missing = [(d, f) for d in declarations for f in fields if not f.is_cached(d)]
    if not missing:
        return
    found = Organisation.objects.in_bulk({getattr(d, f.attname) for d, f in missing})
    for d, f in missing:
        f.set_cached_value(d, found[getattr(d, f.attname)])


def declaration_facts_many(declarations: Sequence[Declaration]) -> dict[int, dict[str, Any]]:
    """``declaration_facts`` of each declaration, by id: one query per table for the
    whole batch (items, parties, and the traders and declarants not loaded yet)."""
    if not declarations:
        return {}
    items, importers = _items(declarations), _importers(declarations)
    _load_organisations(declarations)
    return {
        d.pk: {
            "id": d.pk,
            "declaration_type": d.declaration_type,
            "procedure_code": d.procedure_code,
            "office_code": d.office_code,
            "transport_mode": d.transport_mode,
            "loading_location": d.loading_location,
            "discharge_location": d.discharge_location,
            "export_country": d.export_country,
            "destination_country": d.destination_country,
            "trader_code": d.trader.code,
            "declarant_code": d.declarant.code,
            "importer_identifier": importers.get(d.pk, ""),
            "invoice_currency": d.invoice_currency,
            "total_customs_value": sum(
                (i["customs_value"] for i in items.get(d.pk, [])), Decimal("0")
            ),
            "is_perishable": d.is_perishable,
            "items": items.get(d.pk, []),
        }
        for d in declarations
    }
