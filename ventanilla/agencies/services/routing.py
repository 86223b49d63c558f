"""Routing declarations to the agencies that must act (TFA 8, 10.4: one submission
reaches every agency), one declaration or a batch of them (ADR 0006).

``reviews_open_many`` is the one implementation: it opens the first round of reviews of
a batch of declarations for a fixed number of queries (one insert per table, the audit
events appended together, the notices handed over in one call after commit).
``reviews_open`` is its one-declaration form, and also re-opens a new round after an
amendment."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.accounts.models import Organisation
from ventanilla.agencies import notices
from ventanilla.agencies.choices import (
    OPEN_INSPECTION,
    OPEN_REVIEW,
    InformationRequestStatus,
    Priority,
    ReasonCategory,
    ReviewStatus,
)
from ventanilla.agencies.models import (
    AgencyReview,
    Inspection,
    RequirementLine,
    ReviewEvent,
)
from ventanilla.agencies.selectors import customs_agency, last_round_of, requirements_for_facts
from ventanilla.agencies.services._common import (
    SELF,
    changed,
    clock_start,
    lock_with_round,
    review_move,
)
from ventanilla.agencies.services.inspections import inspection_cancel
from ventanilla.agencies.slots import inspection_next_slot, inspection_next_slots
from ventanilla.audit.services import audit_batch, audit_record
from ventanilla.core import bulk
from ventanilla.core.errors import BusinessError, ConflictError
from ventanilla.declarations.choices import Channel
from ventanilla.declarations.facts import declaration_facts
from ventanilla.declarations.models import TRADE_PARTIES, Declaration

S = ReviewStatus
# Customs acts on its own documentary or physical check when no line sets its level.
CUSTOMS_SLA_HOURS = 24
CUSTOMS_PERISHABLE_SLA_HOURS = 4


@dataclass(frozen=True)
class ReviewRequest:
    """One declaration to route: its risk channel, the reason category the trader is
    told when customs selects the goods, and ``declaration_facts`` when the caller
    already has them (else they are read, one declaration at a time)."""

    declaration: Declaration
    channel: str
    reason_category: str = ReasonCategory.OTHER
    facts: Mapping[str, Any] | None = None


def _check_reason(reason_category: str) -> None:
    if reason_category not in ReasonCategory.values:
        raise BusinessError.single(
            "reason_category_invalid", _("This is not a reason category."), "reason_category"
        )


def _reference_day(declaration: Declaration) -> dt.date:
    """The matrix in force when the declaration was lodged (ADR 0004)."""
    return (
        timezone.localdate(declaration.lodged_at)
        if declaration.lodged_at
        else (timezone.localdate())
    )


def _ordered(reviews: list[AgencyReview]) -> list[AgencyReview]:
    return sorted(reviews, key=lambda r: (r.sequence, r.agency.name, r.pk))


def reviews_open(
    *,
    declaration: Declaration,
    channel: str,
    by: Any | None,
    reopen: bool = False,
    reason_category: str = ReasonCategory.OTHER,
    facts: dict[str, Any] | None = None,
    first_round: bool = False,
    savepoint: bool = True,
) -> list[AgencyReview]:
    """Open one review per agency whose requirement lines match the declaration, plus
    customs on a yellow (documentary check) or red (physical examination) channel.

    Idempotent: a second call for the same declaration version returns the reviews
    already open. After an amendment call it with ``reopen=True``: the open reviews of
    the earlier round are superseded and a new round is opened. ``reason_category`` is
    what the trader is told when customs selects the goods for examination.

    For the orchestrator, which routes a declaration it has just lodged:
    - ``facts``: ``declaration_facts(declaration)`` when the caller already has it;
    - ``first_round=True``: the declaration was lodged in the caller's own transaction,
      so no other transaction sees it and it has no review yet: it is neither locked nor
      read again (the caller's instance is used as it is);
    - ``savepoint=False``: the caller never catches an error of this service, so an
      error may fail the caller's whole transaction; saves a savepoint's round trips."""
    _check_reason(reason_category)
    request = ReviewRequest(declaration, channel, reason_category, facts)
    with transaction.atomic(savepoint=savepoint):
        last: int | None = None
        if not first_round:
            declaration, last = lock_with_round(declaration)
            request = ReviewRequest(declaration, channel, reason_category, facts)
        if last is None:
            return reviews_open_many(requests=[request], by=by)[declaration.pk]
        existing = _ordered(
            list(
                AgencyReview.objects.filter(declaration=declaration, round=last).select_related(
                    "agency"
                )
            )
        )
        if not reopen or (existing and existing[0].declaration_version == declaration.version):
            return existing
        # An amendment: the agencies review the new version in a new round.
        now = timezone.now()
        _supersede(declaration, by=by, at=now)
        return _route([(request, last + 1)], by=by, now=now)[declaration.pk]


def reviews_open_many(
    *, requests: Sequence[ReviewRequest], by: Any | None, first_round: bool = True
) -> dict[int, list[AgencyReview]]:
    """``reviews_open`` (no re-opening, no savepoint) for each declaration, by
    declaration id, for a fixed number of queries whatever the batch's size.

    The caller holds the locks on the declarations (the orchestrator locks its batch
    in one query). ``first_round=True``: they were lodged in the caller's transaction
    and have no review yet. ``first_round=False``: their latest rounds are read in one
    query, and a declaration already routed gets its reviews back, as ``reviews_open``
    would return them. A request's error refuses the whole batch, before any write."""
    for request in requests:
        _check_reason(request.reason_category)
    out: dict[int, list[AgencyReview]] = {}
    with (
        transaction.atomic(savepoint=False),
        audit_batch(savepoint=False),
        notices.sent_together(),
    ):
        todo = list(requests)
        if not first_round and todo:
            rounds = dict(
                Declaration.objects.filter(pk__in=[r.declaration.pk for r in todo])
                .annotate(last=last_round_of(OuterRef("pk")))
                .filter(last__isnull=False)
                .values_list("pk", "last")
            )
            if rounds:
                out.update(_existing(rounds))
                todo = [r for r in todo if r.declaration.pk not in rounds]
        out.update(_route([(r, 1) for r in todo], by=by, now=timezone.now()))
    return out


def _existing(rounds: dict[int, int]) -> dict[int, list[AgencyReview]]:
    """The reviews of each declaration's latest round, in one query."""
    found: dict[int, list[AgencyReview]] = {pk: [] for pk in rounds}
    for review in AgencyReview.objects.filter(
        declaration_id__in=list(rounds), round=last_round_of(OuterRef("declaration_id"))
    ).select_related("agency"):
        found[review.declaration_id].append(review)
    return {pk: _ordered(reviews) for pk, reviews in found.items()}


@dataclass
class _Planned:
    review: AgencyReview
    lines: list[RequirementLine]
    channel: str  # customs' own check; blank for the other agencies


def _route(
    batch: list[tuple[ReviewRequest, int]], *, by: Any | None, now: dt.datetime
) -> dict[int, list[AgencyReview]]:
    """Open the given round of reviews of each declaration: every review, requirement
    line link and status event inserted at once, then per review its audit event, its
    notice (customs' selection for examination) and the orchestrator's signal."""
    if not batch:
        return {}
    customs: Organisation | None = None
    if any(r.channel in (Channel.YELLOW, Channel.RED) for r, _round in batch):
        customs = customs_agency()
        if customs is None:
            raise ConflictError(
                "customs_agency_missing", _("No customs administration is configured."), "channel"
            )
    planned: dict[int, list[_Planned]] = {
        r.declaration.pk: _plan(r, round_no, customs, now) for r, round_no in batch
    }
    every = [p for plans in planned.values() for p in plans]
    bulk.create_many(AgencyReview, [p.review for p in every])
    # New reviews have no links yet: insert them at once (``set`` would read them first).
    through = AgencyReview.requirement_lines.through
    bulk.create_many(
        through,
        [
            through(agencyreview_id=p.review.pk, requirementline_id=ln.pk)
            for p in every
            for ln in p.lines
        ],
    )
    actor = by if getattr(by, "pk", None) else None
    bulk.create_many(ReviewEvent, [_first_event(p, at=now, actor=actor) for p in every])
    selected = [p.review for p in every if p.review.status == S.INSPECTION_REQUIRED]
    slots = _expected_slots(selected, now=now)
    for p in every:
        review = p.review
        audit_record(
            verb="agency_review.opened",
            target=review,
            by=by,
            organisation=review.agency,
            payload={
                "declaration": review.declaration.pk,
                "round": review.round,
                "status": review.status,
                "lines": [ln.key for ln in p.lines],
                "channel": p.channel,
            },
        )
        if review.status == S.INSPECTION_REQUIRED:
            notices.inspection_selected(review, expected_at=slots.get(review.pk))
        changed(review, by)
    return {pk: _ordered([p.review for p in plans]) for pk, plans in planned.items()}


def _plan(
    request: ReviewRequest, round_no: int, customs: Organisation | None, now: dt.datetime
) -> list[_Planned]:
    """The declaration's reviews, unsaved, in order of sequence and agency."""
    declaration = request.declaration
    facts = declaration_facts(declaration) if request.facts is None else request.facts
    lines = requirements_for_facts(facts=dict(facts), day=_reference_day(declaration))
    by_agency: dict[int, list[RequirementLine]] = defaultdict(list)
    agencies: dict[int, Organisation] = {}
    for line in lines:
        by_agency[line.agency_id].append(line)
        agencies[line.agency_id] = line.agency
    checked_by = None
    if request.channel in (Channel.YELLOW, Channel.RED) and customs is not None:
        checked_by = customs.pk
        agencies.setdefault(customs.pk, customs)
        by_agency.setdefault(customs.pk, [])
    sequences = {pk: min((ln.sequence for ln in ls), default=0) for pk, ls in by_agency.items()}
    return [
        _planned(
            request,
            agencies[agency_id],
            agency_lines,
            round_no=round_no,
            now=now,
            sequence=sequences[agency_id],
            lower_exists=any(s < sequences[agency_id] for s in sequences.values()),
            channel=request.channel if agency_id == checked_by else "",
        )
        for agency_id, agency_lines in sorted(
            by_agency.items(), key=lambda kv: (sequences[kv[0]], kv[0])
        )
    ]


def _planned(
    request: ReviewRequest,
    agency: Organisation,
    lines: list[RequirementLine],
    *,
    round_no: int,
    now: dt.datetime,
    sequence: int,
    lower_exists: bool,
    channel: str,
) -> _Planned:
    declaration = request.declaration
    perishable = declaration.is_perishable
    if perishable:  # TFA 7.9: the shortest time the lines allow
        sla = min((ln.perishable_sla_hours for ln in lines), default=CUSTOMS_PERISHABLE_SLA_HOURS)
    else:
        sla = min((ln.sla_hours for ln in lines), default=CUSTOMS_SLA_HOURS)
    if channel == Channel.RED:
        status = S.INSPECTION_REQUIRED
    else:
        # Sequencing: an agency acting after another waits for its approval.
        status = S.WAITING if lower_exists else S.PENDING
    review = AgencyReview(
        declaration=declaration,
        agency=agency,
        round=round_no,
        declaration_version=declaration.version,
        status=status,
        sequence=sequence,
        required_documents=sorted({ln.document_type_code for ln in lines if ln.document_type_code}),
        risk_channel=channel,
        priority=Priority.PERISHABLE if perishable else Priority.NORMAL,
        sla_hours=sla,
    )
    if status != S.WAITING:
        clock_start(review, now)
    if status == S.INSPECTION_REQUIRED:
        review.reason_category = request.reason_category
        review.reason = _("Selected for physical examination by risk management (TFA 7.4).")
    return _Planned(review, lines, channel)


def _first_event(planned: _Planned, *, at: dt.datetime, actor: Any | None) -> ReviewEvent:
    keys = [ln.key for ln in planned.lines]
    why = [_("Requirement lines: %(keys)s") % {"keys": ", ".join(keys)}] if keys else []
    if planned.channel:
        why.append(_("Customs check, channel %(channel)s") % {"channel": planned.channel})
    review = planned.review
    return ReviewEvent(
        review=review,
        from_status="",
        to_status=review.status,
        at=at,
        actor=actor,
        reason="; ".join(why)[:1000],
        reason_category=review.reason_category,
    )


def _expected_slots(reviews: list[AgencyReview], *, now: dt.datetime) -> dict[int, dt.datetime]:
    """TFA 5.2: without an appointment yet, the first free slot is the expected time;
    one read of the booked appointments for all the places. The parties told are
    loaded too, in one query, when the caller has not."""
    _load_parties([r.declaration for r in reviews])
    wanted = {
        r.pk: (location, r.declaration.is_perishable)
        for r in reviews
        if (location := r.declaration.discharge_location or r.declaration.loading_location)
    }
    slots = inspection_next_slots(places=wanted.values(), now=now)
    return {pk: slots[place] for pk, place in wanted.items()}


def _load_parties(declarations: list[Declaration]) -> None:
    # The foreign keys themselves, as reading ``declaration.trader`` would cache them.
    fields: list[Any] = [getattr(Declaration, name).field for name in TRADE_PARTIES]
    missing = [
        (d, f)
        for d in declarations
        for f in fields
        if getattr(d, f.attname) is not None and not f.is_cached(d)
    ]
    if missing:
        found = Organisation.objects.in_bulk({getattr(d, f.attname) for d, f in missing})
        for d, f in missing:
            f.set_cached_value(d, found[getattr(d, f.attname)])


def notify_inspection_selected(review: AgencyReview, *, expected_at: dt.datetime | None) -> None:
    """TFA 5.2: without an appointment yet, the first free slot is the expected time."""
    declaration = review.declaration
    location = declaration.discharge_location or declaration.loading_location
    if expected_at is None and location:
        expected_at = inspection_next_slot(location=location, perishable=declaration.is_perishable)
    notices.inspection_selected(review, expected_at=expected_at)


def _supersede(
    declaration: Declaration, *, by: Any | None, at: dt.datetime, reason: str | None = None
) -> None:
    reason = reason or _("Declaration amended (version %(v)s): the agencies review it again.") % {
        "v": declaration.version
    }
    for open_inspection in Inspection.objects.filter(
        declaration=declaration, status__in=OPEN_INSPECTION
    ):
        inspection_cancel(inspection=open_inspection, reason=reason, by=None)
    for review in (
        AgencyReview.objects.select_for_update(of=SELF)
        .select_related("agency")
        .filter(declaration=declaration, status__in=OPEN_REVIEW)
    ):
        review.paused_at = None
        review_move(review, S.SUPERSEDED, by=by, at=at, reason=reason)
        review.information_requests.filter(status=InformationRequestStatus.OPEN).update(
            status=InformationRequestStatus.WITHDRAWN
        )
        audit_record(
            verb="agency_review.superseded",
            target=review,
            by=by,
            organisation=review.agency,
            payload={"version": declaration.version},
        )
        changed(review, by)


@transaction.atomic
def reviews_withdraw(*, declaration: Declaration, reason: str, by: Any | None) -> None:
    """The declaration was cancelled or refused: open reviews leave the queues, open
    information requests are withdrawn and a booked inspection is cancelled."""
    declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
    _supersede(declaration, by=by, at=timezone.now(), reason=reason)
