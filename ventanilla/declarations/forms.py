"""The question pages of a declaration and the small forms around it.

A step page posts plain fields named after the input shape (``lrn``,
``items-0-tariff_line``, ``parties-trader-identifier``…); ``parse_step`` writes them
into the draft's content as typed, and ``step_errors`` checks the step with the same
``DeclarationInput`` serializer and the same rules as the lodgement, keeping only the
problems of that step. Every problem carries the id of its input, so the error summary
links to it and the message shows beside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ventanilla.accounts.forms import UswdsMixin
from ventanilla.core.errors import ErrorItem
from ventanilla.declarations import rules
from ventanilla.declarations.api.serializers import DeclarationInput, ItemInput
from ventanilla.declarations.choices import DeclarationType, Status, TransportMode
from ventanilla.declarations.drafts import STEPS, empty_item
from ventanilla.declarations.selectors import registered_party
from ventanilla.reference import selectors as reference

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


# --- parties: one group of inputs per role ------------------------------------------------


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


# --- the content as typed -> the input shape ----------------------------------------------


def number(text: Any) -> str:
    """A number as typed, in either language's style (12,600.50 or 12.600,50)."""
    value = re.sub(r"[\s\u00a0']", "", str(text or ""))
    if "," in value and "." in value:
        decimal = "," if value.rfind(",") > value.rfind(".") else "."
        value = value.replace("." if decimal == "," else ",", "").replace(",", ".")
    elif "," in value:
        value = value.replace(",", ".")
    return value


def to_input(data: dict[str, Any]) -> dict[str, Any]:
    """The draft's content as ``DeclarationInput`` reads it: blanks of optional values
    left out (their default applies) and numbers in one style."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        out[key] = value.strip() if isinstance(value, str) else value
    out["estimated_arrival"] = out.get("estimated_arrival") or None
    out["invoice_amount"] = number(out.get("invoice_amount"))
    items = []
    for item in data.get("items") or []:
        row: dict[str, Any] = {k: (v.strip() if isinstance(v, str) else v) for k, v in item.items()}
        for name in DECIMAL_ITEM_FIELDS:
            row[name] = number(row.get(name))
        if not row.get("supplementary_quantity"):
            row["supplementary_quantity"] = None
        if row.get("package_count") in ("", None):
            row.pop("package_count", None)
        row["documents"] = [
            d for d in row.get("documents") or [] if d.get("type_code") or d.get("reference")
        ]
        items.append(row)
    out["items"] = items
    out["documents"] = [
        {**d, "issued_on": d.get("issued_on") or None} for d in data.get("documents") or []
    ]
    return out


def validated(data: dict[str, Any]) -> tuple[dict[str, Any] | None, list[Problem]]:
    serializer = DeclarationInput(data=to_input(data))
    if serializer.is_valid():
        return dict(serializer.validated_data), []
    return None, [
        Problem(path, message, step_of(path), anchor(path, data), context_label(path, data))
        for path, message in flatten(serializer.errors)
    ]


def trader_codes(data: dict[str, Any]) -> set[str]:
    codes = {p.get("identifier", "") for p in data.get("parties") or []}
    return {c for c in codes if registered_party(code=c, kinds=("trader",))}


def step_errors(step: str, data: dict[str, Any]) -> list[Problem]:
    """The problems of one step: the serializer's and the reference rules', the step's
    only (later steps may still be blank)."""
    _valid, found = validated(data)
    raw = to_input(data)
    try:
        ctx = rules.Context.build(raw, trader_codes(data))
        found += problems_from((e for r in STEP_RULES for e in r.check(ctx)), data)
    except (KeyError, TypeError, AttributeError):  # content not yet in shape for the rules
        pass
    if step == "goods":
        items = ItemInput(data=raw["items"], many=True)
        if items.is_valid():
            ctx = rules.Context(data={"items": items.validated_data})
            found += problems_from((e for r in ITEM_RULES for e in r.check(ctx)), data)
    seen: set[tuple[str, str]] = set()
    mine = []
    for problem in found:
        key = (problem.anchor, problem.message)
        if problem.step == step and key not in seen:
            seen.add(key)
            mine.append(problem)
    return mine


# --- reading a step's POST into the content ------------------------------------------------


def _text(post: Any, name: str, limit: int = 600) -> str:
    return str(post.get(name, "")).strip()[:limit]


def _rows(
    post: Any, prefix: str, names: tuple[str, ...], upper: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """Numbered rows ``prefix-N-name`` in order, blank rows left out."""
    numbers = sorted(
        {
            int(m.group(1))
            for key in post
            if (m := re.fullmatch(rf"{re.escape(prefix)}-(\d+)-\w+", key))
        }
    )
    rows = []
    for n in numbers:
        row = {name: _text(post, f"{prefix}-{n}-{name}") for name in names}
        for name in upper:
            row[name] = row[name].upper()
        if any(row.values()):
            rows.append(row)
    return rows


def parse_step(step: str, post: Any, data: dict[str, Any], declarant: Any) -> dict[str, Any]:
    """The content with this step's answers written in, as typed."""
    data = dict(data)
    if step == "type":
        for name in ("lrn", "procedure_code", "previous_procedure_code"):
            data[name] = _text(post, name, 35)
        kind = _text(post, "declaration_type")
        data["declaration_type"] = kind if kind in DeclarationType.values else ""
        # The trader's and partner's roles follow the type.
        parties = []
        for row in data.get("parties") or []:
            group = party_group(row.get("role", ""))
            role = {"trader": trader_role(data), "partner": partner_role(data)}.get(
                group, row.get("role", "")
            )
            parties.append({**row, "role": role})
        data["parties"] = parties
    elif step == "parties":
        data["parties"] = _parties(post, data, declarant)
    elif step == "transport":
        for name in ("conveyance_ref", "transport_document_ref", "estimated_arrival"):
            data[name] = _text(post, name, 35)
        for name in (
            "loading_location",
            "discharge_location",
            "office_code",
            "export_country",
            "destination_country",
        ):
            data[name] = _text(post, name, 17).upper()
        mode = _text(post, "transport_mode")
        data["transport_mode"] = mode if mode in TransportMode.values else ""
    elif step == "goods":
        data["items"] = _items(post)
        data["perishable"] = any(i["perishable"] for i in data["items"])
    elif step == "documents":
        data["invoice_currency"] = _text(post, "invoice_currency", 3).upper()
        data["invoice_amount"] = _text(post, "invoice_amount", 30)
        data["incoterm"] = _text(post, "incoterm", 3).upper()
        data["documents"] = _rows(
            post,
            "documents",
            ("type_code", "reference", "issued_on", "issuer"),
            upper=("type_code",),
        )
    return data


