"""Writing to the audit trail. Called by every state-changing service, inside its
transaction, so the event exists exactly when the change does."""

from __future__ import annotations

import json
from typing import Any

import structlog
from django.db import models, transaction
from django.utils import timezone

from ventanilla.audit.chain import canonical, digest, event_fields
from ventanilla.audit.models import AuditChainHead, AuditEvent


def _target_of(target: models.Model | tuple[str, str | int]) -> tuple[str, str]:
    if isinstance(target, models.Model):
        return target._meta.label_lower, str(target.pk)
    kind, ident = target
    return kind, str(ident)


def audit_record(
    *,
    verb: str,
    target: models.Model | tuple[str, str | int],
    by: Any | None,
    organisation: Any | None = None,
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. Must run inside the caller's transaction (``by`` is the acting
    user, or ``None`` for the system itself: loaders, scheduled tasks)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside the service's transaction")
    target_type, target_id = _target_of(target)
    # Round-trip through JSON so the stored payload is exactly what was hashed.
    clean_payload = json.loads(canonical(payload or {}))
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
    seq = head.last_seq + 1
    occurred_at = timezone.now()
    actor_id = getattr(by, "pk", None)
    actor_label = str(getattr(by, "email", "") or "system")
    org_id = getattr(organisation, "pk", None)
    request_id = structlog.contextvars.get_contextvars().get("request_id", "")
    fields = event_fields(
        seq=seq,
        occurred_at=occurred_at.isoformat(),
        actor_id=actor_id,
        actor_label=actor_label,
        organisation_id=org_id,
        verb=verb,
        target_type=target_type,
        target_id=target_id,
        payload=clean_payload,
        request_id=request_id,
    )
    event_hash = digest(head.last_hash, fields)
    event = AuditEvent.objects.create(
        seq=seq,
        occurred_at=occurred_at,
        actor_id=actor_id,
        actor_label=actor_label,
        organisation_id=org_id,
        verb=verb,
        target_type=target_type,
        target_id=target_id,
        payload=clean_payload,
        request_id=request_id,
        prev_hash=head.last_hash,
        hash=event_hash,
    )
    AuditChainHead.objects.filter(id=1).update(last_seq=seq, last_hash=event_hash)
    return event
