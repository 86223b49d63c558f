"""The declaration's timeline: every step, who acts, its state and its time
(ui-principles: task list / timeline). The trader side sees agencies' states and reason
categories; officers also see the channel and the officers' own reasons."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ventanilla.accounts.choices import OrganisationKind
from ventanilla.accounts.selectors import organisation_qs_for
from ventanilla.agencies.selectors import reviews_current
from ventanilla.declarations.choices import Milestone, MilestoneSource, Status
from ventanilla.declarations.models import Declaration
from ventanilla.notifications.rendering import render_notice
from ventanilla.notifications.selectors import notice_qs_for


@dataclass(frozen=True)
class Step:
    at: dt.datetime | None
    kind: str  # status, milestone, review, notice
    title: str
    detail: str
    actor: str
    # Between steps of the same time and kind: milestones in the order of the Time
    # Release Study, status changes in the order they were written.
    order: int = 0


_MILESTONE_ORDER = {value: n for n, value in enumerate(Milestone.values)}


def _source_label(source: str) -> str:
    """Who stamped a milestone, in the reader's language; a code no label knows as is."""
    for choices in (MilestoneSource, OrganisationKind):
        if source in choices.values:
            return str(choices(source).label)
    return source


def declaration_timeline(*, declaration: Declaration, user: Any, trader_side: bool) -> list[Step]:
    steps: list[Step] = []
    for change in declaration.status_changes.select_related("actor_organisation"):
        steps.append(
            Step(
                change.at,
                "status",
                str(Status(change.to_status).label),
                change.reason,
                change.actor_organisation.label if change.actor_organisation else "",
                change.pk,
            )
        )
    for event in declaration.milestones.all():
        steps.append(
            Step(
                event.at,
                "milestone",
                str(Milestone(event.milestone).label),
                "",
                _source_label(event.source),
                _MILESTONE_ORDER[event.milestone],
            )
        )
    # An officer reads the internal reasons of their own agency only; other agencies
    # and the trader side see the agency, the state and the reason category.
    own = set(organisation_qs_for(user=user).values_list("pk", flat=True))
    for review in reviews_current(declaration=declaration):
        detail = review.get_reason_category_display() if review.reason_category else ""
        if not trader_side and review.reason and review.agency_id in own:
            detail = f"{detail}: {review.reason}" if detail else review.reason
        steps.append(
            Step(
                review.decided_at or review.pending_at or review.created_at,
                "review",
                f"{review.agency.label}: {review.get_status_display()}",
                detail,
                review.agency.label,
            )
        )
    notices = notice_qs_for(user=user).filter(declaration_id=declaration.pk)
    for notice in notices.select_related("organisation"):
        rendered = render_notice(notice)
        steps.append(
            Step(
                notice.created_at,
                "notice",
                rendered.title,
                rendered.body,
                notice.organisation.label,
            )
        )
    far_future = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(steps, key=lambda s: (s.at or far_future, s.kind, s.order))
