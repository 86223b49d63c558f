"""Demo declarations in every state, so that every queue and screen has work in it:
lodged through the same services a broker's system uses, then moved on by the same
agency, payment and arrival services. Idempotent: a declaration whose LRN exists is
left as it is."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from ventanilla.accounts.models import Organisation, User
from ventanilla.agencies.models import AgencyReview
from ventanilla.agencies.services.inspections import inspection_book, inspection_record_result
from ventanilla.agencies.services.reviews import information_request, review_decide
from ventanilla.clearance import services as clearance
from ventanilla.declarations.api.serializers import DeclarationInput
from ventanilla.declarations.models import Declaration
from ventanilla.payments.selectors import financial_state
from ventanilla.payments.services.guarantee import guarantee_reserve

BROKER, TRADER_A, TRADER_B, CARRIER = "20100000003", "20100000001", "20100000002", "20100000004"
TERMINAL = "20100000005"  # the container terminal at Callao, where the goods are held
VESSEL = "MSC ANDES 123E"


def _item(
    line: str,
    text: str,
    origin: str,
    value: str,
    kg: str,
    package: str = "CT",
    count: int = 1000,
    docs: tuple[tuple[str, str], ...] = (),
) -> dict[str, Any]:
    gross = str(Decimal(kg) * Decimal("1.05"))
    return {
        "tariff_line": line,
        "description": text,
        "origin_country": origin,
        "package_type": package,
        "package_count": count,
        "gross_mass_kg": gross,
        "net_mass_kg": kg,
        "customs_value": value,
        "documents": [{"type_code": t, "reference": r} for t, r in docs],
    }


def _import(
    lrn: str,
    items: list[dict[str, Any]],
    export_country: str,
    loading: str,
    days: int = 4,
    conveyance: str = VESSEL,
    importer: str = TRADER_A,
) -> dict[str, Any]:
    total = sum(Decimal(i["customs_value"]) for i in items)
    return {
        "lrn": lrn,
        "declaration_type": "IM",
        "procedure_code": "4000",
        "office_code": "PECLL0118",
        "transport_mode": "1",
        "conveyance_ref": conveyance,
        "transport_document_ref": f"BL-{lrn}",
        "loading_location": loading,
        "discharge_location": "PECLL",
        "estimated_arrival": (timezone.now() + dt.timedelta(days=days)).isoformat(),
        "export_country": export_country,
        "destination_country": "PE",
        "incoterm": "FOB",
        "invoice_currency": "USD",
        "invoice_amount": str(total),
        "parties": [
            {"role": "importer", "name": "Importer", "identifier": importer, "country": "PE"},
            {"role": "declarant", "name": "Broker", "identifier": BROKER, "country": "PE"},
            {"role": "carrier", "name": "Pacific Lines", "identifier": CARRIER, "country": "PE"},
            {"role": "terminal", "name": "Callao", "identifier": TERMINAL, "country": "PE"},
        ],
        "items": items,
        "documents": [
            {"type_code": "N380", "reference": f"INV-{lrn}"},
            {"type_code": "N705", "reference": f"BL-{lrn}"},
        ],
    }


AVOCADOS = _item(
    "0804400000",
    "Fresh Hass avocados, 10 kg cartons",
    "MX",
    "24000.00",
    "12000",
    docs=(("N851", "MX-PHYTO-2026-0001"),),
)
COFFEE = _item(
    "0901119000",
    "Green coffee beans, grade 1",
    "CO",
    "96000.00",
    "19200",
    "BG",
    320,
    docs=(("N851", "CO-PHYTO-2026-0042"),),
)
LAPTOPS = _item("8471300000", "Laptop computers, 14 inch", "CN", "120000.00", "2400", "CT", 400)
SHRIMP = _item(
    "0306179900",
    "Frozen shrimp, 2 kg boxes",
    "EC",
    "54000.00",
    "18000",
    docs=(("N852", "EC-HC-2026-0007"),),
)
GRAPES = _item(
    "0806100000",
    "Fresh table grapes, Red Globe",
    "CL",
    "30000.00",
    "15000",
    docs=(("N851", "CL-PHYTO-2026-0100"),),
)


def _users() -> dict[str, User]:
    return {
        u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@demo.ventanilla")
    }


def _lodge(data: dict[str, Any], declarant: str, by: User) -> Declaration | None:
    if Declaration.objects.filter(lrn=data["lrn"]).exists():
        return None
    serializer = DeclarationInput(data=data)
    serializer.is_valid(raise_exception=True)
    org = Organisation.objects.get(code=declarant)
    return clearance.declaration_submit(
        data=serializer.validated_data, declarant=org, by=by
    ).declaration


def _decide_all(
    declaration: Declaration, users: dict[str, User], decision: str = "approve"
) -> None:
    officers = {
        "AG-CUSTOMS": users["customs"],
        "AG-PLANT": users["plant"],
        "AG-FOOD": users["food"],
    }
    for _ in range(3):  # sequenced agencies become pending once earlier ones approve
        if AgencyReview.objects.filter(
            declaration=declaration, status="inspection_required"
        ).exists():
            _inspect(declaration, officers)
        open_reviews = AgencyReview.objects.filter(
            declaration=declaration, status__in=["pending", "in_progress"]
        ).select_related("agency")
        if not open_reviews:
            break
        for review in open_reviews:
            review_decide(
                review=review,
                decision=decision,
                reason="Demo decision",
                reason_category="documents_incomplete",
                by=officers[review.agency.code],
            )


def _inspect(declaration: Declaration, officers: dict[str, User]) -> None:
    """One joint appointment for every agency that asked for an examination (TFA 8)."""
    inspection = inspection_book(
        declaration=declaration, location="PECLL", by=officers["AG-CUSTOMS"]
    )
    for participant in inspection.participants.select_related("agency"):
        inspection_record_result(
            participant=participant, result="no_irregularity", by=officers[participant.agency.code]
        )


def _guarantee(declaration: Declaration, users: dict[str, User]) -> None:
    money = financial_state(declaration=declaration)
    if money.amount_due > money.paid:
        guarantee_reserve(
            declaration=declaration, amount=money.amount_due - money.paid, by=users["trader"]
        )


def load_demo_declarations() -> dict[str, int]:
    users = _users()
    broker = users["broker"]
    made = 0
    # 1. Under control: avocados under the fruit-fly alert (customs inspection, plant health).
    if _lodge(_import("DEMO-AVO-0001", [AVOCADOS], "MX", "MXZLO"), BROKER, broker):
        made += 1
    # 2. Accepted, awaiting payment: laptops, no agency involved.
    if _lodge(_import("DEMO-LAP-0001", [LAPTOPS], "CN", "MXZLO", days=6), BROKER, broker):
        made += 1
    # 3. Cleared before arrival (TFA 7.1): released against a guarantee when the vessel
    #    arrives — the carrier can report it from the demo.
    d = _lodge(_import("DEMO-LAP-0002", [LAPTOPS], "CN", "MXZLO"), BROKER, broker)
    if d:
        _guarantee(d, users)
        made += 1
    # 4. Information requested by plant health (coffee needs a phytosanitary permit).
    d = _lodge(
        _import("DEMO-COF-0001", [COFFEE], "CO", "COBUN", days=8, conveyance="CMA CGM CALLAO 77W"),
        BROKER,
        broker,
    )
    if d:
        review = AgencyReview.objects.get(declaration=d, agency__code="AG-PLANT")
        information_request(
            review=review, message="Please attach the fumigation certificate.", by=users["plant"]
        )
        made += 1
    # 5. Food safety queue: frozen shrimp awaiting review.
    if _lodge(
        _import(
            "DEMO-SHR-0001", [SHRIMP], "EC", "PECLL", days=2, conveyance="MAERSK GUAYAQUIL 12N"
        ),
        BROKER,
        broker,
    ):
        made += 1
    # 6. Released: grapes approved by every agency, guaranteed, arrived.
    d = _lodge(
        _import(
            "DEMO-GRA-0001", [GRAPES], "CL", "CLSAI", days=1, conveyance="HAPAG SAN ANTONIO 5S"
        ),
        BROKER,
        broker,
    )
    if d:
        _decide_all(d, users)
        _guarantee(d, users)
        clearance.arrival_report(
            organisation=Organisation.objects.get(code=CARRIER),
            by=users["carrier"],
            conveyance_ref="HAPAG SAN ANTONIO 5S",
        )
        made += 1
    # 7. Refused by food safety (second grapes lot), 8. cancelled by the broker.
    d = _lodge(
        _import(
            "DEMO-GRA-0002", [GRAPES], "CL", "CLSAI", days=3, conveyance="HAPAG SAN ANTONIO 5S"
        ),
        BROKER,
        broker,
    )
    if d:
        _decide_all(d, users, decision="reject")
        made += 1
    d = _lodge(_import("DEMO-LAP-0003", [LAPTOPS], "CN", "MXZLO"), BROKER, broker)
    if d:
        clearance.declaration_cancel_and_close(
            declaration=d, reason="Order cancelled by the buyer", by=broker
        )
        made += 1
    return {"declarations": made}
