"""Reads of the agencies app. The requirement matrix is public (TFA 1.1, 1.2: what each
product needs is published); everything else starts from the user."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    DateTimeField,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from ventanilla.accounts.models import Organisation
from ventanilla.accounts.selectors import acting_organisation_ids, organisation_qs_for
from ventanilla.agencies.choices import (
    ACTIONABLE_REVIEW,
    OPEN_INSPECTION,
    InformationRequestStatus,
    Priority,
    ReviewStatus,
)
from ventanilla.agencies.models import (
    AgencyReview,
    InformationRequest,
    Inspection,
    InspectionParticipant,
    RequirementLine,
    Sample,
    SecondTestRequest,
)
from ventanilla.core.snapshots import Snapshot
from ventanilla.core.text import digits
from ventanilla.declarations.models import TRADE_PARTIES, Declaration
from ventanilla.declarations.selectors import declaration_qs_for

DECIDE = "agencies.decide_review"
MANAGE_LINES = "agencies.manage_requirementline"


# --- The requirement matrix (public) ----------------------------------------------------


def _prefixes(code: str) -> list[str]:
    code = digits(code)[:10]
    return [code[:n] for n in range(2, len(code) + 1)]


def _blank_or(field: str, value: str | None) -> Q:
    """Lines with the field blank apply to any value; others only to their own."""
    if not value:
        return Q()
    return Q(**{field: ""}) | Q(**{field: value.upper()})


def requirements_matching(
    *,
    hs_code: str,
    origin_country: str | None = None,
    declaration_type: str | None = None,
    procedure_code: str | None = None,
    export_country: str | None = None,
    destination_country: str | None = None,
    day: dt.date | None = None,
) -> QuerySet[RequirementLine]:
    """Lines in force on ``day`` that apply to goods with this HS code or national
    tariff line (by prefix). A criterion left empty is not filtered on, so the portal
    can ask "what does 0804.40 need, from anywhere?"."""
    prefixes = _prefixes(hs_code)
    if not prefixes:
        return RequirementLine.objects.none()
    return (
        RequirementLine.objects.as_of(day)
        .filter(hs_prefix__in=prefixes)
        .filter(_blank_or("origin_country", origin_country))
        .filter(_blank_or("declaration_type", declaration_type))
        .filter(_blank_or("procedure_code", procedure_code))
        .filter(_blank_or("export_country", export_country))
        .filter(_blank_or("destination_country", destination_country))
        .select_related("agency")
        .order_by("sequence", "agency__name", "hs_prefix", "key")
    )


# The criteria of a line other than goods and origin; blank applies to any value.
HEADER_CRITERIA = ("declaration_type", "procedure_code", "export_country", "destination_country")


@dataclass(frozen=True)
class _Matrix:
    """The lines in force on one day, in routing order (agency, sequence, key), with the
    positions of the lines per HS or tariff prefix."""

    lines: tuple[RequirementLine, ...]
    by_prefix: dict[str, tuple[int, ...]]


def _load_matrix(day: Any) -> _Matrix:
    lines = tuple(
        RequirementLine.objects.as_of(day)
        .select_related("agency")
        .order_by("agency_id", "sequence", "key", "pk")
    )
    by_prefix: dict[str, list[int]] = defaultdict(list)
    for n, line in enumerate(lines):
        by_prefix[line.hs_prefix].append(n)
    return _Matrix(lines, {prefix: tuple(ns) for prefix, ns in by_prefix.items()})


# Every lodgement is routed against the matrix (TFA 10.4); it is configuration that
# agencies change a few times a day through the services (signals drop the snapshot).
# Keyed by day: a line's dates are never served for another day. The agencies are loaded
# with the lines, so a change of an organisation drops the snapshot too.
_MATRIX: Snapshot[_Matrix] = Snapshot(
    "agencies.requirement_matrix",
    _load_matrix,
    watch=("agencies.RequirementLine", "accounts.Organisation"),
)


def requirements_for_facts(
    *, facts: dict[str, Any], day: dt.date | None = None
) -> list[RequirementLine]:
    """Lines in force on ``day`` that apply to a declaration: any of its items matches
    (``facts`` is ``declarations.facts.declaration_facts``), ordered by agency, sequence
    and key. The lines (and their agencies) are shared between requests: read them,
    never change them.

    A line applies to an item when its prefix (2 digits or more) starts the item's
    tariff line (else HS code) and its origin is blank or the item's; and to the
    declaration when each header criterion is blank or the declaration's value."""
    matrix = _MATRIX.get(day or timezone.localdate())
    found: set[int] = set()
    for item in facts.get("items", []):
        origin = (item.get("origin_country") or "~~").upper()
        for prefix in _prefixes(item.get("tariff_line") or item.get("hs_code") or ""):
            for n in matrix.by_prefix.get(prefix, ()):
                if matrix.lines[n].origin_country in ("", origin):
                    found.add(n)
    wanted = {name: (facts.get(name) or "~~").upper() for name in HEADER_CRITERIA}
    return [
        line
        for line in (matrix.lines[n] for n in sorted(found))
        if all(getattr(line, name) in ("", value) for name, value in wanted.items())
    ]


