"""Where a problem is: the steps, the input ids (anchors) and the words for a path.

The lowest module of the package: constants and pure functions of the content, no
form reading and no page building.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ventanilla.core.errors import ErrorItem
from ventanilla.declarations import rules

STEP_TITLES: dict[str, Promise] = {
    "type": _("Type of declaration"),
    "parties": _("Who is involved"),
    "transport": _("Transport and arrival"),
    "goods": _("Goods"),
    "documents": _("Invoice and documents"),
    "check": _("Check your answers"),
}

HEADER_STEP: dict[str, str] = {
    "lrn": "type",
    "declaration_type": "type",
    "procedure_code": "type",
    "previous_procedure_code": "type",
    "transport_mode": "transport",
    "conveyance_ref": "transport",
    "transport_document_ref": "transport",
    "loading_location": "transport",
    "discharge_location": "transport",
    "office_code": "transport",
    "entry_office_code": "transport",
    "estimated_arrival": "transport",
    "export_country": "transport",
    "destination_country": "transport",
    "parties": "parties",
    "items": "goods",
    "perishable": "goods",
    "invoice_currency": "documents",
    "invoice_amount": "documents",
    "incoterm": "documents",
    "documents": "documents",
}

INCOTERMS = ("EXW", "FCA", "FAS", "FOB", "CFR", "CIF", "CPT", "CIP", "DAP", "DPU", "DDP")
DECIMAL_ITEM_FIELDS = ("gross_mass_kg", "net_mass_kg", "customs_value", "supplementary_quantity")
# Rules that read the content as typed (codes and names): safe on a step's raw content.
STEP_RULES: tuple[rules.Rule, ...] = (
    rules.TariffLineInForce(),
    rules.CountryKnown(),
    rules.CurrencyKnown(),
    rules.LocationKnown(),
    rules.OfficeKnown(),
    rules.MainPartyPresent(),
    rules.PartyRoleOnce(),
    rules.MainPartyRegistered(),
    rules.DocumentOnce(),
    rules.ArrivalForPreArrival(),
)
# Rules on the items' numbers: run on the items once they are valid.
ITEM_RULES: tuple[rules.Rule, ...] = (
    rules.NetMassNotAboveGross(),
    rules.CustomsValuePositive(),
    rules.PackagesCounted(),
)


# --- parties: a role and its group (trader, partner, carrier, terminal, declarant) ----------


def trader_role(data: dict[str, Any]) -> str:
    return "exporter" if data.get("declaration_type") == "EX" else "importer"


def partner_role(data: dict[str, Any]) -> str:
    return "consignee" if data.get("declaration_type") == "EX" else "consignor"


def party_group(role: str) -> str:
    return {
        "importer": "trader",
        "exporter": "trader",
        "consignor": "partner",
        "consignee": "partner",
    }.get(role, role)


def party(data: dict[str, Any], group: str) -> dict[str, Any]:
    for row in data.get("parties") or []:
        if party_group(row.get("role", "")) == group:
            return dict(row)
    return {}


# --- paths, anchors and steps ---------------------------------------------------------------


def step_of(path: str | None) -> str:
    head = (path or "").split(".")[0]
    return HEADER_STEP.get(head, "check")


def anchor(path: str | None, data: dict[str, Any]) -> str:
    """The id of the input a problem at ``path`` belongs to (``f-items-0-tariff_line``)."""
    if not path:
        return ""
    parts = path.split(".")
    if parts[0] == "parties" and len(parts) > 1 and parts[1].isdigit():
        rows = data.get("parties") or []
        n = int(parts[1])
        group = party_group(rows[n].get("role", "")) if n < len(rows) else "trader"
        name = parts[2] if len(parts) > 2 else "identifier"
        if name == "role":
            name = "identifier"
        return f"f-parties-{group}-{name}"
    return "f-" + "-".join(parts)


FIELD_LABELS: dict[str, Promise] = {
    "lrn": _("Your reference (LRN)"),
    "declaration_type": _("Kind of declaration"),
    "procedure_code": _("Customs procedure"),
    "previous_procedure_code": _("Previous procedure"),
    "office_code": _("Customs office"),
    "transport_mode": _("Mode of transport"),
    "conveyance_ref": _("Vessel, flight or vehicle"),
    "transport_document_ref": _("Transport document"),
    "loading_location": _("Place of loading"),
    "discharge_location": _("Place of discharge"),
    "entry_office_code": _("Office of entry"),
    "estimated_arrival": _("Estimated arrival"),
    "export_country": _("Country of export"),
    "destination_country": _("Country of destination"),
    "incoterm": _("Incoterm"),
    "invoice_currency": _("Invoice currency"),
    "invoice_amount": _("Invoice total"),
    "identifier": _("Tax number (RUC)"),
    "name": _("Name"),
    "country": _("Country"),
    "address": _("Address"),
    "tariff_line": _("National tariff line"),
    "description": _("Description of the goods"),
    "origin_country": _("Country of origin"),
    "package_type": _("Kind of packages"),
    "package_count": _("Number of packages"),
    "gross_mass_kg": _("Gross mass (kg)"),
    "net_mass_kg": _("Net mass (kg)"),
    "customs_value": _("Value"),
    "supplementary_quantity": _("Supplementary quantity"),
    "type_code": _("Document type"),
    "reference": _("Document number"),
    "issued_on": _("Issued on"),
    "issuer": _("Issued by"),
    "parties": _("Parties"),
    "items": _("Goods"),
    "documents": _("Documents"),
}
GROUP_LABELS: dict[str, Promise] = {
    "trader": _("The trader"),
    "partner": _("The supplier or buyer abroad"),
    "carrier": _("The carrier"),
    "terminal": _("The terminal or warehouse"),
    "declarant": _("The declarant"),
}


def context_label(path: str, data: dict[str, Any]) -> str:
    """Where a problem is, in words: "Item 2, National tariff line"."""
    parts = (path or "").split(".")
    where = []
    if len(parts) > 1 and parts[1].isdigit():
        n = int(parts[1])
        if parts[0] == "items":
            where.append(str(_("Item %(n)s") % {"n": n + 1}))
            if len(parts) > 3 and parts[2] == "documents":
                where.append(str(_("document %(n)s") % {"n": int(parts[3]) + 1}))
        elif parts[0] == "documents":
            where.append(str(_("Document %(n)s") % {"n": n + 1}))
        elif parts[0] == "parties":
            rows = data.get("parties") or []
            group = party_group(rows[n].get("role", "")) if n < len(rows) else "trader"
            where.append(str(GROUP_LABELS.get(group, group)))
    label = FIELD_LABELS.get(parts[-1]) if parts and not parts[-1].isdigit() else None
    if label is not None and (not where or len(parts) > 2):
        where.append(str(label))
    return ", ".join(where)


@dataclass(frozen=True)
class Problem:
    """One problem with the content: the step and input it belongs to, and its message."""

    path: str
    message: str
    step: str
    anchor: str
    where: str = ""

    @property
    def summary(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


def problems_from(items: Iterable[ErrorItem], data: dict[str, Any]) -> list[Problem]:
    return [
        Problem(
            i.field or "",
            str(i.message),
            step_of(i.field),
            anchor(i.field, data),
            context_label(i.field or "", data),
        )
        for i in items
    ]


def flatten(errors: Any, prefix: str = "") -> list[tuple[str, str]]:
    """DRF's nested errors as (path, message) pairs."""
    out: list[tuple[str, str]] = []
    if isinstance(errors, dict):
        for key, value in errors.items():
            path = (
                prefix if key == "non_field_errors" else (f"{prefix}.{key}" if prefix else str(key))
            )
            out.extend(flatten(value, path))
    elif isinstance(errors, list):
        for n, value in enumerate(errors):
            if isinstance(value, dict | list):
                out.extend(flatten(value, f"{prefix}.{n}" if prefix else str(n)))
            else:
                out.append((prefix, str(value)))
    else:
        out.append((prefix, str(errors)))
    return out