def _parties(post: Any, data: dict[str, Any], declarant: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    trader = {
        "role": trader_role(data),
        "identifier": _text(post, "parties-trader-identifier", 17),
        "name": _text(post, "parties-trader-name", 200),
        "country": "",
        "address": "",
    }
    found = registered_party(code=trader["identifier"], kinds=("trader",))
    if found is not None:
        trader["name"] = trader["name"] or found.name
        trader["country"] = found.country
    rows.append(trader)
    partner = {
        "role": partner_role(data),
        "identifier": "",
        "name": _text(post, "parties-partner-name", 200),
        "country": _text(post, "parties-partner-country", 2).upper(),
        "address": _text(post, "parties-partner-address", 300),
    }
    if partner["name"] or partner["country"] or partner["address"]:
        rows.append(partner)
    rows.append(
        {
            "role": "declarant",
            "identifier": declarant.code,
            "name": declarant.name,
            "country": declarant.country,
            "address": "",
        }
    )
    carrier = {
        "role": "carrier",
        "identifier": _text(post, "parties-carrier-identifier", 17),
        "name": _text(post, "parties-carrier-name", 200),
        "country": "",
        "address": "",
    }
    found = registered_party(code=carrier["identifier"], kinds=("carrier",))
    if found is not None:
        carrier["name"] = carrier["name"] or found.name
        carrier["country"] = found.country
    if carrier["identifier"] or carrier["name"]:
        rows.append(carrier)
    return rows


def _items(post: Any) -> list[dict[str, Any]]:
    numbers = sorted(
        {int(m.group(1)) for key in post if (m := re.fullmatch(r"items-(\d+)-\w+", key))}
    )
    items = []
    for n in numbers:
        item = empty_item()
        for name in (
            "tariff_line",
            "description",
            "origin_country",
            "package_type",
            "package_count",
            "preference_code",
            *DECIMAL_ITEM_FIELDS,
        ):
            item[name] = _text(post, f"items-{n}-{name}", 512)
        item["tariff_line"] = re.sub(r"[\s.]", "", item["tariff_line"])
        item["origin_country"] = item["origin_country"].upper()
        item["package_type"] = item["package_type"].upper()
        item["perishable"] = post.get(f"items-{n}-perishable") in ("on", "true", "1")
        item["documents"] = [
            {"type_code": d["type_code"], "reference": d["reference"]}
            for d in _rows(
                post, f"items-{n}-documents", ("type_code", "reference"), upper=("type_code",)
            )
        ]
        items.append(item)
    return items or [empty_item()]


# --- what a step page shows ---------------------------------------------------------------


@dataclass
class Input:
    """One input of a question page, with its value and its problem, ready to render."""

    id: str
    name: str
    label: Any
    value: Any = ""
    hint: Any = ""
    widget: str = "text"  # text, select, radio, checkbox, datetime, date, textarea
    choices: list[tuple[str, Any]] = field(default_factory=list)
    required: bool = True
    error: str = ""
    width: str = ""
    inputmode: str = ""
    picker: str = ""  # "location" or "tariff": a search-as-you-type helper
    autocomplete: str = "off"
    maxlength: int | None = None

    @property
    def hint_id(self) -> str:
        return f"{self.id}-hint" if self.hint else ""


class Choices:
    """Code lists for the selects, read once per page."""

    @cached_property
    def countries(self) -> list[tuple[str, Any]]:
        return [(c.code, f"{c.name} ({c.code})") for c in reference.country_qs()]

    @cached_property
    def offices(self) -> list[tuple[str, Any]]:
        return [(o.code, f"{o.name} ({o.code})") for o in reference.customs_office_qs()]

    @cached_property
    def package_types(self) -> list[tuple[str, Any]]:
        return [(p.code, f"{p.name} ({p.code})") for p in reference.package_type_qs()]

    @cached_property
    def document_types(self) -> list[tuple[str, Any]]:
        return [(d.code, f"{d.name} ({d.code})") for d in reference.document_type_qs()]

    @cached_property
    def currencies(self) -> list[tuple[str, Any]]:
        return [(c.code, f"{c.code} — {c.name}") for c in reference.currency_qs()]

    def label(self, kind: str, code: str) -> str:
        names = dict(getattr(self, kind))
        return str(names.get(code, code)) if code else ""


def _with_blank(choices: list[tuple[str, Any]], value: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = [("", _("Choose…"))]
    codes = {c for c, _label in choices}
    if value and value not in codes:  # keep what was typed (a copied or unknown code)
        out.append((value, value))
    return out + choices


@dataclass
class StepPage:
    step: str
    inputs: list[Input] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)


def build_page(
    step: str,
    data: dict[str, Any],
    problems: list[Problem],
    choices: Choices,
    declarant: Any,
    amending: bool = False,
) -> StepPage:
    errors: dict[str, str] = {}
    for p in problems:
        errors.setdefault(p.anchor, p.message)

    def inp(path: str, label: Any, **kw: Any) -> Input:
        name = path.replace(".", "-")
        value = kw.pop("value", None)
        if value is None:
            value = _lookup(data, path)
        return Input(
            id=f"f-{name}",
            name=name,
            label=label,
            value=value,
            error=errors.get(f"f-{name}", ""),
            **kw,
        )

    page = StepPage(step)
    page.groups = []
    if step == "type":
        page.inputs = [
            inp(
                "declaration_type",
                _("What kind of declaration is it?"),
                widget="radio",
                choices=list(DeclarationType.choices),
                hint=_(
                    "Import: goods coming into the country. Export: goods leaving it. "
                    "Transit: goods crossing the country under customs control."
                ),
            ),
            inp(
                "procedure_code",
                _("Customs procedure"),
                width="usa-input--sm",
                inputmode="numeric",
                maxlength=4,
                hint=_(
                    "Four digits. 4000 is release for free circulation of imports; "
                    "1000 is a definitive export."
                ),
            ),
            inp(
                "previous_procedure_code",
                _("Previous procedure"),
                required=False,
                width="usa-input--sm",
                inputmode="numeric",
                maxlength=4,
                hint=_(
                    "Only when the goods come from another procedure, such as a "
                    "customs warehouse (71)."
                ),
            ),
            inp(
                "lrn",
                _("Your reference for this declaration (LRN)"),
                width="usa-input--xl",
                maxlength=35,
                hint=_(
                    "Your own reference, unique in your organisation. Sending the same "
                    "reference twice never lodges twice."
                ),
            ),
        ]
        if amending:
            page.inputs[-1].hint = _("The reference of a lodged declaration cannot change.")
    elif step == "parties":
        trader, partner, carrier = (party(data, g) for g in ("trader", "partner", "carrier"))
        page.groups = [
            {
                "id": "f-parties",
                "legend": _("The trader (importer or exporter)"),
                "hint": _(
                    "The company the goods are declared for. It must be registered in "
                    "the single window: give its tax number (RUC)."
                ),
                "inputs": [
                    inp(
                        "parties.trader.identifier",
                        _("Tax number (RUC)"),
                        value=trader.get("identifier", ""),
                        width="usa-input--lg",
                        inputmode="numeric",
                        maxlength=17,
                    ),
                    inp(
                        "parties.trader.name",
                        _("Name"),
                        value=trader.get("name", ""),
                        required=False,
                        hint=_("Filled in from the register when left blank."),
                    ),
                ],
            },
            {
                "id": "f-parties-partner",
                "legend": _("The supplier or buyer abroad"),
                "hint": _("The exporter who sells you the goods, or the buyer of your exports."),
                "inputs": [
                    inp(
                        "parties.partner.name",
                        _("Name"),
                        value=partner.get("name", ""),
                        required=False,
                    ),
                    inp(
                        "parties.partner.country",
                        _("Country"),
                        widget="select",
                        value=partner.get("country", ""),
                        required=False,
                        choices=_with_blank(choices.countries, partner.get("country", "")),
                    ),
                    inp(
                        "parties.partner.address",
                        _("Address"),
                        value=partner.get("address", ""),
                        required=False,
                    ),
                ],
            },
            {
                "id": "f-parties-carrier",
                "legend": _("The carrier"),
                "hint": _(
                    "The shipping line, airline or haulier. When it is registered in the "
                    "single window it is told as soon as the goods may leave."
                ),
                "inputs": [
                    inp(
                        "parties.carrier.identifier",
                        _("Tax number (RUC)"),
                        value=carrier.get("identifier", ""),
                        required=False,
                        width="usa-input--lg",
                        inputmode="numeric",
                        maxlength=17,
                    ),
                    inp(
                        "parties.carrier.name",
                        _("Name"),
                        value=carrier.get("name", ""),
                        required=False,
                        hint=_("Filled in from the register when left blank."),
                    ),
                ],
            },
        ]
    elif step == "transport":
        page.inputs = [
            inp(
                "transport_mode",
                _("How do the goods cross the border?"),
                widget="select",
                choices=list(TransportMode.choices),
            ),
            inp(
                "conveyance_ref",
                _("Vessel, flight or vehicle"),
                maxlength=35,
                hint=_("For example MSC ANDES 123E (vessel and voyage) or LA2471 (flight)."),
            ),
            inp(
                "transport_document_ref",
                _("Bill of lading, air waybill or consignment note"),
                maxlength=35,
                width="usa-input--xl",
            ),
            inp(
                "loading_location",
                _("Place of loading (UN/LOCODE)"),
                width="usa-input--md",
                maxlength=5,
                picker="location",
                hint=_("Five characters, for example MXZLO for Manzanillo. Type a name to search."),
            ),
            inp(
                "discharge_location",
                _("Place of discharge (UN/LOCODE)"),
                width="usa-input--md",
                maxlength=5,
                picker="location",
                hint=_("Where the goods are unloaded, for example PECLL for Callao."),
            ),
            inp(
                "office_code",
                _("Customs office"),
                widget="select",
                choices=_with_blank(choices.offices, data.get("office_code", "")),
            ),
            inp(
                "estimated_arrival",
                _("Estimated arrival"),
                widget="datetime",
                required=False,
                hint=_(
                    "Give it for imports by sea or air: the agencies then act before the "
                    "goods arrive, so they can be released on arrival (TFA 7.1)."
                ),
            ),
            inp(
                "export_country",
                _("Country of export"),
                widget="select",
                required=False,
                choices=_with_blank(choices.countries, data.get("export_country", "")),
            ),
            inp(
                "destination_country",
                _("Country of destination"),
                widget="select",
                required=False,
                choices=_with_blank(choices.countries, data.get("destination_country", "")),
            ),
        ]
    elif step == "goods":
        items = data.get("items") or [empty_item()]
        for n, item in enumerate(items):
            cited = [*list(item.get("documents") or []), {"type_code": "", "reference": ""}]
            page.groups.append(
                {
                    "id": f"f-items-{n}",
                    "number": n + 1,
                    "index": n,
                    "inputs": [
                        inp(
                            f"items.{n}.tariff_line",
                            _("National tariff line"),
                            width="usa-input--lg",
                            inputmode="numeric",
                            maxlength=12,
                            picker="tariff",
                            hint=_(
                                "The 10-digit code of the national tariff. Type a product "
                                "name or an HS code to search."
                            ),
                        ),
                        inp(
                            f"items.{n}.description",
                            _("Description of the goods"),
                            hint=_("In plain words, as on the invoice: what, variety, packing."),
                        ),
                        inp(
                            f"items.{n}.origin_country",
                            _("Country of origin"),
                            widget="select",
                            hint=_(
                                "Where the goods were grown or made, not where they were "
                                "shipped from."
                            ),
                            choices=_with_blank(choices.countries, item.get("origin_country", "")),
                        ),
                        inp(
                            f"items.{n}.package_type",
                            _("Kind of packages"),
                            widget="select",
                            required=False,
                            choices=_with_blank(
                                choices.package_types, item.get("package_type", "")
                            ),
                        ),
                        inp(
                            f"items.{n}.package_count",
                            _("Number of packages"),
                            required=False,
                            width="usa-input--sm",
                            inputmode="numeric",
                        ),
                        inp(
                            f"items.{n}.gross_mass_kg",
                            _("Gross mass (kg)"),
                            width="usa-input--md",
                            inputmode="decimal",
                            hint=_("With packing."),
                        ),
                        inp(
                            f"items.{n}.net_mass_kg",
                            _("Net mass (kg)"),
                            width="usa-input--md",
                            inputmode="decimal",
                            hint=_("Without packing."),
                        ),
                        inp(
                            f"items.{n}.customs_value",
                            _("Value"),
                            width="usa-input--md",
                            inputmode="decimal",
                            hint=_("The value of this item in the invoice currency."),
                        ),
                        inp(
                            f"items.{n}.perishable",
                            _("These goods are perishable"),
                            widget="checkbox",
                            required=False,
                            hint=_(
                                "Goods that decay quickly (fresh fruit, flowers, fish). They "
                                "are examined first and released as fast as possible "
                                "(TFA 7.9)."
                            ),
                        ),
                    ],
                    "documents": [
                        [
                            inp(
                                f"items.{n}.documents.{m}.type_code",
                                _("Document type"),
                                widget="select",
                                required=False,
                                value=d.get("type_code", ""),
                                choices=_with_blank(choices.document_types, d.get("type_code", "")),
                            ),
                            inp(
                                f"items.{n}.documents.{m}.reference",
                                _("Document number"),
                                required=False,
                                value=d.get("reference", ""),
                                maxlength=70,
                            ),
                        ]
                        for m, d in enumerate(cited)
                    ],
                }
            )
    elif step == "documents":
        page.inputs = [
            inp(
                "invoice_currency",
                _("Invoice currency"),
                widget="select",
                choices=_with_blank(choices.currencies, data.get("invoice_currency", "")),
            ),
            inp("invoice_amount", _("Invoice total"), width="usa-input--md", inputmode="decimal"),
            inp(
                "incoterm",
                _("Incoterm"),
                widget="select",
                required=False,
                choices=[("", _("Choose…")), *[(t, t) for t in INCOTERMS]],
                hint=_("The delivery term agreed with the seller, for example FOB."),
            ),
        ]
        rows = [
            *list(data.get("documents") or []),
            {"type_code": "", "reference": "", "issued_on": "", "issuer": ""},
        ]
        for n, row in enumerate(rows):
            page.groups.append(
                {
                    "id": f"f-documents-{n}",
                    "number": n + 1,
                    "index": n,
                    "blank": n == len(rows) - 1,
                    "inputs": [
                        inp(
                            f"documents.{n}.type_code",
                            _("Document type"),
                            widget="select",
                            value=row.get("type_code", ""),
                            required=False,
                            choices=_with_blank(choices.document_types, row.get("type_code", "")),
                        ),
                        inp(
                            f"documents.{n}.reference",
                            _("Document number"),
                            value=row.get("reference", ""),
                            required=False,
                            maxlength=70,
                        ),
                        inp(
                            f"documents.{n}.issued_on",
                            _("Issued on"),
                            widget="date",
                            value=row.get("issued_on", "") or "",
                            required=False,
                        ),
                        inp(
                            f"documents.{n}.issuer",
                            _("Issued by"),
                            value=row.get("issuer", ""),
                            required=False,
                        ),
                    ],
                }
            )
    return page


def _lookup(data: dict[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        if isinstance(value, list) and part.isdigit():
            value = value[int(part)] if int(part) < len(value) else ""
        elif isinstance(value, dict):
            value = value.get(part, "")
        else:
            return ""
    return "" if value is None else value


def seed_documents(data: dict[str, Any]) -> dict[str, Any]:
    """The invoice and transport document rows, the first time the documents page opens."""
    if data.get("documents"):
        return data
    rows = [{"type_code": "N380", "reference": "", "issued_on": "", "issuer": ""}]
    if data.get("transport_document_ref"):
        code = {"1": "N705", "4": "N740", "3": "N730"}.get(data.get("transport_mode", ""), "")
        if code:
            rows.append(
                {
                    "type_code": code,
                    "reference": data["transport_document_ref"],
                    "issued_on": "",
                    "issuer": "",
                }
            )
    return {**data, "documents": rows}


def next_step(step: str) -> str:
    return STEPS[min(STEPS.index(step) + 1, len(STEPS) - 1)]


def previous_step(step: str) -> str | None:
    index = STEPS.index(step)
    return STEPS[index - 1] if index > 0 else None


# --- small forms ----------------------------------------------------------------------------


class ReasonForm(UswdsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, label: Any = None, help_text: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label is not None:
            self.fields["reason"].label = label
        if help_text is not None:
            self.fields["reason"].help_text = help_text
        self._style_widgets()


class AnswerForm(UswdsMixin, forms.Form):
    answer = forms.CharField(
        label=_("Your answer"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style_widgets()


class SecondTestForm(UswdsMixin, forms.Form):
    lab = forms.CharField(
        label=_("Laboratory you ask for"),
        max_length=200,
        required=False,
        help_text=_("Leave blank to let the agency choose an accredited laboratory."),
    )
    reason = forms.CharField(
        label=_("Your grounds"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style_widgets()


class OrganisationForm(UswdsMixin, forms.Form):
    organisation = forms.TypedChoiceField(
        label=_("Who do you lodge for?"), coerce=int, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, organisations: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org_field = self.fields["organisation"]
        assert isinstance(org_field, forms.TypedChoiceField)
        org_field.choices = [(o.pk, f"{o.name} ({o.code})") for o in organisations]


SORTS: dict[str, tuple[Any, str]] = {
    # key: (label, order_by)
    "-created": (_("Newest first"), "-created_at"),
    "created": (_("Oldest first"), "created_at"),
    "eta": (_("Arrival, soonest first"), "estimated_arrival"),
    "-eta": (_("Arrival, latest first"), "-estimated_arrival"),
    "mrn": (_("MRN"), "mrn"),
    "status": (_("Status"), "status"),
}


class ListFilterForm(UswdsMixin, forms.Form):
    q = forms.CharField(label=_("MRN, LRN or vessel"), max_length=35, required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    perishable = forms.ChoiceField(
        label=_("Perishable goods"),
        required=False,
        choices=[("", _("Any")), ("yes", _("Perishable only")), ("no", _("Not perishable"))],
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status_field = self.fields["status"]
        assert isinstance(status_field, forms.ChoiceField)
        status_field.choices = [
            ("", _("Any status")),
            *[(s.value, s.label) for s in Status if s != Status.DRAFT],
        ]
        sort_field = self.fields["sort"]
        assert isinstance(sort_field, forms.ChoiceField)
        sort_field.choices = [(k, label) for k, (label, _o) in SORTS.items()]
        self._style_widgets()
