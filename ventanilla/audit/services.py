"""Writing to the audit trail. Called by every state-changing service, inside its
transaction, so the event exists exactly when the change does.

Appending takes the chain-head lock until the transaction commits. A long use case
(lodge, assess, route: several audited steps) wraps itself in ``audit_batch()`` so its
events are appended together at the end of its transaction: the lock is then held for
the last few milliseconds only, and concurrent lodgements do not queue behind each other
for the whole of their work.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import structlog
from django.db import models, transaction
from django.utils import timezone

from ventanilla.audit.chain import canonical, digest, event_fields
from ventanilla.audit.models import AuditChainHead, AuditEvent
from ventanilla.core import bulk
from ventanilla.core.baked import Baked
from ventanilla.core.idempotency import nested_savepoint


@dataclass
class _Pending:
    verb: str
    target_type: str
    target_id: str
    actor_id: int | None
    actor_label: str
    organisation_id: int | None
    payload: Any
    request_id: str
    occurred_at: Any


_batch: ContextVar[list[_Pending] | None] = ContextVar("audit_batch", default=None)


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
) -> AuditEvent | None:
    """Append one event (``by`` is the acting user, or ``None`` for the system itself:
    loaders, scheduled tasks). Must run inside the caller's transaction. Inside
    ``audit_batch()`` the event is appended when the batch ends and ``None`` is
    returned."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside the service's transaction")
    target_type, target_id = _target_of(target)
    pending = _Pending(
        verb=verb,
        target_type=target_type,
        target_id=target_id,
        actor_id=getattr(by, "pk", None),
        actor_label=str(getattr(by, "email", "") or "system"),
        organisation_id=getattr(organisation, "pk", None),
        # Round-trip through JSON so the stored payload is exactly what was hashed.
        payload=json.loads(canonical(payload or {})),
        request_id=structlog.contextvars.get_contextvars().get("request_id", ""),
        occurred_at=timezone.now(),
    )
    batch = _batch.get()
    if batch is not None:
        batch.append(pending)
        return None
    return _append([pending])[0]


# The chain's head, locked until commit: events are appended one transaction at a time.
# Compiled once per process (core.baked).
_HEAD: Baked[AuditChainHead] = Baked(
    lambda pk: AuditChainHead.objects.select_for_update().filter(pk=pk)[:1], pk=int
)


def _append(pending: list[_Pending]) -> list[AuditEvent]:
    head = _HEAD.first(pk=1)
    if head is None:  # the chain's first event: the head is created here
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
    seq, prev = head.last_seq, head.last_hash
    events = []
    for p in pending:
        seq += 1
        fields = event_fields(
            seq=seq,
            occurred_at=p.occurred_at.isoformat(),
            actor_id=p.actor_id,
            actor_label=p.actor_label,
            organisation_id=p.organisation_id,
            verb=p.verb,
            target_type=p.target_type,
            target_id=p.target_id,
            payload=p.payload,
            request_id=p.request_id,
        )
        event_hash = digest(prev, fields)
        events.append(
            AuditEvent(
                seq=seq,
                occurred_at=p.occurred_at,
                actor_id=p.actor_id,
                actor_label=p.actor_label,
                organisation_id=p.organisation_id,
                verb=p.verb,
                target_type=p.target_type,
                target_id=p.target_id,
                payload=p.payload,
                request_id=p.request_id,
                prev_hash=prev,
                hash=event_hash,
            )
        )
        prev = event_hash
    bulk.create_many(AuditEvent, events)
    AuditChainHead.objects.filter(id=1).update(last_seq=seq, last_hash=prev)
    return events


@contextmanager
def audit_batch(*, savepoint: bool = True) -> Iterator[None]:
    """Collect the events of the enclosed, atomic block and append them at its end, in
    order, within the same transaction. Nested batches join the outer one. Usable as a
    decorator. Only for blocks that let errors propagate: an event written inside an
    inner savepoint that is rolled back and swallowed would still be appended.

    ``savepoint=False`` joins an enclosing transaction without a savepoint (one round
    trip less each way); only for blocks whose errors no caller catches and carries on
    from inside that transaction, since it can then only be rolled back whole."""
    if _batch.get() is not None:
        yield
        return
    # Inside an idempotent write no savepoint is needed either: the batches are the
    # clearance use cases, whose errors no view catches (core.idempotency).
    with transaction.atomic(savepoint=savepoint and nested_savepoint()):
        token = _batch.set([])
        try:
            yield
            pending = _batch.get() or []
        finally:
            # Closed before the commit: callbacks run on commit (a notice sent after an
            # agency's decision) are writes of their own, not events of this batch.
            _batch.reset(token)
        if pending:
            _append(pending)
