from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ventanilla.clearance.selectors import declaration_timeline
from ventanilla.declarations.api.views import visible_declaration
from ventanilla.declarations.selectors import is_trader_side


class StepOut(serializers.Serializer):
    at = serializers.DateTimeField(allow_null=True)
    kind = serializers.CharField()
    title = serializers.CharField()
    detail = serializers.CharField()
    actor = serializers.CharField()


class TimelineView(APIView):
    @extend_schema(responses=StepOut(many=True))
    def get(self, request: Request, pk: int) -> Response:
        declaration = visible_declaration(request, pk)
        steps = declaration_timeline(
            declaration=declaration,
            user=request.user,
            trader_side=is_trader_side(user=request.user, declaration=declaration),
        )
        return Response({"steps": StepOut(steps, many=True).data})
