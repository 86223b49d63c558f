"""Public, read-only reference data API (TFA 1.2: information available on the
Internet). Anyone may read it; views only call selectors."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from ventanilla.reference import selectors
from ventanilla.reference.api import serializers as s

Q_PARAM = OpenApiParameter("q", OpenApiTypes.STR, description="Search words or a code.")


class PublicListView(generics.ListAPIView):
    # GET only (anything else is 405), no sign-in, the project's pagination. No docstring:
    # drf-spectacular would copy it into every endpoint's description.

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    filter_backends: list[Any] = []

    def query(self, name: str) -> str:
        return self.request.query_params.get(name, "").strip()


@extend_schema(
    summary="HS codes: chapters, children of a code, or a search",
    parameters=[
        Q_PARAM,
        OpenApiParameter("parent", OpenApiTypes.STR, description="Children of this code."),
    ],
)
class HSCodeListView(PublicListView):
    serializer_class = s.HSCodeSerializer

    def get_queryset(self) -> QuerySet[Any]:
        if query := self.query("q"):
            return selectors.hs_search(query=query, limit=None)
        if parent := self.query("parent"):
            return selectors.hs_children(parent_code=parent.replace(".", ""))
        return selectors.hs_chapters()


class HSCodeDetailView(generics.GenericAPIView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    serializer_class = s.HSCodeDetailSerializer

    @extend_schema(summary="One HS code with its ancestors, children and tariff lines")
    def get(self, request: Request, code: str) -> Response:
        detail = selectors.hs_code_detail(code=code)
        if detail is None:
            raise Http404
        return Response(self.get_serializer(detail).data)


@extend_schema(summary="ISO 3166-1 countries", parameters=[Q_PARAM])
class CountryListView(PublicListView):
    serializer_class = s.CountrySerializer

    def get_queryset(self) -> QuerySet[Any]:
        if query := self.query("q"):
            return selectors.country_search(query=query, limit=None)
        return selectors.country_qs()


@extend_schema(summary="ISO 4217 currencies")
class CurrencyListView(PublicListView):
    serializer_class = s.CurrencySerializer

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.currency_qs()


@extend_schema(summary="UN/LOCODE locations kept for trade", parameters=[s.LocationQuerySerializer])
class LocationListView(PublicListView):
    serializer_class = s.LocationSerializer

    def get_queryset(self) -> QuerySet[Any]:
        params = s.LocationQuerySerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        return selectors.location_search(
            query=data["q"], country=data["country"], function=data["function"], limit=None
        )


@extend_schema(summary="Customs offices")
class CustomsOfficeListView(PublicListView):
    serializer_class = s.CustomsOfficeSerializer

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.customs_office_qs()


@extend_schema(summary="Units of measure (UN/ECE Recommendation 20)")
class UnitListView(PublicListView):
    serializer_class = s.UnitOfMeasureSerializer

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.unit_qs()


@extend_schema(summary="Package types (UN/ECE Recommendation 21)")
class PackageTypeListView(PublicListView):
    serializer_class = s.PackageTypeSerializer

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.package_type_qs()


@extend_schema(summary="Supporting document types")
class DocumentTypeListView(PublicListView):
    serializer_class = s.DocumentTypeSerializer

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.document_type_qs()
