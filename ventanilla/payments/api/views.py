"""Payments API. Trader side (the trader, its broker): start a payment, follow it, get
the receipt, see its guarantee accounts, use the guarantee for a declaration. Officers:
the financial state and payments of the declarations they see. Providers: the signed
callback endpoint (no session, no token: the signature is the credential)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ventanilla.accounts.selectors import acting_organisation_ids
from ventanilla.declarations.models import Declaration
from ventanilla.duties import selectors as duties_selectors
from ventanilla.payments import selectors, services
from ventanilla.payments.api import serializers as s
from ventanilla.payments.models import GuaranteeMovement
from ventanilla.payments.rules import Forbidden

USE_GUARANTEE = "payments.use_guarantee"


def _declaration(request: Request, pk: int) -> Declaration:
    declaration = duties_selectors.declaration_visible(user=request.user, pk=pk)
    if declaration is None:
        raise Http404
    return declaration


def _trader_side(request: Request, declaration: Declaration) -> bool:
    return duties_selectors.acts_for_trader_side(user=request.user, declaration=declaration)


def _officer(request: Request) -> bool:
    return duties_selectors.is_officer(user=request.user, perm=duties_selectors.VIEW_ASSESSMENTS)


def _readable(request: Request, pk: int) -> Declaration:
    declaration = _declaration(request, pk)
    if not (_trader_side(request, declaration) or _officer(request)):
        raise Forbidden.refuse()
    return declaration


class DeclarationPaymentsView(APIView):
    @extend_schema(responses=s.PaymentOut(many=True))
    def get(self, request: Request, pk: int) -> Response:
        declaration = _readable(request, pk)
        rows = selectors.payment_qs_for(user=request.user).filter(declaration=declaration)
        return Response(s.PaymentOut(rows, many=True).data)

    @extend_schema(request=None, responses={201: s.PaymentOut, 200: s.PaymentOut})
    def post(self, request: Request, pk: int) -> Response:
        """Start paying what is due. The ``Idempotency-Key`` header is required: the same
        key returns the same payment (200, ``Idempotent-Replayed: true``)."""
        declaration = _declaration(request, pk)
        if not _trader_side(request, declaration):
            raise Forbidden.refuse()
        payment = services.payment_start(
            declaration=declaration,
            by=request.user,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
        )
        response = Response(
            s.PaymentOut(payment).data,
            status=status.HTTP_200_OK if payment.replayed else status.HTTP_201_CREATED,
        )
        if payment.replayed:
            response["Idempotent-Replayed"] = "true"
        return response


class FinancialStateView(APIView):
    @extend_schema(responses=s.FinancialStateOut)
    def get(self, request: Request, pk: int) -> Response:
        declaration = _readable(request, pk)
        return Response(s.financial_state_data(selectors.financial_state(declaration=declaration)))


class PaymentDetailView(APIView):
    """A payment's status, and its receipt once confirmed."""

    @extend_schema(responses=s.PaymentOut)
    def get(self, request: Request, pk: int) -> Response:
        payment = selectors.payment_qs_for(user=request.user).filter(pk=pk).first()
        if payment is None:
            raise Http404
        _readable(request, payment.declaration_id)
        return Response(s.PaymentOut(payment).data)


class GuaranteeAccountListView(ListAPIView):
    """The guarantee accounts of the caller's own organisations, with their balance."""

    serializer_class = s.GuaranteeAccountOut

    def get_queryset(self) -> Any:
        return selectors.guarantee_account_qs_for(user=self.request.user).order_by("reference")


class GuaranteeMovementListView(ListAPIView):
    serializer_class = s.GuaranteeMovementOut

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return GuaranteeMovement.objects.none()
        account = (
            selectors.guarantee_account_qs_for(user=self.request.user)
            .filter(pk=self.kwargs["pk"])
            .first()
        )
        if account is None:
            raise Http404
        return account.movements.select_related("account").order_by("-created_at", "-pk")


class GuaranteeUseView(APIView):
    """Cover the declaration's duties with the trader's guarantee (TFA 7.3); the amount
    defaults to what is still due."""

    @extend_schema(request=s.GuaranteeUseIn, responses={201: s.GuaranteeMovementOut})
    def post(self, request: Request, pk: int) -> Response:
        declaration = _declaration(request, pk)
        ids = set(acting_organisation_ids(user=request.user))
        if not any(
            org.pk in ids and request.user.has_perm(USE_GUARANTEE, org)
            for org in (declaration.trader, declaration.declarant)
        ):
            raise Forbidden.refuse()
        payload = s.GuaranteeUseIn(data=request.data)
        payload.is_valid(raise_exception=True)
        amount = payload.validated_data.get("amount")
        if amount is None:
            amount = selectors.financial_state(declaration=declaration).outstanding
        _account, before = selectors.reservation_open(declaration=declaration)
        movement = services.guarantee_reserve(
            declaration=declaration, amount=amount, by=request.user
        )
        return Response(
            s.GuaranteeMovementOut(movement).data,
            status=status.HTTP_200_OK if before > 0 else status.HTTP_201_CREATED,
        )


class ProviderCallbackView(APIView):
    """Payment providers tell us the outcome here. Partner API: no session or token,
    the body's signature is the credential; any body that is not a valid signed
    callback gets a 400 with the error shape, never a 500."""

    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(request=None, responses={200: None})
    def post(self, request: Request, provider_code: str) -> Response:
        payment = services.payment_callback_handle(
            provider_code=provider_code, headers=dict(request.headers), body=request.body
        )
        return Response(
            {"received": True, "reference": payment.reference, "status": payment.status}
        )
