"""Trader/organisation API for accounts: thin views, selectors to read, services to write."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ventanilla.accounts import selectors, services
from ventanilla.accounts.api import serializers as s
from ventanilla.accounts.models import Membership, Organisation, User
from ventanilla.core.errors import BusinessError
from ventanilla.core.idempotency import idempotent


def _user(request: Request) -> User:
    # IsAuthenticated (the default permission) has already refused anonymous callers.
    assert isinstance(request.user, User)
    return request.user


class MeView(APIView):
    @extend_schema(responses=s.MeSerializer)
    def get(self, request: Request) -> Response:
        memberships = selectors.my_memberships(user=_user(request))
        token_org = getattr(request.user, "token_organisation_id", None)
        if token_org is not None:
            memberships = memberships.filter(organisation_id=token_org)
        data = s.MeSerializer(request.user, context={"memberships": memberships}).data
        return Response(data)


class OrganisationListView(ListAPIView):
    serializer_class = s.OrganisationSerializer

    def get_queryset(self) -> Any:
        return selectors.organisation_qs_for(user=self.request.user)


def _visible_org(request: Request, pk: int) -> Organisation:
    return get_object_or_404(selectors.organisation_qs_for(user=request.user), pk=pk)


def _require_manager(request: Request, org: Organisation) -> None:
    if not request.user.has_perm("accounts.manage_organisation", org):
        raise BusinessError.single(
            "forbidden", _("You may not manage this organisation."), http_status=403
        )


class OrganisationDetailView(APIView):
    @extend_schema(responses=s.OrganisationSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.OrganisationSerializer(_visible_org(request, pk)).data)


class MemberListView(ListAPIView):
    serializer_class = s.MembershipSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Membership.objects.none()
        org = _visible_org(self.request, self.kwargs["pk"])
        return selectors.membership_qs_for(user=self.request.user).filter(organisation=org)


class TokenListCreateView(APIView):
    @extend_schema(responses=s.ApiTokenSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        org = _visible_org(request, pk)
        _require_manager(request, org)
        tokens = selectors.api_token_qs_for(user=request.user).filter(organisation=org)
        return Response(s.ApiTokenSerializer(tokens, many=True).data)

    @extend_schema(request=s.ApiTokenCreateSerializer, responses={201: s.ApiTokenSerializer})
    @idempotent("api_token.create")
    def post(self, request: Request, pk: int) -> Response:
        org = _visible_org(request, pk)
        _require_manager(request, org)
        payload = s.ApiTokenCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        email = payload.validated_data.get("user") or _user(request).email
        member = (
            selectors.membership_qs_for(user=request.user)
            .filter(organisation=org, user__email=email.lower(), is_active=True)
            .first()
        )
        if member is None:
            raise BusinessError.single(
                "token_user_not_member",
                _("The token's user must be a member of the organisation."),
                "user",
            )
        issued = services.api_token_create(
            organisation=org,
            user=member.user,
            name=payload.validated_data["name"],
            expires_at=payload.validated_data.get("expires_at"),
            by=_user(request),
        )
        body = {**s.ApiTokenSerializer(issued.token).data, "secret": issued.secret}
        response = Response(body, status=status.HTTP_201_CREATED)
        # The secret is shown once: a replay of this request answers without it.
        response.replay_data = {**body, "secret": None}  # type: ignore[attr-defined]
        return response


class TokenRevokeView(APIView):
    @extend_schema(request=None, responses=s.ApiTokenSerializer)
    def post(self, request: Request, pk: int) -> Response:
        token = get_object_or_404(selectors.api_token_qs_for(user=request.user), pk=pk)
        token = services.api_token_revoke(token=token, by=_user(request))
        return Response(s.ApiTokenSerializer(token).data)


class PublicAgencyListView(ListAPIView):
    """Border agencies taking part in the single window (public, TFA 1.1, 8)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list[Any] = []
    serializer_class = s.PublicAgencySerializer

    def get_queryset(self) -> Any:
        return selectors.agency_qs()
