"""The officer's API: the queue, the whole case, decisions, questions to the trader, joint
inspections and laboratory results. Thin: input serializer → service → output serializer.
A review, inspection or sample of another agency answers 404."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ventanilla.agencies import selectors, services
from ventanilla.agencies.api import serializers as s
from ventanilla.agencies.models import AgencyReview, InspectionParticipant
from ventanilla.agencies.rules import LocationValid, enforce
from ventanilla.agencies.slots import inspection_next_slot
from ventanilla.core.idempotency import idempotent


class IsAgencyOfficer(BasePermission):
    """Works reviews in at least one agency (agency officers and supervisors)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(
            request.user
            and request.user.is_authenticated
            and request.user.has_perm(selectors.DECIDE)
        )


class OfficerView(APIView):
    permission_classes = [IsAuthenticated, IsAgencyOfficer]

    def review(self, pk: int) -> AgencyReview:
        return get_object_or_404(
            selectors.review_qs_for(user=self.request.user).select_related(
                "agency", "declaration", "assigned_to"
            ),
            pk=pk,
        )

    def case(self, review: AgencyReview) -> Response:
        review = self.review(review.pk)
        context = {"own_agency_ids": set(selectors.officer_agency_ids(user=self.request.user))}
        return Response(
            s.ReviewCaseSerializer(selectors.review_case(review=review), context=context).data
        )


