"""Output of the duties API: amounts as strings with the currency's minor units."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from ventanilla.duties.money import minor_units, quantize
from ventanilla.duties.selectors import AssessmentView


def _money(amount: Any, places: int) -> str | None:
    return None if amount is None else str(quantize(amount, places))


def _rate(rate: Any) -> str | None:
    # 18.0000 -> "18", 0.5000 -> "0.5" (never the exponent form "1E+1").
    return None if rate is None else format(rate.normalize(), "f")


class DutyLineOut(serializers.Serializer):
    item_sequence = serializers.IntegerField()
    tariff_line = serializers.CharField()
    measure_type = serializers.CharField()
    measure_label = serializers.CharField()
    type_code = serializers.CharField()
    origin_country = serializers.CharField()
    preference_code = serializers.CharField()
    base_amount = serializers.CharField(allow_null=True)
    base_quantity = serializers.CharField(allow_null=True)
    quantity_unit = serializers.CharField()
    ad_valorem_rate = serializers.CharField(allow_null=True)
    specific_rate = serializers.CharField(allow_null=True)
    specific_currency = serializers.CharField()
    amount = serializers.CharField()
    legal_basis = serializers.CharField()


class TaxTotalOut(serializers.Serializer):
    measure_type = serializers.CharField()
    measure_label = serializers.CharField()
    amount = serializers.CharField()


class AssessmentOut(serializers.Serializer):
    id = serializers.IntegerField()
    declaration = serializers.IntegerField()
    number = serializers.IntegerField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    currency = serializers.CharField()
    assessed_on = serializers.DateField()
    computed_at = serializers.DateTimeField()
    finalised_at = serializers.DateTimeField(allow_null=True)
    exchange_rates = serializers.DictField(child=serializers.CharField())
    lines = DutyLineOut(many=True)
    totals = TaxTotalOut(many=True)
    total = serializers.CharField()


def assessment_data(view: AssessmentView) -> dict[str, Any]:
    a = view.assessment
    places = minor_units(view.currency)
    return {
        "id": a.pk,
        "declaration": a.declaration_id,
        "number": a.number,
        "status": a.status,
        "status_label": str(a.get_status_display()),
        "currency": a.currency,
        "assessed_on": a.assessed_on,
        "computed_at": a.computed_at,
        "finalised_at": a.finalised_at,
        "exchange_rates": a.exchange_rates,
        "lines": [
            {
                "item_sequence": line.item_sequence,
                "tariff_line": line.tariff_line,
                "measure_type": line.measure_type,
                "measure_label": str(line.get_measure_type_display()),
                "type_code": line.measure.type_code,
                "origin_country": line.origin_country,
                "preference_code": line.preference_code,
                "base_amount": _money(line.base_amount, places),
                "base_quantity": None if line.base_quantity is None else str(line.base_quantity),
                "quantity_unit": line.quantity_unit,
                "ad_valorem_rate": _rate(line.ad_valorem_rate),
                "specific_rate": _rate(line.specific_rate),
                "specific_currency": line.specific_currency,
                "amount": _money(line.amount, places),
                "legal_basis": line.measure.legal_basis,
            }
            for line in view.lines
        ],
        "totals": [
            {
                "measure_type": t.measure_type,
                "measure_label": t.label,
                "amount": _money(t.amount, places),
            }
            for t in view.totals
        ],
        "total": _money(view.total, places),
    }
