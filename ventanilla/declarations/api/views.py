"""Reading declarations (trader side and officers alike, scoped by the selector)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ventanilla.declarations import selectors
from ventanilla.declarations.api.output import DeclarationOut, DeclarationSummaryOut, represent
from ventanilla.declarations.models import Declaration


class DeclarationFilter(django_filters.FilterSet):
    class Meta:
        model = Declaration
        fields = {
            "status": ["exact", "in"],
            "declaration_type": ["exact"],
            "lrn": ["exact"],
            "mrn": ["exact"],
            "conveyance_ref": ["exact"],
            "is_perishable": ["exact"],
        }


class DeclarationListView(ListAPIView):
    serializer_class = DeclarationSummaryOut
    filterset_class = DeclarationFilter

    def get_queryset(self) -> Any:
        return (
            selectors.declaration_qs_for(user=self.request.user)
            .select_related("trader", "declarant")
            .order_by("-created_at", "-pk")
        )


def visible_declaration(request: Request, pk: int) -> Declaration:
    """The declaration if the caller may see it; 404 otherwise (not 403, so callers
    cannot probe which ids exist)."""
    return get_object_or_404(selectors.declaration_qs_for(user=request.user), pk=pk)


class DeclarationDetailView(APIView):
    @extend_schema(responses=DeclarationOut)
    def get(self, request: Request, pk: int) -> Response:
        declaration = visible_declaration(request, pk)
        trader_side = selectors.is_trader_side(user=request.user, declaration=declaration)
        return Response(represent(DeclarationOut, declaration, trader_side=trader_side))
