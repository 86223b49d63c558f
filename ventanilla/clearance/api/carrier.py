"""Carrier and terminal API: report arrival, see what may leave (TFA 7.1)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ventanilla.accounts.models import Organisation
from ventanilla.accounts.selectors import organisation_qs_for
from ventanilla.clearance import services
from ventanilla.core.errors import BusinessError
from ventanilla.core.idempotency import idempotent
from ventanilla.declarations.api.output import DeclarationSummaryOut, represent_many
from ventanilla.declarations.selectors import declaration_qs_for


class ArrivalInput(serializers.Serializer):
    conveyance_ref = serializers.CharField(
        max_length=35, required=False, allow_blank=True, default=""
    )
    mrns = serializers.ListField(
        child=serializers.CharField(max_length=18), required=False, default=list, max_length=1000
    )
    arrived_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    location = serializers.CharField(max_length=5, required=False, allow_blank=True, default="")


def reporting_organisation(request: Request) -> Organisation:
    """Carriers and terminals report arrivals; customs may record one too."""
    orgs = organisation_qs_for(user=request.user)
    org = (
        orgs.filter(kind="carrier").first()
        or orgs.filter(kind="agency", agency_function="customs").first()
    )
    if org is None:
        raise BusinessError.single(
            "forbidden", _("Only carriers, terminals and customs report arrivals."), http_status=403
        )
    return org


class ArrivalView(APIView):
    @extend_schema(request=ArrivalInput, responses=DeclarationSummaryOut(many=True))
    @idempotent("arrival.report")
    def post(self, request: Request) -> Response:
        org = reporting_organisation(request)
        payload = ArrivalInput(data=request.data)
        payload.is_valid(raise_exception=True)
        arrived = services.arrival_report(
            organisation=org, by=request.user, **payload.validated_data
        )
        return Response({"declarations": represent_many(DeclarationSummaryOut, arrived)})


class ReleaseListView(ListAPIView):
    """What may leave: released declarations of the carrier, per conveyance."""

    serializer_class = DeclarationSummaryOut

    def get_queryset(self) -> Any:
        qs = declaration_qs_for(user=self.request.user).filter(status="released")
        conveyance = self.request.query_params.get("conveyance_ref")
        if conveyance:
            qs = qs.filter(conveyance_ref=conveyance)
        return qs.select_related("trader", "declarant").order_by("-released_at", "-pk")
