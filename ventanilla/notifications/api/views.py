"""Notices and webhooks API: thin views, selectors to read, services to write.

Another organisation's notice, endpoint or delivery is answered 404, never 403, so
callers cannot probe which ids exist.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ventanilla.accounts.models import Organisation, User
from ventanilla.accounts.selectors import managed_organisation_ids, organisation_qs_for
from ventanilla.core.errors import BusinessError
from ventanilla.core.idempotency import idempotent
from ventanilla.notifications import selectors, services
from ventanilla.notifications.api import serializers as s
from ventanilla.notifications.kinds import KIND_CODES
from ventanilla.notifications.models import Notice, OutboundWebhook, WebhookStatus


def _user(request: Request) -> User:
    # IsAuthenticated (the default permission) has already refused anonymous callers.
    assert isinstance(request.user, User)
    return request.user


class NoticeFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(method="filter_unread")
    declaration_id = django_filters.NumberFilter(field_name="declaration_id")
    kind = django_filters.ChoiceFilter(choices=[(k, k) for k in KIND_CODES])

    class Meta:
        model = Notice
        fields = ["unread", "declaration_id", "kind"]

    def filter_unread(self, queryset: Any, name: str, value: bool | None) -> Any:
        if value is None:
            return queryset
        return queryset.filter(Q(is_read=not value))


class NoticeListView(ListAPIView):
    """My notices, newest first (TFA 5.2, 7.1), text in the caller's language."""

    serializer_class = s.NoticeSerializer
    filterset_class = NoticeFilter

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Notice.objects.none()
        return selectors.notice_qs_for(user=self.request.user).order_by("-created_at", "-pk")


UNREAD_SCHEMA = {"type": "object", "properties": {"unread": {"type": "integer"}}}
READ_ALL_SCHEMA = {
    "type": "object",
    "properties": {"marked": {"type": "integer"}, "unread": {"type": "integer"}},
}


class UnreadCountView(APIView):
    @extend_schema(responses={200: UNREAD_SCHEMA})
    def get(self, request: Request) -> Response:
        return Response({"unread": selectors.notice_unread_count(user=request.user)})


class NoticeReadView(APIView):
    @extend_schema(request=None, responses=s.NoticeSerializer)
    @idempotent("notice.read")
    def post(self, request: Request, pk: int) -> Response:
        notice = get_object_or_404(selectors.notice_qs_for(user=request.user), pk=pk)
        services.notice_mark_read(notice=notice, by=_user(request))
        notice = selectors.notice_qs_for(user=request.user).get(pk=pk)
        return Response(s.NoticeSerializer(notice).data)


class NoticeReadAllView(APIView):
    @extend_schema(request=s.ReadAllSerializer, responses={200: READ_ALL_SCHEMA})
    @idempotent("notice.read_all")
    def post(self, request: Request) -> Response:
        payload = s.ReadAllSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        marked = services.notice_mark_all_read(
            by=_user(request), declaration_id=payload.validated_data.get("declaration_id")
        )
        unread = selectors.notice_unread_count(user=request.user)
        return Response({"marked": marked, "unread": unread})


def _managed_organisation(request: Request, requested: int | None) -> Organisation:
    """The organisation a new endpoint is for: the one asked for (404 if the caller
    does not act for it, 403 if they may not manage it), or the only one they manage."""
    if requested is not None:
        org = get_object_or_404(organisation_qs_for(user=request.user), pk=requested)
        if not request.user.has_perm("accounts.manage_organisation", org):
            raise BusinessError.single(
                "forbidden", _("You may not manage this organisation."), http_status=403
            )
        return org
    managed = managed_organisation_ids(user=request.user)
    if not managed:
        raise BusinessError.single(
            "forbidden", _("You may not manage any organisation."), http_status=403
        )
    if len(managed) > 1:
        raise BusinessError.single(
            "organisation_required",
            _("You manage several organisations: say which one."),
            "organisation",
        )
    return organisation_qs_for(user=request.user).get(pk=managed[0])


