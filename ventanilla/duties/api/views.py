"""Duties API: the trader side (trader, its broker) sees the duties of its declaration
before paying (TFA 7.2); customs officers see every assessment of the declarations
visible to them and make the final determination after release (TFA 7.3)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ventanilla.core.errors import BusinessError
from ventanilla.declarations.models import Declaration
from ventanilla.duties import selectors, services
from ventanilla.duties.api.serializers import AssessmentOut, assessment_data
from ventanilla.duties.models import DutyAssessment
from ventanilla.duties.rules import NotAssessed


def _forbidden() -> BusinessError:
    return BusinessError.single(
        "forbidden", _("You may not do this for this declaration."), http_status=403
    )


def _declaration(request: Request, pk: int) -> Declaration:
    """The declaration if the caller may see it; 404 otherwise (ids cannot be probed)."""
    declaration = selectors.declaration_visible(user=request.user, pk=pk)
    if declaration is None:
        raise Http404
    return declaration


def _out(assessment: DutyAssessment) -> dict[str, Any]:
    view = selectors.assessment_view(assessment=assessment)
    return AssessmentOut(assessment_data(view)).data  # type: ignore[return-value]


class DeclarationDutiesView(APIView):
    """The assessment in force, line by line with totals per tax (shown before payment)."""

    @extend_schema(responses=AssessmentOut)
    def get(self, request: Request, pk: int) -> Response:
        declaration = _declaration(request, pk)
        if not (
            selectors.acts_for_trader_side(user=request.user, declaration=declaration)
            or selectors.is_officer(user=request.user, perm=selectors.VIEW_ASSESSMENTS)
        ):
            raise _forbidden()
        assessment = selectors.assessment_latest(declaration=declaration)
        if assessment is None:
            raise BusinessError.single(NotAssessed.code, str(NotAssessed.message), http_status=404)
        return Response(_out(assessment))


class AssessmentHistoryView(APIView):
    """Every assessment of the declaration, newest first (officers)."""

    @extend_schema(responses=AssessmentOut(many=True))
    def get(self, request: Request, pk: int) -> Response:
        declaration = _declaration(request, pk)
        if not selectors.is_officer(user=request.user, perm=selectors.VIEW_ASSESSMENTS):
            raise _forbidden()
        rows = (
            selectors.assessment_qs_for(user=request.user)
            .filter(declaration=declaration)
            .order_by("-number")
        )
        return Response([_out(a) for a in rows])


class AssessmentDetailView(APIView):
    """One assessment, superseded or not (officers)."""

    @extend_schema(responses=AssessmentOut)
    def get(self, request: Request, pk: int) -> Response:
        assessment = selectors.assessment_qs_for(user=request.user).filter(pk=pk).first()
        if assessment is None:
            raise Http404
        if not selectors.is_officer(user=request.user, perm=selectors.VIEW_ASSESSMENTS):
            raise _forbidden()
        return Response(_out(assessment))


class FinaliseView(APIView):
    """Final determination of the duties after release (customs officers, TFA 7.3)."""

    @extend_schema(request=None, responses=AssessmentOut)
    def post(self, request: Request, pk: int) -> Response:
        declaration = _declaration(request, pk)
        if not selectors.is_officer(user=request.user, perm=selectors.FINALISE, customs_only=True):
            raise _forbidden()
        assessment = services.duties_finalise(declaration=declaration, by=request.user)
        return Response(_out(assessment))
