"""Risk API for officers and the committee: thin views (input serializer → service →
output serializer), reads through the scoped selectors.

Who may do what:
- profiles (list, create, revise, publish, retire) and hit-rate statistics: supervisors
  of the owner agency and committee members (others: 403, or 404 for a profile they
  cannot see);
- a declaration's assessment: customs, the agencies it is routed to and the committee;
  the trader, broker and carrier get 404, as if it did not exist (the channel is never
  shown to them);
- outcomes: officers of an agency that sees the assessment.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ventanilla.accounts.models import Organisation
from ventanilla.accounts.selectors import agency_qs
from ventanilla.core.errors import BusinessError
from ventanilla.core.idempotency import idempotent
from ventanilla.risk import selectors, services
from ventanilla.risk.api import serializers as s
from ventanilla.risk.models import RiskProfile
from ventanilla.risk.rules import OwnerIsAgency

DEFAULT_PERIOD_DAYS = 90


def _require_manager(request: Request) -> None:
    if not selectors.can_manage_profiles(user=request.user):
        raise BusinessError.single(
            "forbidden",
            _("Only agency supervisors and the trade facilitation committee manage risk profiles."),
            http_status=403,
        )


def _profile(request: Request, pk: int) -> RiskProfile:
    return get_object_or_404(selectors.risk_profile_qs_for(user=request.user), pk=pk)


def _owner(pk: int) -> Organisation:
    owner = agency_qs().filter(pk=pk).first()
    if owner is None:
        raise BusinessError([OwnerIsAgency().error("owner")])
    return owner


def _profile_response(profile: RiskProfile, code: int = status.HTTP_200_OK) -> Response:
    return Response(s.ProfileSerializer(profile).data, status=code)


class ProfileListCreateView(ListAPIView):
    serializer_class = s.ProfileSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return RiskProfile.objects.none()
        _require_manager(self.request)
        qs = selectors.risk_profile_qs_for(user=self.request.user).order_by("code", "-version")
        params = self.request.query_params
        for name in ("code", "kind", "status", "channel"):
            if params.get(name):
                qs = qs.filter(**{name: params[name]})
        if params.get("in_force") in ("1", "true"):
            qs = qs.filter(
                pk__in=[p.pk for p in selectors.profiles_in_force(on=timezone.localdate())]
            )
        return qs

    @extend_schema(request=s.ProfileCreateSerializer, responses={201: s.ProfileSerializer})
    @idempotent("risk_profile.create")
    def post(self, request: Request) -> Response:
        _require_manager(request)
        payload = s.ProfileCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        data["owner"] = _owner(data["owner"])
        profile = services.risk_profile_create(**data, by=request.user)
        return _profile_response(profile, status.HTTP_201_CREATED)


class ProfileDetailView(APIView):
    @extend_schema(responses=s.ProfileSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return _profile_response(_profile(request, pk))


class ProfileReviseView(APIView):
    @extend_schema(request=s.ProfileReviseSerializer, responses={201: s.ProfileSerializer})
    @idempotent("risk_profile.revise")
    def post(self, request: Request, pk: int) -> Response:
        profile = _profile(request, pk)
        payload = s.ProfileReviseSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        changes = dict(payload.validated_data)
        new = services.risk_profile_revise(
            profile=profile,
            by=request.user,
            valid_from=changes.pop("valid_from", None),
            reason=changes.pop("reason", ""),
            **changes,
        )
        return _profile_response(new, status.HTTP_201_CREATED)


class ProfilePublishView(APIView):
    @extend_schema(request=None, responses=s.ProfileSerializer)
    @idempotent("risk_profile.publish")
    def post(self, request: Request, pk: int) -> Response:
        profile = services.risk_profile_publish(profile=_profile(request, pk), by=request.user)
        return _profile_response(profile)


class ProfileRetireView(APIView):
    @extend_schema(request=s.RetireSerializer, responses=s.ProfileSerializer)
    @idempotent("risk_profile.retire")
    def post(self, request: Request, pk: int) -> Response:
        profile = _profile(request, pk)
        payload = s.RetireSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        profile = services.risk_profile_retire(
            profile=profile, by=request.user, reason=payload.validated_data.get("reason", "")
        )
        return _profile_response(profile)


class AssessmentView(APIView):
    """The latest assessment of a declaration, with the earlier ones listed."""

    @extend_schema(responses=s.AssessmentSerializer)
    def get(self, request: Request, declaration_id: int) -> Response:
        assessment = selectors.assessment_for(user=request.user, declaration_id=declaration_id)
        if assessment is None:
            raise BusinessError.single("not_found", _("Not found."), http_status=404)
        history = selectors.assessment_history_for(
            user=request.user, declaration_id=declaration_id
        ).exclude(pk=assessment.pk)
        return Response(
            {
                **s.AssessmentSerializer(assessment).data,
                "earlier": s.AssessmentSummarySerializer(history, many=True).data,
            }
        )


class OutcomeCreateView(APIView):
    @extend_schema(request=s.OutcomeInputSerializer, responses={201: s.OutcomeSerializer})
    @idempotent("risk_outcome.record")
    def post(self, request: Request, pk: int) -> Response:
        assessment = get_object_or_404(selectors.assessment_qs_for(user=request.user), pk=pk)
        agencies = selectors.outcome_agencies_for(user=request.user)
        if not agencies:
            raise BusinessError.single(
                "forbidden", _("Only border agency officers record outcomes."), http_status=403
            )
        payload = s.OutcomeInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if "agency" in data:
            agency = next((a for a in agencies if a.pk == data["agency"]), None)
            if agency is None:
                raise BusinessError.single(
                    "forbidden",
                    _("You may not record outcomes for this agency."),
                    "agency",
                    http_status=403,
                )
        elif len(agencies) == 1:
            agency = agencies[0]
        else:
            raise BusinessError.single(
                "agency_required", _("Say for which agency you record the outcome."), "agency"
            )
        outcome = services.risk_outcome_record(
            assessment=assessment,
            result=data["result"],
            agency=agency,
            revenue_amount=data.get("revenue_amount", 0),
            notes=data.get("notes", ""),
            by=request.user,
        )
        return Response(s.OutcomeSerializer(outcome).data, status=status.HTTP_201_CREATED)


def _period_start(date_to: dt.date) -> dt.date:
    try:
        return date_to - dt.timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    except OverflowError:  # a period ending in the first days of year 1
        return dt.date.min


class StatisticsView(APIView):
    """Hit rates per profile over a period (default: the last 90 days), for the committee
    and the owner agencies' supervisors (TFA 7.4; CRMS-style feedback)."""

    @extend_schema(parameters=[s.PeriodSerializer], responses=s.HitRateSerializer(many=True))
    def get(self, request: Request) -> Response:
        _require_manager(request)
        period = s.PeriodSerializer(data=request.query_params)
        period.is_valid(raise_exception=True)
        date_to = period.validated_data.get("date_to") or timezone.localdate()
        date_from = period.validated_data.get("date_from") or _period_start(date_to)
        if date_from > date_to:
            raise BusinessError.single(
                "period_invalid", _("The period must start on or before its end."), "date_from"
            )
        rows = selectors.profile_hit_rates(user=request.user, date_from=date_from, date_to=date_to)
        return Response(
            {
                "date_from": date_from,
                "date_to": date_to,
                "profiles": s.HitRateSerializer(rows, many=True).data,
            }
        )