def _agency_ids_with(user: Any, perm: str) -> list[int]:
    return [
        org.pk
        for org in organisation_qs_for(user=user).filter(kind="agency")
        if user.has_perm(perm, org)
    ]


def officer_agency_ids(*, user: Any) -> list[int]:
    """Agencies in which the user works reviews."""
    return _agency_ids_with(user, DECIDE)


def managed_agencies(*, user: Any) -> list[Organisation]:
    """Agencies whose requirement matrix the user maintains (supervisors)."""
    return [
        org
        for org in organisation_qs_for(user=user).filter(kind="agency")
        if user.has_perm(MANAGE_LINES, org)
    ]


def managed_agency_ids(*, user: Any) -> list[int]:
    return [org.pk for org in managed_agencies(user=user)]


def requirement_lines_for(
    *, user: Any, history: bool = False, upcoming: bool = False
) -> QuerySet[RequirementLine]:
    """The versions in force today; ``upcoming``: and those to come; ``history``: all."""
    qs = RequirementLine.objects.filter(agency_id__in=managed_agency_ids(user=user))
    if not history:
        today = timezone.localdate()
        qs = qs.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=today))
        qs = qs if upcoming else qs.filter(valid_from__lte=today)
    return qs.select_related("agency")


# --- Reviews ---------------------------------------------------------------------------


def latest_round(declaration: Declaration) -> int | None:
    result = AgencyReview.objects.filter(declaration=declaration).aggregate(Max("round"))
    return result["round__max"]


def last_round_of(pk: Any) -> Subquery:
    """The latest round of the declaration ``pk`` (an ``OuterRef`` or a value), as a
    subquery: read in the same query as the rows it selects."""
    return Subquery(
        AgencyReview.objects.filter(declaration_id=pk).order_by("-round").values("round")[:1]
    )


def reviews_current(*, declaration: Declaration) -> QuerySet[AgencyReview]:
    """The reviews of the declaration's latest round, in order of action (one query)."""
    return (
        AgencyReview.objects.filter(declaration=declaration, round=last_round_of(declaration.pk))
        .select_related("agency")
        .order_by("sequence", "agency__name", "pk")
    )


def review_qs_for(*, user: Any) -> QuerySet[AgencyReview]:
    """Reviews of the agencies the user works for; another agency's are invisible."""
    return AgencyReview.objects.filter(agency_id__in=officer_agency_ids(user=user))


