"""Trader and broker API: lodge (single and bulk), amend, cancel. Every write accepts an
Idempotency-Key; the LRN is a second, natural guard against duplicates."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ventanilla.accounts.models import Organisation
from ventanilla.accounts.selectors import acting_organisation
from ventanilla.clearance import services
from ventanilla.core.errors import BusinessError
from ventanilla.core.idempotency import idempotent
from ventanilla.declarations.api import fastpath
from ventanilla.declarations.api.output import (
    DeclarationOut,
    DeclarationSummaryOut,
    represent,
    represent_many,
)
from ventanilla.declarations.api.serializers import (
    AmendInput,
    BulkInput,
    CancelInput,
    DeclarationInput,
)
from ventanilla.declarations.api.views import visible_declaration

LODGING_KINDS = ("trader", "broker")


def lodging_organisation(request: Request, declaration: Any = None) -> Organisation:
    """The organisation the caller lodges for: the declarant of an existing declaration,
    or the one trader/broker organisation the caller acts for (``?organisation=`` picks
    one when there are several)."""
    pk: int | None = None
    if declaration is not None:
        pk = declaration.declarant_id
    elif raw := request.query_params.get("organisation", "").strip():
        pk = int(raw) if raw.isdigit() else 0  # no organisation has id 0: refused below
    # A token's organisation comes with the token: no query.
    org = acting_organisation(user=request.user, kinds=LODGING_KINDS, pk=pk)
    if org is None:
        raise BusinessError.single(
            "forbidden",
            _("You do not lodge declarations for this organisation."),
            "organisation",
            http_status=403,
        )
    return org


class LodgeView(APIView):
    @extend_schema(request=DeclarationInput, responses={201: DeclarationOut})
    @idempotent("declaration.lodge")
    def post(self, request: Request) -> Response:
        declarant = lodging_organisation(request)
        data = fastpath.validated(DeclarationInput, request.data)
        lodged = services.declaration_submit(data=data, declarant=declarant, by=request.user)
        body = represent(DeclarationOut, lodged.declaration)
        return Response(
            body, status=status.HTTP_201_CREATED if lodged.created else status.HTTP_200_OK
        )


class BulkLodgeView(APIView):
    @extend_schema(request=BulkInput, responses={201: DeclarationSummaryOut(many=True)})
    @idempotent("declaration.lodge_bulk")
    def post(self, request: Request) -> Response:
        declarant = lodging_organisation(request)
        data = fastpath.validated(BulkInput, request.data)
        lodged = services.declarations_submit_bulk(
            rows=data["declarations"], declarant=declarant, by=request.user
        )
        summaries = represent_many(DeclarationSummaryOut, [x.declaration for x in lodged])
        rows = [
            {"index": n, "created": x.created, **summary}
            for n, (x, summary) in enumerate(zip(lodged, summaries, strict=True))
        ]
        return Response({"declarations": rows}, status=status.HTTP_201_CREATED)


class AmendView(APIView):
    @extend_schema(request=AmendInput, responses=DeclarationOut)
    @idempotent("declaration.amend")
    def post(self, request: Request, pk: int) -> Response:
        declaration = visible_declaration(request, pk)
        lodging_organisation(request, declaration)
        data = fastpath.validated(AmendInput, request.data)
        reason = data.pop("reason")
        amended = services.declaration_amend_and_assess(
            declaration=declaration, data=data, reason=reason, by=request.user
        )
        return Response(represent(DeclarationOut, amended))


class CancelView(APIView):
    @extend_schema(request=CancelInput, responses=DeclarationOut)
    @idempotent("declaration.cancel")
    def post(self, request: Request, pk: int) -> Response:
        declaration = visible_declaration(request, pk)
        org = lodging_organisation(request, declaration)
        payload = CancelInput(data=request.data)
        payload.is_valid(raise_exception=True)
        cancelled = services.declaration_cancel_and_close(
            declaration=declaration,
            reason=payload.validated_data["reason"],
            by=request.user,
            organisation=org,
        )
        return Response(represent(DeclarationOut, cancelled))
