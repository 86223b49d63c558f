"""Status changes and Time Release Study milestones: the only code that writes them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.audit.services import audit_record
from ventanilla.core.errors import ConflictError
from ventanilla.declarations.choices import TRANSITIONS, Milestone, Status
from ventanilla.declarations.models import Declaration, MilestoneEvent, StatusChange


class TransitionRefused(ConflictError):
    pass


def can_transition(declaration: Declaration, to_status: str) -> bool:
    return to_status in TRANSITIONS[Status(declaration.status)]


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
    if declaration.status == to_status:
        return declaration
    if not can_transition(declaration, to_status):
        raise TransitionRefused(
            "transition_refused",
            _("A declaration cannot go from %(from)s to %(to)s.")
            % {"from": Status(declaration.status).label, "to": Status(to_status).label},
            "status",
        )
    at = at or timezone.now()
    previous = declaration.status
    declaration.status = to_status
    stamp_field = {
        Status.LODGED: "lodged_at",
        Status.ACCEPTED: "accepted_at",
        Status.RELEASED: "released_at",
    }.get(Status(to_status))
    fields = ["status", "updated_at"]
    if stamp_field and getattr(declaration, stamp_field) is None:
        setattr(declaration, stamp_field, at)
        fields.append(stamp_field)
    declaration.save(update_fields=fields)
    StatusChange.objects.create(
        declaration=declaration,
        from_status=previous,
        to_status=to_status,
        at=at,
        actor=by if getattr(by, "pk", None) else None,
        actor_organisation=organisation,
        reason=reason[:500],
    )
    audit_record(
        verb="declaration.status_changed",
        target=declaration,
        by=by,
        organisation=organisation or declaration.declarant,
        payload={"from": previous, "to": to_status, "reason": reason[:500]},
    )
    return declaration


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
