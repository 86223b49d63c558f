from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ventanilla.accounts.selectors import organisation_qs_for
from ventanilla.audit.models import AuditEvent
from ventanilla.audit.selectors import audit_event_qs_for
from ventanilla.audit.verify import verify_chain
from ventanilla.core.errors import BusinessError


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "seq",
            "occurred_at",
            "actor_label",
            "organisation_id",
            "verb",
            "target_type",
            "target_id",
            "payload",
            "request_id",
            "hash",
        ]


def _scope(request: Request) -> dict[str, Any]:
    orgs = organisation_qs_for(user=request.user)
    return {
        "organisation_ids": list(orgs.values_list("pk", flat=True)),
        "oversees_all": orgs.filter(kind="ministry").exists(),
    }


def _require_auditor(request: Request) -> None:
    if not request.user.has_perm("audit.view_auditevent"):
        raise BusinessError.single(
            "forbidden", _("You may not read the audit trail."), http_status=403
        )


class AuditEventListView(ListAPIView):
    serializer_class = AuditEventSerializer
    filterset_fields = ["verb", "target_type", "target_id"]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return AuditEvent.objects.none()
        _require_auditor(self.request)
        return audit_event_qs_for(user=self.request.user, **_scope(self.request)).order_by("-seq")


class AuditVerifyView(APIView):
    """Recompute the whole chain (oversight bodies only: it reads every event)."""

    @extend_schema(responses=None)
    def get(self, request: Request) -> Response:
        _require_auditor(request)
        if not (request.user.is_superuser or _scope(request)["oversees_all"]):
            raise BusinessError.single(
                "forbidden", _("Only oversight bodies verify the chain."), http_status=403
            )
        count, findings = verify_chain()
        return Response(
            {
                "intact": not findings,
                "events": count,
                "findings": [
                    {"seq": f.seq, "code": f.code, "message": f.message} for f in findings
                ],
            }
        )
