"""The inputs of each question page, one builder per step.

Each builder takes what it reads: ``inp`` (the page's ``InputMaker``), the content and
the code lists. The labels and hints are the catalogue's msgids: a changed word here is
an untranslated string in Spanish.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from ventanilla.declarations.choices import DeclarationType, TransportMode
from ventanilla.declarations.drafts import empty_item
from ventanilla.declarations.forms.inputs import Choices, Input, InputMaker, _with_blank
from ventanilla.declarations.forms.paths import INCOTERMS, party

# --- type ------------------------------------------------------------------------------------


def type_inputs(inp: InputMaker, amending: bool) -> list[Input]:
    inputs = [
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
                "Only when the goods come from another procedure, such as a customs warehouse (71)."
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
        inputs[-1].hint = _("The reference of a lodged declaration cannot change.")
    return inputs


# --- parties: one group of inputs per role ---------------------------------------------------


def party_groups(inp: InputMaker, data: dict[str, Any], choices: Choices) -> list[dict[str, Any]]:
    trader, partner = (party(data, g) for g in ("trader", "partner"))
    return [
        _trader_group(inp, trader),
        _partner_group(inp, partner, choices),
        _operator_group(
            inp,
            "carrier",
            party(data, "carrier"),
            _("The carrier"),
            _(
                "The shipping line, airline or haulier. When it is registered in the "
                "single window it is told as soon as the goods may leave."
            ),
        ),
        _operator_group(
            inp,
            "terminal",
            party(data, "terminal"),
            _("The terminal or warehouse"),
            _(
                "Where the goods are held on arrival. When its operator is registered in "
                "the single window it is told of holds and of the release, so it lets "
                "the goods out at once."
            ),
        ),
    ]


def _trader_group(inp: InputMaker, trader: dict[str, Any]) -> dict[str, Any]:
    return {
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
    }


def _partner_group(inp: InputMaker, partner: dict[str, Any], choices: Choices) -> dict[str, Any]:
    return {
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
    }


def _operator_group(
    inp: InputMaker, role: str, values: dict[str, Any], legend: Any, hint: Any
) -> dict[str, Any]:
    """The carrier or the terminal operator: optional, named by its tax number."""
    return {
        "id": f"f-parties-{role}",
        "legend": legend,
        "hint": hint,
        "inputs": [
            inp(
                f"parties.{role}.identifier",
                _("Tax number (RUC)"),
                value=values.get("identifier", ""),
                required=False,
                width="usa-input--lg",
                inputmode="numeric",
                maxlength=17,
            ),
            inp(
                f"parties.{role}.name",
                _("Name"),
                value=values.get("name", ""),
                required=False,
                hint=_("Filled in from the register when left blank."),
            ),
        ],
    }


# --- transport -------------------------------------------------------------------------------


def transport_inputs(inp: InputMaker, data: dict[str, Any], choices: Choices) -> list[Input]:
    return [
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


# --- goods: one group per item ---------------------------------------------------------------


def item_groups(inp: InputMaker, data: dict[str, Any], choices: Choices) -> list[dict[str, Any]]:
    items = data.get("items") or [empty_item()]
    return [
        {
            "id": f"f-items-{n}",
            "number": n + 1,
            "index": n,
            "inputs": _item_inputs(inp, n, item, choices),
            "documents": _cited_documents(inp, n, item, choices),
        }
        for n, item in enumerate(items)
    ]


def _item_inputs(inp: InputMaker, n: int, item: dict[str, Any], choices: Choices) -> list[Input]:
    return [
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
            hint=_("Where the goods were grown or made, not where they were shipped from."),
            choices=_with_blank(choices.countries, item.get("origin_country", "")),
        ),
        inp(
            f"items.{n}.package_type",
            _("Kind of packages"),
            widget="select",
            required=False,
            choices=_with_blank(choices.package_types, item.get("package_type", "")),
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
    ]


def _cited_documents(
    inp: InputMaker, n: int, item: dict[str, Any], choices: Choices
) -> list[list[Input]]:
    """The documents the item cites, and a blank row to cite one more."""
    cited = [*list(item.get("documents") or []), {"type_code": "", "reference": ""}]
    return [
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
    ]


# --- invoice and documents: one group per document -------------------------------------------


def invoice_inputs(inp: InputMaker, data: dict[str, Any], choices: Choices) -> list[Input]:
    return [
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


def document_groups(
    inp: InputMaker, data: dict[str, Any], choices: Choices
) -> list[dict[str, Any]]:
    """The documents given so far, and a blank one to add another."""
    rows = [
        *list(data.get("documents") or []),
        {"type_code": "", "reference": "", "issued_on": "", "issuer": ""},
    ]
    return [
        _document_group(inp, n, row, choices, blank=n == len(rows) - 1)
        for n, row in enumerate(rows)
    ]


def _document_group(
    inp: InputMaker, n: int, row: dict[str, Any], choices: Choices, blank: bool
) -> dict[str, Any]:
    return {
        "id": f"f-documents-{n}",
        "number": n + 1,
        "index": n,
        "blank": blank,
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