def _valid(serializer_class: type, data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class QueueView(ListAPIView):
    """The agency's work queue: perishables first, then breached service levels, then
    by due time (TFA 7.9)."""

    permission_classes = [IsAuthenticated, IsAgencyOfficer]
    serializer_class = s.ReviewQueueSerializer

    @extend_schema(parameters=[s.QueueFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return AgencyReview.objects.none()
        filters = _valid(s.QueueFilterSerializer, self.request.query_params.dict())
        return selectors.review_queue_for(user=self.request.user, **filters)


class ReviewDetailView(OfficerView):
    @extend_schema(responses=s.ReviewCaseSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return self.case(self.review(pk))


class ReviewStartView(OfficerView):
    @extend_schema(request=None, responses=s.ReviewCaseSerializer)
    @idempotent("agencies.review.start")
    def post(self, request: Request, pk: int) -> Response:
        review = services.review_start(review=self.review(pk), by=request.user)
        return self.case(review)


class ReviewDecideView(OfficerView):
    @extend_schema(request=s.DecideSerializer, responses=s.ReviewCaseSerializer)
    @idempotent("agencies.review.decide")
    def post(self, request: Request, pk: int) -> Response:
        review = self.review(pk)
        data = _valid(s.DecideSerializer, request.data)
        review = services.review_decide(review=review, by=request.user, **data)
        return self.case(review)


class ReviewInformationRequestView(OfficerView):
    @extend_schema(
        request=s.InformationRequestCreateSerializer,
        responses={201: s.InformationRequestSerializer},
    )
    @idempotent("agencies.review.information_request")
    def post(self, request: Request, pk: int) -> Response:
        review = self.review(pk)
        data = _valid(s.InformationRequestCreateSerializer, request.data)
        created = services.information_request(
            review=review, message=data["message"], by=request.user
        )
        return Response(
            s.InformationRequestSerializer(created).data, status=status.HTTP_201_CREATED
        )


class InspectionBase(OfficerView):
    def inspection_response(self, pk: int) -> Response:
        inspection = selectors.inspection_qs_for(user=self.request.user).get(pk=pk)
        context = {"own_agency_ids": set(selectors.officer_agency_ids(user=self.request.user))}
        return Response(s.InspectionSerializer(inspection, context=context).data)

    def participant(self, pk: int, agency_id: int | None) -> InspectionParticipant:
        """The caller's agency's place in the inspection (404 for outsiders)."""
        inspection = get_object_or_404(selectors.inspection_qs_for(user=self.request.user), pk=pk)
        mine = selectors.officer_agency_ids(user=self.request.user)
        if agency_id is not None:
            mine = [a for a in mine if a == agency_id]
        participant = inspection.participants.filter(agency_id__in=mine).order_by("pk").first()
        if participant is None:
            raise Http404
        return participant


class ReviewInspectionView(InspectionBase):
    """Book the joint inspection for the review's declaration, or join the one booked."""

    @extend_schema(request=s.InspectionBookSerializer, responses=s.InspectionSerializer)
    @idempotent("agencies.inspection.book")
    def post(self, request: Request, pk: int) -> Response:
        review = self.review(pk)
        data = _valid(s.InspectionBookSerializer, request.data)
        declaration = review.declaration
        location = (
            data["location"] or declaration.discharge_location or declaration.loading_location
        )
        inspection = services.inspection_book(
            declaration=declaration,
            location=location,
            scheduled_at=data["scheduled_at"],
            place=data["place"],
            duration_minutes=data["duration_minutes"],
            by=request.user,
        )
        return self.inspection_response(inspection.pk)


class NextSlotView(OfficerView):
    """The first free inspection slot at a place (TFA 7.9: perishables first)."""

    @extend_schema(parameters=[s.NextSlotQuerySerializer], responses=s.NextSlotSerializer)
    def get(self, request: Request) -> Response:
        query = _valid(s.NextSlotQuerySerializer, request.query_params.dict())
        location = query["location"].upper()
        enforce([LocationValid()], location)
        slot = inspection_next_slot(location=location, perishable=query["perishable"])
        return Response(
            s.NextSlotSerializer(
                {"location": location, "perishable": query["perishable"], "slot": slot}
            ).data
        )


class InspectionStartView(InspectionBase):
    @extend_schema(request=None, responses=s.InspectionSerializer)
    @idempotent("agencies.inspection.start")
    def post(self, request: Request, pk: int) -> Response:
        inspection = get_object_or_404(selectors.inspection_qs_for(user=request.user), pk=pk)
        services.inspection_start(inspection=inspection, by=request.user)
        return self.inspection_response(pk)


class InspectionResultView(InspectionBase):
    @extend_schema(request=s.ResultSerializer, responses=s.InspectionSerializer)
    @idempotent("agencies.inspection.result")
    def post(self, request: Request, pk: int) -> Response:
        data = _valid(s.ResultSerializer, request.data)
        participant = self.participant(pk, data.pop("agency"))
        services.inspection_record_result(participant=participant, by=request.user, **data)
        return self.inspection_response(pk)


class InspectionSampleView(InspectionBase):
    @extend_schema(request=s.SampleCreateSerializer, responses={201: s.SampleSerializer})
    @idempotent("agencies.sample.record")
    def post(self, request: Request, pk: int) -> Response:
        data = _valid(s.SampleCreateSerializer, request.data)
        participant = self.participant(pk, data.pop("agency"))
        sample = services.sample_record(participant=participant, by=request.user, **data)
        return Response(s.SampleSerializer(sample).data, status=status.HTTP_201_CREATED)


class SampleResultView(OfficerView):
    @extend_schema(request=s.LabResultSerializer, responses=s.SampleSerializer)
    @idempotent("agencies.sample.result")
    def post(self, request: Request, pk: int) -> Response:
        sample = get_object_or_404(selectors.sample_qs_for(user=request.user), pk=pk)
        data = _valid(s.LabResultSerializer, request.data)
        sample = services.sample_result_record(sample=sample, by=request.user, **data)
        return Response(s.SampleSerializer(sample).data)


class SecondTestResultView(OfficerView):
    @extend_schema(request=s.LabResultSerializer, responses=s.SecondTestSerializer)
    @idempotent("agencies.second_test.result")
    def post(self, request: Request, pk: int) -> Response:
        second = get_object_or_404(selectors.second_test_qs_for(user=request.user), pk=pk)
        data = _valid(s.LabResultSerializer, request.data)
        second = services.second_test_result_record(request=second, by=request.user, **data)
        return Response(s.SecondTestSerializer(second).data)
