"""Representation mandates (WCO Agent 05A, TFA 10.6): a trader lists, grants and revokes
the mandates it gives customs brokers; a broker lists those it holds."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ventanilla.accounts import selectors, services
from ventanilla.accounts.choices import MandateKind, OrganisationKind
from ventanilla.accounts.models import Mandate, User
from ventanilla.core.errors import BusinessError
from ventanilla.core.idempotency import idempotent


class MandateSerializer(serializers.ModelSerializer):
    trader = serializers.CharField(source="trader.code")
    trader_name = serializers.CharField(source="trader.label")
    broker = serializers.CharField(source="broker.code")
    broker_name = serializers.CharField(source="broker.label")
    kind_label = serializers.CharField(source="get_kind_display")
    in_force = serializers.SerializerMethodField()

    class Meta:
        model = Mandate
        fields = [
            "id",
            "trader",
            "trader_name",
            "broker",
            "broker_name",
            "kind",
            "kind_label",
            "valid_from",
            "valid_to",
            "revoked_at",
            "in_force",
            "created_at",
        ]

    def get_in_force(self, mandate: Mandate) -> bool:
        return mandate.in_force()


class MandateGrantSerializer(serializers.Serializer):
    trader = serializers.IntegerField(
        required=False,
        help_text=gettext_lazy(
            "The trader organisation giving the mandate; needed only when you act for several."
        ),
    )
    broker = serializers.CharField(
        max_length=35, help_text=gettext_lazy("The customs broker's identifier.")
    )
    kind = serializers.ChoiceField(choices=MandateKind.choices)
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(required=False, allow_null=True)


class MandateRevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


def _user(request: Request) -> User:
    assert isinstance(request.user, User)
    return request.user


class MandateListView(ListAPIView):
    """GET: the mandates the caller's trader gave and its broker holds. POST: grant one."""

    serializer_class = MandateSerializer

    def get_queryset(self) -> Any:
        return selectors.mandate_qs_for(user=self.request.user)

    @extend_schema(request=MandateGrantSerializer, responses={201: MandateSerializer})
    @idempotent("mandate.grant")
    def post(self, request: Request) -> Response:
        payload = MandateGrantSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        trader = selectors.acting_organisation(
            user=request.user, kinds=[OrganisationKind.TRADER], pk=data.get("trader")
        )
        if trader is None:
            raise BusinessError.single(
                "forbidden",
                _("Only an administrator of the trader may grant or revoke its mandates."),
                "trader",
                http_status=403,
            )
        mandate = services.mandate_grant(
            trader=trader,
            broker=selectors.broker_by_code(code=data["broker"]),
            kind=data["kind"],
            valid_from=data["valid_from"],
            valid_to=data.get("valid_to"),
            by=_user(request),
        )
        return Response(MandateSerializer(mandate).data, status=status.HTTP_201_CREATED)


class MandateRevokeView(APIView):
    @extend_schema(request=MandateRevokeSerializer, responses=MandateSerializer)
    @idempotent("mandate.revoke")
    def post(self, request: Request, pk: int) -> Response:
        mandate = get_object_or_404(selectors.mandate_qs_for(user=request.user), pk=pk)
        payload = MandateRevokeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        mandate = services.mandate_revoke(
            mandate=mandate, by=_user(request), reason=payload.validated_data.get("reason", "")
        )
        return Response(MandateSerializer(mandate).data)
