"""Input and output of the payments API: amounts as strings with the currency's minor
units (never floats)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from ventanilla.duties.money import money_str
from ventanilla.payments.models import GuaranteeAccount, GuaranteeMovement, Payment
from ventanilla.payments.selectors import FinancialState, guarantee_balance, payment_receipt


class ReceiptOut(serializers.Serializer):
    reference = serializers.CharField()
    provider_reference = serializers.CharField()
    amount = serializers.CharField()
    currency = serializers.CharField()
    confirmed_at = serializers.DateTimeField()
    declaration = serializers.CharField()
    assessment_number = serializers.IntegerField()


class PaymentOut(serializers.ModelSerializer):
    amount = serializers.SerializerMethodField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    assessment_number = serializers.IntegerField(source="assessment.number")
    receipt = serializers.SerializerMethodField()

    class Meta:
        model = Payment
        fields = [
            "id",
            "reference",
            "declaration",
            "assessment_number",
            "amount",
            "currency",
            "status",
            "status_label",
            "provider_code",
            "provider_reference",
            "redirect_url",
            "attempts",
            "initiated_at",
            "pending_at",
            "confirmed_at",
            "failed_at",
            "expired_at",
            "receipt",
        ]

    def get_amount(self, obj: Payment) -> str | None:
        return money_str(obj.amount, obj.currency)

    def get_receipt(self, obj: Payment) -> dict[str, Any] | None:
        receipt = payment_receipt(payment=obj)
        if receipt is None:
            return None
        data = dict(ReceiptOut(receipt).data)
        data["amount"] = money_str(receipt.amount, receipt.currency)
        return data


class FinancialStateOut(serializers.Serializer):
    amount_due = serializers.CharField()
    currency = serializers.CharField()
    paid = serializers.CharField()
    guaranteed = serializers.CharField()
    outstanding = serializers.CharField()
    settled_for_release = serializers.BooleanField()
    payment_status = serializers.CharField(allow_null=True)
    assessment_status = serializers.CharField(allow_null=True)
    closed = serializers.BooleanField(
        help_text="The declaration was cancelled or refused: nothing is outstanding on it."
    )


def financial_state_data(state: FinancialState) -> dict[str, Any]:
    c = state.currency
    return FinancialStateOut(
        {
            "amount_due": money_str(state.amount_due, c),
            "currency": c,
            "paid": money_str(state.paid, c),
            "guaranteed": money_str(state.guaranteed, c),
            "outstanding": money_str(state.outstanding, c),
            "settled_for_release": state.settled_for_release,
            "payment_status": state.payment_status,
            "assessment_status": state.assessment_status,
            "closed": state.closed,
        }
    ).data  # type: ignore[return-value]


class BalanceOut(serializers.Serializer):
    limit = serializers.CharField()
    topped_up = serializers.CharField()
    reserved = serializers.CharField()
    drawn = serializers.CharField()
    available = serializers.CharField()


class GuaranteeAccountOut(serializers.ModelSerializer):
    holder_name = serializers.CharField(source="holder.name")
    status = serializers.CharField()
    limit_amount = serializers.SerializerMethodField()
    balance = serializers.SerializerMethodField()

    class Meta:
        model = GuaranteeAccount
        fields = [
            "id",
            "reference",
            "holder",
            "holder_name",
            "currency",
            "limit_amount",
            "status",
            "valid_from",
            "valid_to",
            "balance",
        ]

    def get_limit_amount(self, obj: GuaranteeAccount) -> str | None:
        return money_str(obj.limit_amount, obj.currency)

    def get_balance(self, obj: GuaranteeAccount) -> dict[str, Any]:
        b = guarantee_balance(account=obj)
        return {
            name: money_str(getattr(b, name), obj.currency)
            for name in ("limit", "topped_up", "reserved", "drawn", "available")
        }


class GuaranteeMovementOut(serializers.ModelSerializer):
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    amount = serializers.SerializerMethodField()
    currency = serializers.CharField(source="account.currency")

    class Meta:
        model = GuaranteeMovement
        fields = [
            "id",
            "account",
            "kind",
            "kind_label",
            "amount",
            "currency",
            "declaration",
            "note",
            "created_at",
        ]

    def get_amount(self, obj: GuaranteeMovement) -> str | None:
        return money_str(obj.amount, obj.account.currency)


class GuaranteeUseIn(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=18, decimal_places=3, required=False)
