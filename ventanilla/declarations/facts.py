"""The facts of a declaration as plain data, for rules that other apps evaluate
(risk profiles, the agency requirement matrix, duties). Decoupling by data keeps those
apps from depending on this app's model internals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ventanilla.declarations.models import Declaration


def declaration_facts(declaration: Declaration) -> dict[str, Any]:
    items = list(declaration.items.all())
    parties = {p.role: p for p in declaration.parties.all()}
    importer = parties.get("importer") or parties.get("exporter")
    return {
        "id": declaration.pk,
        "declaration_type": declaration.declaration_type,
        "procedure_code": declaration.procedure_code,
        "office_code": declaration.office_code,
        "transport_mode": declaration.transport_mode,
        "loading_location": declaration.loading_location,
        "discharge_location": declaration.discharge_location,
        "export_country": declaration.export_country,
        "destination_country": declaration.destination_country,
        "trader_code": declaration.trader.code,
        "declarant_code": declaration.declarant.code,
        "importer_identifier": importer.identifier if importer else "",
        "invoice_currency": declaration.invoice_currency,
        "total_customs_value": sum((i.customs_value for i in items), Decimal("0")),
        "is_perishable": declaration.is_perishable,
        "items": [
            {
                "sequence": i.sequence,
                "hs_code": i.hs_code,
                "tariff_line": i.tariff_line,
                "description": i.description,
                "origin_country": i.origin_country,
                "preference_code": i.preference_code,
                "customs_value": i.customs_value,
                "gross_mass_kg": i.gross_mass_kg,
                "net_mass_kg": i.net_mass_kg,
                "supplementary_quantity": i.supplementary_quantity,
                "is_perishable": i.is_perishable,
            }
            for i in items
        ],
    }
