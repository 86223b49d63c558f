"""Helpers shared by the services: authorization, the review state machine, the clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import OuterRef
from django.utils.translation import gettext as _

from ventanilla.accounts.models import Organisation
from ventanilla.accounts.selectors import acting_organisation_ids
from ventanilla.agencies.choices import REVIEW_TRANSITIONS, ReviewStatus
from ventanilla.agencies.models import AgencyReview, ReviewEvent
from ventanilla.agencies.selectors import last_round_of
from ventanilla.agencies.signals import review_changed
from ventanilla.audit.services import audit_record
from ventanilla.core.errors import BusinessError, ConflictError
from ventanilla.declarations.models import TRADE_PARTIES, Declaration

DECIDE = "agencies.decide_review"
# Lock only the row itself: PostgreSQL refuses FOR UPDATE on the nullable side of a join.
SELF = ("self",)
MANAGE_LINES = "agencies.manage_requirementline"


def forbidden() -> BusinessError:
    return BusinessError.single(
        "forbidden", _("You may not do this for this organisation."), http_status=403
    )


def require_perm(by: Any | None, perm: str, agency: Organisation) -> None:
    """``by=None`` is the platform itself (loaders, the orchestrator)."""
    if by is not None and not by.has_perm(perm, agency):
        raise forbidden()


def require_trader_side(by: Any | None, declaration: Declaration) -> Organisation | None:
    """The trader or declarant organisation through which ``by`` acts on the declaration."""
    if by is None:
        return declaration.trader
    ids = set(acting_organisation_ids(user=by))
    for org in (declaration.trader, declaration.declarant):
        if org.pk in ids:
            return org
    raise forbidden()


def lock_review(review: AgencyReview) -> AgencyReview:
    return (
        AgencyReview.objects.select_for_update(of=SELF)
        .select_related("agency", "declaration")
        .get(pk=review.pk)
    )


def lock_with_round(declaration: Declaration) -> tuple[Declaration, int | None]:
    """Lock the declaration (concurrent routings of it wait here) and read its latest
    round of reviews in the same query."""
    locked = (
        Declaration.objects.select_for_update(of=SELF)
        .select_related(*TRADE_PARTIES)
        .annotate(agencies_last_round=last_round_of(OuterRef("pk")))
        .get(pk=declaration.pk)
    )
    return locked, getattr(locked, "agencies_last_round", None)


def check_path(current: str, path: Sequence[str]) -> None:
    """Refuse, before anything is written, a change the transition table does not allow."""
    status = current
    for target in path:
        if target not in REVIEW_TRANSITIONS[ReviewStatus(status)]:
            raise ConflictError(
                "review_transition_refused",
                _("A review cannot go from %(from)s to %(to)s.")
                % {"from": ReviewStatus(status).label, "to": ReviewStatus(target).label},
                "status",
            )
        status = target


def review_move(
    review: AgencyReview,
    to_status: str,
    *,
    by: Any | None,
    at: dt.datetime,
    reason: str = "",
    reason_category: str = "",
    organisation: Organisation | None = None,
) -> None:
    """Change the status (checked against the table), save the review and write the
    status change row. The caller sets any other field before."""
    previous = review.status
    check_path(previous, [to_status])
    review.status = to_status
    review.save()
    ReviewEvent.objects.create(
        review=review,
        from_status=previous,
        to_status=to_status,
        at=at,
        actor=by if getattr(by, "pk", None) else None,
        actor_organisation=organisation or (review.agency if by is not None else None),
        reason=reason[:1000],
        reason_category=reason_category,
    )


def clock_start(review: AgencyReview, at: dt.datetime) -> None:
    """The agency's turn begins: the service level counts from now."""
    review.pending_at = at
    review.due_at = at + dt.timedelta(hours=review.sla_hours)


def changed(review: AgencyReview, by: Any | None) -> None:
    """Tell the orchestrator (ADR 0005), inside the transaction."""
    review_changed.send(sender=AgencyReview, review=review, declaration=review.declaration, by=by)


def release_waiting(
    *, declaration: Declaration, round_no: int, by: Any | None, at: dt.datetime
) -> list[AgencyReview]:
    """Sequencing: a waiting review becomes pending once every review of the round with
    a lower sequence is approved. Runs inside the caller's transaction."""
    reviews = list(
        AgencyReview.objects.select_for_update(of=SELF)
        .select_related("agency")
        .filter(declaration=declaration, round=round_no)
        .exclude(status=ReviewStatus.SUPERSEDED)
    )
    released = []
    for review in reviews:
        if review.status != ReviewStatus.WAITING:
            continue
        if all(o.status == ReviewStatus.APPROVED for o in reviews if o.sequence < review.sequence):
            clock_start(review, at)
            review_move(
                review,
                ReviewStatus.PENDING,
                by=by,
                at=at,
                reason=_("The agencies acting before approved."),
            )
            audit_record(
                verb="agency_review.released", target=review, by=by, organisation=review.agency
            )
            changed(review, by)
            released.append(review)
    return released