class WebhookEndpointListCreateView(APIView):
    @extend_schema(responses=s.WebhookEndpointSerializer(many=True))
    def get(self, request: Request) -> Response:
        endpoints = selectors.webhook_endpoint_qs_for(user=request.user)
        return Response(s.WebhookEndpointSerializer(endpoints, many=True).data)

    @extend_schema(
        request=s.WebhookEndpointCreateSerializer, responses={201: s.WebhookEndpointSerializer}
    )
    @idempotent("webhook_endpoint.create")
    def post(self, request: Request) -> Response:
        payload = s.WebhookEndpointCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        org = _managed_organisation(request, data.get("organisation"))
        issued = services.webhook_endpoint_create(
            organisation=org,
            url=data["url"],
            kinds=data.get("kinds") or [],
            description=data.get("description", ""),
            by=_user(request),
        )
        body = {**s.WebhookEndpointSerializer(issued.endpoint).data, "secret": issued.secret}
        response = Response(body, status=status.HTTP_201_CREATED)
        # The secret is shown once: a replay of this request answers without it.
        response.replay_data = {**body, "secret": None}  # type: ignore[attr-defined]
        return response


class WebhookEndpointDetailView(APIView):
    @extend_schema(responses=s.WebhookEndpointSerializer)
    def get(self, request: Request, pk: int) -> Response:
        endpoint = get_object_or_404(selectors.webhook_endpoint_qs_for(user=request.user), pk=pk)
        return Response(s.WebhookEndpointSerializer(endpoint).data)

    @extend_schema(responses={204: None})
    @idempotent("webhook_endpoint.delete")
    def delete(self, request: Request, pk: int) -> Response:
        endpoint = get_object_or_404(selectors.webhook_endpoint_qs_for(user=request.user), pk=pk)
        services.webhook_endpoint_delete(endpoint=endpoint, by=_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookEndpointRotateView(APIView):
    @extend_schema(request=None, responses=s.WebhookEndpointSerializer)
    @idempotent("webhook_endpoint.rotate_secret")
    def post(self, request: Request, pk: int) -> Response:
        endpoint = get_object_or_404(selectors.webhook_endpoint_qs_for(user=request.user), pk=pk)
        issued = services.webhook_endpoint_rotate_secret(endpoint=endpoint, by=_user(request))
        body = {**s.WebhookEndpointSerializer(issued.endpoint).data, "secret": issued.secret}
        response = Response(body)
        response.replay_data = {**body, "secret": None}  # type: ignore[attr-defined]
        return response


class DeliveryFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=WebhookStatus.choices)
    endpoint = django_filters.NumberFilter(field_name="endpoint_id")

    class Meta:
        model = OutboundWebhook
        fields = ["status", "endpoint"]


class WebhookDeliveryListView(ListAPIView):
    """Deliveries to my organisations' endpoints, with status and attempts."""

    serializer_class = s.WebhookDeliverySerializer
    filterset_class = DeliveryFilter

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return OutboundWebhook.objects.none()
        return selectors.webhook_delivery_qs_for(user=self.request.user).order_by(
            "-created_at", "-pk"
        )


class WebhookDeliveryDetailView(APIView):
    @extend_schema(responses=s.WebhookDeliveryDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        hook = get_object_or_404(selectors.webhook_delivery_qs_for(user=request.user), pk=pk)
        return Response(s.WebhookDeliveryDetailSerializer(hook).data)


class WebhookRedeliverView(APIView):
    @extend_schema(request=None, responses={202: s.WebhookDeliverySerializer})
    @idempotent("webhook.redeliver")
    def post(self, request: Request, pk: int) -> Response:
        hook = get_object_or_404(selectors.webhook_delivery_qs_for(user=request.user), pk=pk)
        services.webhook_redeliver(webhook=hook, by=_user(request))
        # The immediate task backend may already have sent it: answer the current state.
        hook = selectors.webhook_delivery_qs_for(user=request.user).get(pk=pk)
        return Response(s.WebhookDeliverySerializer(hook).data, status=status.HTTP_202_ACCEPTED)
