"""The content as typed: reading a step's POST into it, and checking a step of it."""

from __future__ import annotations

import re
from typing import Any

from ventanilla.declarations import rules
from ventanilla.declarations.api.serializers import DeclarationInput, ItemInput
from ventanilla.declarations.choices import DeclarationType, TransportMode
from ventanilla.declarations.drafts import empty_item
from ventanilla.declarations.forms.paths import (
    DECIMAL_ITEM_FIELDS,
    ITEM_RULES,
    STEP_RULES,
    Problem,
    anchor,
    context_label,
    flatten,
    partner_role,
    party_group,
    problems_from,
    step_of,
    trader_role,
)
from ventanilla.declarations.selectors import registered_party

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
    for role in ("carrier", "terminal"):
        row = _operator(post, role)
        if row["identifier"] or row["name"]:
            rows.append(row)
    return rows


def _operator(post: Any, role: str) -> dict[str, Any]:
    """The carrier or the terminal operator, named by its tax number; a registered one
    fills in its name."""
    row = {
        "role": role,
        "identifier": _text(post, f"parties-{role}-identifier", 17),
        "name": _text(post, f"parties-{role}-name", 200),
        "country": "",
        "address": "",
    }
    found = registered_party(code=row["identifier"], kinds=("carrier",))
    if found is not None:
        row["name"] = row["name"] or found.name
        row["country"] = found.country
    return row


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