def review_queue_for(
    *,
    user: Any,
    status: str | None = None,
    perishable: bool | None = None,
    breached: bool | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[AgencyReview]:
    """The officer's work queue: perishables first (TFA 7.9), then breached service
    levels, then by due time. Without ``status``: what needs acting on now."""
    now = now or timezone.now()
    clock = Coalesce("paused_at", Value(now, output_field=DateTimeField()))
    qs = review_qs_for(user=user).annotate(
        breached=Case(
            When(Q(status__in=ACTIONABLE_REVIEW, due_at__lt=clock), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )
    qs = qs.filter(status=status) if status else qs.filter(status__in=ACTIONABLE_REVIEW)
    if perishable is not None:
        qs = qs.filter(priority=Priority.PERISHABLE if perishable else Priority.NORMAL)
    if breached is not None:
        qs = qs.filter(breached=breached)
    return qs.select_related("agency", "declaration", "assigned_to").order_by(
        "-priority", "-breached", F("due_at").asc(nulls_last=True), "pk"
    )


@dataclass(frozen=True)
class ReviewCase:
    """Everything an officer needs on one screen (TFA 8: the shared view)."""

    review: AgencyReview
    declaration: Declaration
    other_reviews: list[AgencyReview]
    inspection: Inspection | None
    missing_documents: list[str]


def review_case(*, review: AgencyReview) -> ReviewCase:
    declaration = (
        Declaration.objects.select_related(*TRADE_PARTIES)
        .prefetch_related("items", "documents__items")
        .get(pk=review.declaration_id)
    )
    others = [r for r in reviews_current(declaration=declaration) if r.pk != review.pk]
    present = {d.type_code for d in declaration.documents.all()}
    return ReviewCase(
        review=review,
        declaration=declaration,
        other_reviews=others,
        inspection=inspection_latest(declaration=declaration),
        missing_documents=[c for c in review.required_documents if c not in present],
    )


def inspection_latest(*, declaration: Declaration) -> Inspection | None:
    """The open appointment, else the last one."""
    qs = Inspection.objects.filter(declaration=declaration).prefetch_related(
        Prefetch(
            "participants",
            queryset=InspectionParticipant.objects.select_related("agency").prefetch_related(
                "samples__second_test"
            ),
        )
    )
    return (
        qs.filter(status__in=OPEN_INSPECTION).first() or qs.order_by("-scheduled_at", "-pk").first()
    )


@dataclass(frozen=True)
class ClearanceState:
    """Where the agencies stand on a declaration (ids of agency organisations)."""

    required_agencies: tuple[int, ...]
    approved_agencies: tuple[int, ...]
    pending_agencies: tuple[int, ...]
    any_rejected: bool
    information_requested: bool
    inspection_open: bool
    all_approved: bool  # True too when no agency must act


def clearance_state(*, declaration: Declaration) -> ClearanceState:
    return clearance_states(declarations=[declaration])[declaration.pk]


def clearance_states(*, declarations: Sequence[Declaration]) -> dict[int, ClearanceState]:
    """``clearance_state`` of each declaration, by id: the reviews of their latest rounds
    in one query, and the open inspections in a second one, only for the declarations
    without a review waiting for inspection already (ADR 0006: a batch at once)."""
    status_of: dict[int, dict[int, str]] = {d.pk: {} for d in declarations}
    if not status_of:
        return {}
    rows = (
        AgencyReview.objects.filter(
            declaration_id__in=list(status_of), round=last_round_of(OuterRef("declaration_id"))
        )
        .exclude(status=ReviewStatus.SUPERSEDED)
        .values_list("declaration_id", "agency_id", "status")
    )
    for declaration_id, agency_id, status in rows:
        status_of[declaration_id][agency_id] = status  # one review per agency and round
    unknown = [
        pk for pk, s in status_of.items() if ReviewStatus.INSPECTION_REQUIRED not in s.values()
    ]
    inspected = (
        set(
            Inspection.objects.filter(declaration_id__in=unknown, status__in=OPEN_INSPECTION)
            .values_list("declaration_id", flat=True)
            .distinct()
        )
        if unknown
        else set()
    )
    return {pk: _state(statuses, pk in inspected) for pk, statuses in status_of.items()}


def clearance_states_opened(
    *, reviews: Mapping[int, Sequence[AgencyReview]]
) -> dict[int, ClearanceState]:
    """``clearance_states`` of declarations whose first round of reviews the caller has
    just opened in its own transaction (``reviews_open_many(first_round=True)``), from
    those reviews, without a query: nothing else can have happened to the declarations
    yet, so no inspection is booked and no review was superseded."""
    return {
        pk: _state({r.agency_id: r.status for r in opened}, inspection_booked=False)
        for pk, opened in reviews.items()
    }


def _state(status_of: dict[int, str], inspection_booked: bool) -> ClearanceState:
    approved = tuple(sorted(a for a, s in status_of.items() if s == ReviewStatus.APPROVED))
    rejected = tuple(sorted(a for a, s in status_of.items() if s == ReviewStatus.REJECTED))
    pending = tuple(sorted(set(status_of) - set(approved) - set(rejected)))
    return ClearanceState(
        required_agencies=tuple(sorted(status_of)),
        approved_agencies=approved,
        pending_agencies=pending,
        any_rejected=bool(rejected),
        information_requested=ReviewStatus.INFORMATION_REQUESTED in status_of.values(),
        inspection_open=ReviewStatus.INSPECTION_REQUIRED in status_of.values() or inspection_booked,
        all_approved=not pending and not rejected,
    )


def _load_customs(_key: Any) -> Organisation | None:
    return (
        Organisation.objects.filter(kind="agency", agency_function="customs", is_active=True)
        .order_by("pk")
        .first()
    )


# Read by every routing on a yellow or red channel; changes only with the organisations.
_CUSTOMS: Snapshot[Organisation | None] = Snapshot(
    "agencies.customs_agency", _load_customs, watch=("accounts.Organisation",)
)


def customs_agency() -> Organisation | None:
    """The customs administration: the first active agency whose function is customs
    (shared between requests: read it, never change it)."""
    return _CUSTOMS.get(None)


# --- Inspections and samples (officer side) ---------------------------------------------


def inspection_qs_for(*, user: Any) -> QuerySet[Inspection]:
    """Appointments in which one of the user's agencies takes part."""
    return Inspection.objects.filter(
        participants__agency_id__in=officer_agency_ids(user=user)
    ).distinct()


def sample_qs_for(*, user: Any) -> QuerySet[Sample]:
    return Sample.objects.filter(
        participant__agency_id__in=officer_agency_ids(user=user)
    ).select_related("participant__review", "participant__agency")


def second_test_qs_for(*, user: Any) -> QuerySet[SecondTestRequest]:
    return SecondTestRequest.objects.filter(
        sample__participant__agency_id__in=officer_agency_ids(user=user)
    ).select_related("sample__participant__review", "sample__participant__agency")


# --- The trader's side ------------------------------------------------------------------


def trader_side_ids(*, user: Any) -> list[int]:
    """Organisations through which the user answers agencies: any trader or broker."""
    ids = acting_organisation_ids(user=user)
    return list(
        Organisation.objects.filter(pk__in=ids, kind__in=("trader", "broker")).values_list(
            "pk", flat=True
        )
    )


def _for_trader(prefix: str, ids: list[int]) -> Q:
    return Q(**{f"{prefix}trader_id__in": ids}) | Q(**{f"{prefix}declarant_id__in": ids})


def information_requests_for(
    *, user: Any, status: str | None = None
) -> QuerySet[InformationRequest]:
    """Questions agencies asked about the declarations the user's organisations lodged
    or are the trader of."""
    qs = InformationRequest.objects.filter(
        _for_trader("review__declaration__", trader_side_ids(user=user))
    )
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("review__agency", "review__declaration")


def open_information_request(*, review: AgencyReview) -> InformationRequest | None:
    return review.information_requests.filter(status=InformationRequestStatus.OPEN).first()


def trader_sample_qs_for(*, user: Any) -> QuerySet[Sample]:
    return Sample.objects.filter(
        _for_trader("participant__inspection__declaration__", trader_side_ids(user=user))
    ).select_related("participant__agency", "participant__inspection__declaration")


def declaration_for(*, user: Any, pk: int) -> Declaration | None:
    """A declaration the user may see (trader, broker, carrier, routed agency, committee)."""
    return declaration_qs_for(user=user).filter(pk=pk).first()


def agency_get(*, pk: int) -> Organisation:
    return Organisation.objects.get(pk=pk, kind="agency")
