"""The trader's side (traders and the brokers acting for them): questions from agencies
and their answers, where each agency stands on a declaration, second tests (TFA 5.2,
5.3, 10.4). The trader sees the agency and the reason category, never an officer's
words, and only the declarations it may see."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ventanilla.agencies import selectors, services
from ventanilla.agencies.api import serializers as s
from ventanilla.agencies.choices import InformationRequestStatus
from ventanilla.agencies.models import InformationRequest
from ventanilla.core.idempotency import idempotent


class InformationRequestListView(ListAPIView):
    serializer_class = s.InformationRequestSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return InformationRequest.objects.none()
        wanted = self.request.query_params.get("status") or None
        if wanted not in (None, *InformationRequestStatus.values):
            wanted = "-"  # an unknown status matches nothing
        return selectors.information_requests_for(user=self.request.user, status=wanted)


class InformationAnswerView(APIView):
    @extend_schema(request=s.AnswerSerializer, responses=s.InformationRequestSerializer)
    @idempotent("agencies.information_request.answer")
    def post(self, request: Request, pk: int) -> Response:
        found = get_object_or_404(selectors.information_requests_for(user=request.user), pk=pk)
        payload = s.AnswerSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        answered = services.information_answer(
            request=found, by=request.user, answer=payload.validated_data["answer"]
        )
        return Response(s.InformationRequestSerializer(answered).data)


class DeclarationReviewsView(APIView):
    """Which agencies act on a declaration and where each stands (TFA 8, 10.4)."""

    @extend_schema(responses=s.TraderReviewSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        declaration = selectors.declaration_for(user=request.user, pk=pk)
        if declaration is None:
            raise Http404
        inspection = selectors.inspection_latest(declaration=declaration)
        reviews = selectors.reviews_current(declaration=declaration)
        return Response(
            {
                "declaration_id": declaration.pk,
                "reviews": s.TraderReviewSerializer(reviews, many=True).data,
                "inspection": (
                    s.TraderInspectionSerializer(inspection).data
                    if inspection is not None
                    else None
                ),
            }
        )


class SecondTestRequestView(APIView):
    """TFA 5.3: ask for a second test of a sample after an adverse result."""

    @extend_schema(request=s.SecondTestCreateSerializer, responses={201: s.SecondTestSerializer})
    @idempotent("agencies.second_test.request")
    def post(self, request: Request, pk: int) -> Response:
        sample = get_object_or_404(selectors.trader_sample_qs_for(user=request.user), pk=pk)
        payload = s.SecondTestCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        created = services.second_test_request(
            sample=sample, by=request.user, **payload.validated_data
        )
        return Response(s.SecondTestSerializer(created).data, status=status.HTTP_201_CREATED)
