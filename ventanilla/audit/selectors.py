"""Who reads the audit trail: superusers and the national trade facilitation committee
see every event; an agency supervisor sees the events of their own agency."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ventanilla.audit.models import AuditEvent


def audit_event_qs_for(
    *, user: Any, organisation_ids: list[int], oversees_all: bool
) -> QuerySet[AuditEvent]:
    if not user.has_perm("audit.view_auditevent"):
        return AuditEvent.objects.none()
    qs = AuditEvent.objects.all()
    if user.is_superuser or oversees_all:
        return qs
    return qs.filter(organisation_id__in=organisation_ids)
