"""Status changes and Time Release Study milestones: the only code that writes them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.audit.services import audit_record
from ventanilla.core import bulk
from ventanilla.core.errors import ConflictError
from ventanilla.declarations.choices import TRANSITIONS, Milestone, Status
from ventanilla.declarations.models import Declaration, MilestoneEvent, StatusChange


class TransitionRefused(ConflictError):
    pass


def can_transition(declaration: Declaration, to_status: str) -> bool:
    return to_status in TRANSITIONS[Status(declaration.status)]


_STAMPS = {
    Status.LODGED: "lodged_at",
    Status.ACCEPTED: "accepted_at",
    Status.RELEASED: "released_at",
}


@dataclass(frozen=True)
class Move:
    """One declaration's status change: to where, why, and for which organisation."""

    declaration: Declaration
    to_status: str
    reason: str = ""
    organisation: Any | None = None


def _refused(declaration: Declaration, to_status: str) -> TransitionRefused:
    return TransitionRefused(
        "transition_refused",
        _("A declaration cannot go from %(from)s to %(to)s.")
        % {"from": Status(declaration.status).label, "to": Status(to_status).label},
        "status",
    )


@transaction.atomic
def declaration_transition(
    *,
    declaration: Declaration,
    to_status: str,
    by: Any | None,
    reason: str = "",
    organisation: Any | None = None,
    at: dt.datetime | None = None,
) -> Declaration:
    """Move to ``to_status`` if the transition table allows it, with a status change row
    (actor, time, reason) and an audit event. A move to the current status is a no-op."""
    declarations_transition(
        moves=[Move(declaration, to_status, reason, organisation)], by=by, at=at
    )
    return declaration


def declarations_transition(
    *, moves: Sequence[Move], by: Any | None, at: dt.datetime | None = None
) -> None:
    """``declaration_transition`` of many declarations (ADR 0006: a batch assessed at
    once), as one step of the caller's transaction: one UPDATE per target status, one
    insert of status change rows, the audit events appended with the caller's. Every
    move is checked first; the first refused raises and nothing is written."""
    moves = [m for m in moves if m.declaration.status != m.to_status]
    for m in moves:
        if not can_transition(m.declaration, m.to_status):
            raise _refused(m.declaration, m.to_status)
    if not moves:
        return
    at = at or timezone.now()
    changes, groups = [], defaultdict(list)
    for m in moves:
        declaration, previous = m.declaration, m.declaration.status
        declaration.status = m.to_status
        declaration.updated_at = at
        stamp = _STAMPS.get(Status(m.to_status))
        stamped = bool(stamp) and getattr(declaration, stamp or "") is None
        if stamped:
            setattr(declaration, stamp or "", at)
        groups[(m.to_status, stamp if stamped else None)].append(declaration.pk)
        changes.append(
            {
                "declaration_id": declaration.pk,
                "from_status": previous,
                "to_status": m.to_status,
                "at": at,
                "actor_id": getattr(by, "pk", None),
                "actor_organisation_id": getattr(m.organisation, "pk", None),
                "reason": m.reason[:500],
            }
        )
    for (to_status, stamp), ids in groups.items():
        fields = {"status": to_status, "updated_at": at} | ({stamp: at} if stamp else {})
        Declaration.objects.filter(pk__in=ids).update(**fields)
    bulk.insert_rows(StatusChange, changes)
    for m, change in zip(moves, changes, strict=True):
        audit_record(
            verb="declaration.status_changed",
            target=m.declaration,
            by=by,
            organisation=m.organisation or m.declaration.declarant,
            payload={"from": change["from_status"], "to": m.to_status, "reason": m.reason[:500]},
        )


def milestone_record(
    *,
    declaration: Declaration,
    milestone: Milestone | str,
    by: Any | None = None,
    at: dt.datetime | None = None,
    source: str = "",
) -> MilestoneEvent:
    """Stamp a milestone once; a second stamp of the same milestone keeps the first
    (the Time Release Study measures the first occurrence)."""
    event, _created = MilestoneEvent.objects.get_or_create(
        declaration=declaration,
        milestone=milestone,
        defaults={
            "at": at or timezone.now(),
            "source": source,
            "actor": by if getattr(by, "pk", None) else None,
        },
    )
    return event


def milestones_record(
    *,
    events: Sequence[tuple[Declaration, str, dt.datetime | None]],
    by: Any | None,
    source: str = "",
) -> None:
    """``milestone_record`` of many (declaration, milestone, time) in one insert; a
    milestone already stamped keeps its first time (the unique constraint skips it)."""
    now = timezone.now()
    actor = by if getattr(by, "pk", None) else None
    MilestoneEvent.objects.bulk_create(
        [
            MilestoneEvent(declaration=d, milestone=m, at=at or now, source=source, actor=actor)
            for d, m, at in events
        ],
        ignore_conflicts=True,
    )
