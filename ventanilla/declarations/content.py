"""A declaration's content in its input shape (the lodgement JSON): used to hash it, to
keep amended versions, and to copy a previous declaration into a new one."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from ventanilla.declarations.models import Declaration

HEADER_FIELDS = (
    "lrn",
    "declaration_type",
    "procedure_code",
    "previous_procedure_code",
    "office_code",
    "transport_mode",
    "conveyance_ref",
    "transport_document_ref",
    "loading_location",
    "discharge_location",
    "entry_office_code",
    "estimated_arrival",
    "export_country",
    "destination_country",
    "incoterm",
    "invoice_currency",
    "invoice_amount",
)
ITEM_FIELDS = (
    "tariff_line",
    "description",
    "origin_country",
    "preference_code",
    "package_type",
    "package_count",
    "gross_mass_kg",
    "net_mass_kg",
    "supplementary_quantity",
    "customs_value",
)


def normalise(data: dict[str, Any]) -> dict[str, Any]:
    """JSON-safe, key-sorted copy (Decimals and dates as strings)."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder, sort_keys=True))


class _HashEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder, byte for byte, with its most frequent case first: a goods item
    carries three or four Decimals, and DjangoJSONEncoder tests every date and time type
    before it reaches Decimal. The bytes must not change: stored hashes tell a retried
    lodgement from a different one under the same LRN."""

    def default(self, o: Any) -> Any:
        if type(o) is Decimal:
            return str(o)
        return super().default(o)


_canonical = _HashEncoder(sort_keys=True, separators=(",", ":")).encode


def content_hash(data: dict[str, Any]) -> str:
    payload = {k: v for k, v in data.items() if k not in ("reason",)}
    return hashlib.sha256(_canonical(payload).encode()).hexdigest()


def declaration_content(declaration: Declaration) -> dict[str, Any]:
    data: dict[str, Any] = {f: getattr(declaration, f) for f in HEADER_FIELDS}
    data["perishable"] = declaration.perishable_declared
    data["parties"] = [
        {
            "role": p.role,
            "name": p.name,
            "identifier": p.identifier,
            "country": p.country,
            "address": p.address,
        }
        for p in declaration.parties.all()
    ]
    docs = list(declaration.documents.all().prefetch_related("items"))
    data["documents"] = [
        {
            "type_code": d.type_code,
            "reference": d.reference,
            "issued_on": d.issued_on,
            "issuer": d.issuer,
        }
        for d in docs
    ]
    cited: dict[int, list[dict[str, str]]] = {}
    for d in docs:
        for item in d.items.all():
            cited.setdefault(item.pk, []).append(
                {"type_code": d.type_code, "reference": d.reference}
            )
    data["items"] = [
        {
            **{f: getattr(i, f) for f in ITEM_FIELDS},
            "perishable": i.is_perishable,
            "documents": cited.get(i.pk, []),
        }
        for i in declaration.items.all()
    ]
    return normalise(data)
