"""The requirement matrix: maintained by each agency's supervisors (TFA 10.1), published
to everyone (TFA 1.1, 1.2: one look-up shows every agency's requirement for a product)."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ventanilla.accounts.models import Organisation
from ventanilla.agencies import selectors, services
from ventanilla.agencies.api import serializers as s
from ventanilla.agencies.models import RequirementLine
from ventanilla.core.errors import BusinessError
from ventanilla.core.idempotency import idempotent


class IsMatrixSupervisor(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(
            request.user
            and request.user.is_authenticated
            and request.user.has_perm(selectors.MANAGE_LINES)
        )


def _valid(serializer_class: type, data: Any, **kwargs: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class RequirementListCreateView(ListAPIView):
    """The lines of the agencies the supervisor maintains (``?history=true``: every
    version); POST adds a line."""

    permission_classes = [IsAuthenticated, IsMatrixSupervisor]
    serializer_class = s.RequirementLineSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return RequirementLine.objects.none()
        history = self.request.query_params.get("history", "").lower() in ("1", "true")
        return selectors.requirement_lines_for(user=self.request.user, history=history)

    def _agency(self, agency_id: int | None) -> Organisation:
        managed = selectors.managed_agency_ids(user=self.request.user)
        if agency_id is None and len(managed) == 1:
            agency_id = managed[0]
        if agency_id is None:
            raise BusinessError.single(
                "agency_required", _("Say for which agency this line is."), "agency"
            )
        if agency_id not in managed:
            raise BusinessError.single(
                "forbidden",
                _("You do not maintain this agency's requirements."),
                "agency",
                http_status=403,
            )
        return selectors.agency_get(pk=agency_id)

    @extend_schema(
        request=s.RequirementCreateSerializer, responses={201: s.RequirementLineSerializer}
    )
    @idempotent("agencies.requirement.add")
    def post(self, request: Request) -> Response:
        data = _valid(s.RequirementCreateSerializer, request.data)
        agency = self._agency(data.pop("agency", None))
        line = services.requirement_line_add(agency=agency, by=request.user, **data)
        return Response(s.RequirementLineSerializer(line).data, status=status.HTTP_201_CREATED)


class RequirementChangeView(APIView):
    """Close the version in force and add the next one (never an overwrite)."""

    permission_classes = [IsAuthenticated, IsMatrixSupervisor]

    @extend_schema(
        request=s.RequirementChangeSerializer, responses={201: s.RequirementLineSerializer}
    )
    @idempotent("agencies.requirement.change")
    def post(self, request: Request, pk: int) -> Response:
        line = get_object_or_404(
            selectors.requirement_lines_for(user=request.user, history=True), pk=pk
        )
        data = _valid(s.RequirementChangeSerializer, request.data)
        valid_from = data.pop("valid_from", None)
        new = services.requirement_line_change(
            line=line, changes=data, valid_from=valid_from, by=request.user
        )
        code = status.HTTP_201_CREATED if new.pk != line.pk else status.HTTP_200_OK
        return Response(s.RequirementLineSerializer(new).data, status=code)


class RequirementEndView(APIView):
    permission_classes = [IsAuthenticated, IsMatrixSupervisor]

    @extend_schema(request=s.RequirementEndSerializer, responses=s.RequirementLineSerializer)
    @idempotent("agencies.requirement.end")
    def post(self, request: Request, pk: int) -> Response:
        line = get_object_or_404(
            selectors.requirement_lines_for(user=request.user, history=True), pk=pk
        )
        data = _valid(s.RequirementEndSerializer, request.data)
        line = services.requirement_line_end(line=line, valid_to=data["valid_to"], by=request.user)
        return Response(s.RequirementLineSerializer(line).data)


class PublicRequirementLookupView(ListAPIView):
    """What a product needs, from every agency (public, for the trade portal): by HS
    code or national tariff line, optionally origin, declaration type and procedure."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list[Any] = []
    serializer_class = s.RequirementLineSerializer

    @extend_schema(parameters=[s.PublicLookupSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return RequirementLine.objects.none()
        query = _valid(s.PublicLookupSerializer, self.request.query_params.dict())
        return selectors.requirements_matching(
            hs_code=query["hs_code"],
            origin_country=query.get("origin"),
            declaration_type=query.get("declaration_type"),
            procedure_code=query.get("procedure_code"),
            day=query.get("day"),
        )
