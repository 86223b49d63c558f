"""Reads of risk data, always starting from the user.

- Risk profiles are maintained by the supervisors of the owning agency and by the
  national trade facilitation committee (the shared risk management committee the
  workshop recommended); they see those profiles, nobody else does.
- An assessment is seen by officers of customs (which runs selectivity for every
  declaration, TFA 7.4) and of the agencies the declaration is routed to, and by the
  committee. Never by the trader, broker or carrier: the channel and the matched
  profiles would tell them how to avoid controls.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Count,
    DateTimeField,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from ventanilla.accounts.models import Organisation
from ventanilla.accounts.selectors import organisation_qs_for
from ventanilla.core.baked import Baked, Many
from ventanilla.core.snapshots import Snapshot
from ventanilla.declarations.choices import Status
from ventanilla.declarations.models import Declaration
from ventanilla.declarations.selectors import declaration_qs_for, trade_parties_q
from ventanilla.risk.choices import (
    HITS,
    MANAGE_PROFILES,
    RECORD_OUTCOMES,
    VIEW_ASSESSMENTS,
    OutcomeResult,
    ProfileKind,
    ProfileStatus,
)
from ventanilla.risk.engine import ProfileRule, count_limits
from ventanilla.risk.models import RiskAssessment, RiskMatch, RiskOutcome, RiskProfile


def _oversees_all(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False)) and (
        getattr(user, "token_organisation_id", None) is None
    )


def _orgs_with(user: Any, perm: str) -> list[Organisation]:
    return [o for o in organisation_qs_for(user=user) if user.has_perm(perm, o)]


# --- profiles ----------------------------------------------------------------------------


def profile_owner_ids_for(*, user: Any) -> list[int] | None:
    """Agencies whose profiles the user maintains; None means every agency (committee)."""
    if _oversees_all(user):
        return None
    orgs = _orgs_with(user, MANAGE_PROFILES)
    if any(o.kind == "ministry" for o in orgs):
        return None
    return [o.pk for o in orgs if o.kind == "agency"]


def can_manage_profiles(*, user: Any) -> bool:
    return profile_owner_ids_for(user=user) != []


def may_own(*, user: Any, owner: Organisation) -> bool:
    """May the user create, publish or retire profiles owned by ``owner``?"""
    owners = profile_owner_ids_for(user=user)
    return owners is None or owner.pk in owners


def risk_profile_qs_for(*, user: Any) -> QuerySet[RiskProfile]:
    owners = profile_owner_ids_for(user=user)
    qs = RiskProfile.objects.select_related("owner")
    return qs if owners is None else qs.filter(owner_id__in=owners)


# Facts of the compliance record (TFA 7.4): each costs a query, so they are counted only
# when a profile in force tests them.
RECORD_FACTS = ("trader_prior_declarations", "declarant_prior_declarations")


@dataclass(frozen=True)
class ProfilesInForce:
    """The profiles in force on a day, as the engine sees them. Shared between requests
    (a snapshot): read it, never change it."""

    profiles: tuple[RiskProfile, ...]
    rules: tuple[ProfileRule, ...]
    # Compliance-record facts tested by a profile, with how far to count them
    # (engine.count_limits).
    record_limits: dict[str, int | None]


def _load_in_force(on: Any) -> ProfilesInForce:
    profiles = tuple(
        RiskProfile.objects.as_of(on)
        .exclude(status=ProfileStatus.DRAFT)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .select_related("owner")  # the owner tells the ground of an alert (risk.grounds)
        .order_by("priority", "code")
    )
    rules = tuple(p.as_rule() for p in profiles)
    return ProfilesInForce(profiles, rules, count_limits(rules, RECORD_FACTS))


# Every assessment reads the profiles in force; they change a few times a day, through the
# services (signals drop the snapshot). Keyed by day: a profile's dates are never served
# for another day.
_IN_FORCE: Snapshot[ProfilesInForce] = Snapshot(
    "risk.profiles_in_force", _load_in_force, watch=("risk.RiskProfile",)
)


def rules_in_force(*, on: dt.date) -> ProfilesInForce:
    """Published versions in force on ``on``; import alerts until their end date
    (inclusive, TFA 5.1). Drafts never apply."""
    return _IN_FORCE.get(on)


def profiles_in_force(*, on: dt.date) -> list[RiskProfile]:
    """The profiles of ``rules_in_force``, by priority and code."""
    return list(rules_in_force(on=on).profiles)


def alerts_due_for_review(*, user: Any, on: dt.date | None = None) -> QuerySet[RiskProfile]:
    """Import alerts in force whose review date has come (TFA 5.1: ended when no longer
    needed), for the owner agency and the committee."""
    on = on or timezone.localdate()
    return (
        risk_profile_qs_for(user=user)
        .as_of(on)  # type: ignore[attr-defined]
        .filter(kind=ProfileKind.IMPORT_ALERT, status=ProfileStatus.ACTIVE, review_on__lte=on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
    )


def prior_declaration_counts(
    *, declaration: Declaration, limits: dict[str, int | None] | None = None
) -> dict[str, int]:
    """The compliance record the criteria may use (TFA 7.4): how many declarations the
    trader and the declarant lodged before this one (refused or cancelled ones aside).

    ``limits`` (``ProfilesInForce.record_limits``) names the facts to count and where the
    count may stop; by default both are counted in full."""
    return prior_declaration_counts_many(declarations=[declaration], limits=limits)[declaration.pk]


# The party whose record each fact counts.
_RECORD_PARTY = {
    "trader_prior_declarations": "trader_id",
    "declarant_prior_declarations": "declarant_id",
}


@functools.cache
def _record_query(facts: tuple[tuple[str, int | None], ...]) -> Baked[dict[str, int]]:
    """The counting query for these facts and limits, compiled once per process and
    number of declarations (core.baked): each declaration's row carries its counts as
    subqueries."""

    def build(pks: list[int], now: dt.datetime) -> QuerySet[Any]:
        before = Coalesce(OuterRef("lodged_at"), Value(now), output_field=DateTimeField())
        earlier = (
            Declaration.objects.filter(lodged_at__isnull=False, lodged_at__lt=before)
            .exclude(pk=OuterRef("pk"))
            .exclude(status__in=[Status.REJECTED, Status.CANCELLED])
            .order_by()
        )
        counts = {}
        for name, limit in facts:
            party = _RECORD_PARTY[name]
            rows = earlier.filter(**{party: OuterRef(party)}).values("pk")
            # A stopped count reads at most ``limit`` rows, however long the record.
            counts[name] = Func(
                Subquery(rows if limit is None else rows[:limit]),
                template="(SELECT COUNT(*) FROM %(expressions)s AS counted)",
                output_field=IntegerField(),
            )
        return (
            Declaration.objects.filter(pk__in=pks)
            .order_by()
            .annotate(**counts)
            .values("pk", *(name for name, _limit in facts))
        )

    return Baked(build, pks=Many(int), now=dt.datetime)


def prior_declaration_counts_many(
    *, declarations: Sequence[Declaration], limits: dict[str, int | None] | None = None
) -> dict[int, dict[str, int]]:
    """``prior_declaration_counts`` of each declaration, by id, in one query for the
    batch: each declaration's row carries its counts as subqueries. The trader, declarant
    and lodging time are the declarations' stored ones (the caller holds their locks);
    one not lodged yet counts what was lodged before now."""
    if limits is None:
        limits = dict.fromkeys(RECORD_FACTS)
    names = [name for name in RECORD_FACTS if name in limits]
    if not declarations or not names:
        return {d.pk: {} for d in declarations}
    shape = _record_query(tuple((name, limits[name]) for name in names))
    pks = [d.pk for d in declarations]
    found = {row.pop("pk"): row for row in shape.list(pks=pks, now=timezone.now())}
    return {d.pk: found[d.pk] for d in declarations}


# --- assessments -------------------------------------------------------------------------


def assessment_qs_for(*, user: Any) -> QuerySet[RiskAssessment]:
    if _oversees_all(user):
        return RiskAssessment.objects.all()
    orgs = list(organisation_qs_for(user=user))
    allowed = [
        o for o in orgs if o.kind in ("agency", "ministry") and user.has_perm(VIEW_ASSESSMENTS, o)
    ]
    if not allowed:
        return RiskAssessment.objects.none()
    # Someone acting for a trader, broker, carrier or terminal never sees that
    # declaration's risk result, whatever other organisation they also act for.
    own = [o.pk for o in orgs]
    trader_side = trade_parties_q(own, through="declaration__")
    if any(o.kind == "ministry" or o.agency_function == "customs" for o in allowed):
        return RiskAssessment.objects.exclude(trader_side)
    # Other agencies: the declarations routed to them (rule registered by ``agencies``).
    routed = declaration_qs_for(user=user).values("pk")
    return RiskAssessment.objects.filter(declaration_id__in=routed).exclude(trader_side)


def latest_assessment(declaration: Declaration) -> RiskAssessment | None:
    """The most recent assessment of the declaration (for the orchestrator; no scoping)."""
    return RiskAssessment.objects.filter(declaration=declaration).order_by("-pk").first()


def assessed_declaration_ids(*, ids: Sequence[int]) -> set[int]:
    """Those of the declarations that have been assessed (for the orchestrator's worker,
    which skips them on a second run; no scoping)."""
    return set(
        RiskAssessment.objects.filter(declaration_id__in=list(ids))
        .values_list("declaration_id", flat=True)
        .distinct()
    )


def assessment_for(*, user: Any, declaration_id: int) -> RiskAssessment | None:
    """The latest assessment of a declaration the user may see, else None."""
    return (
        assessment_qs_for(user=user)
        .filter(declaration_id=declaration_id)
        .prefetch_related("outcomes__agency")
        .order_by("-pk")
        .first()
    )


def assessment_history_for(*, user: Any, declaration_id: int) -> QuerySet[RiskAssessment]:
    return assessment_qs_for(user=user).filter(declaration_id=declaration_id).order_by("-pk")


def outcome_agencies_for(*, user: Any) -> list[Organisation]:
    """Agencies for which the user may record outcomes."""
    return [o for o in _orgs_with(user, RECORD_OUTCOMES) if o.kind == "agency"]


# --- hit rates ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileHitRate:
    """Per profile code over a period: declarations selected, feedback received, hits.
    The hit rate is hits over selections with feedback, so missing feedback does not
    pass for "nothing found"; ``pending`` shows how much feedback is missing."""

    code: str
    name: str
    owner_code: str
    kind: str
    channel: str
    selections: int
    outcomes: int
    irregularities: int
    seizures: int
    revenue: Decimal

    @property
    def pending(self) -> int:
        return self.selections - self.outcomes

    @property
    def hit_rate(self) -> Decimal | None:
        """Percentage, two decimals; None before any feedback."""
        if not self.outcomes:
            return None
        rate = Decimal(self.irregularities * 100) / Decimal(self.outcomes)
        return rate.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _counts(matches: QuerySet[RiskMatch], **filters: Any) -> dict[str, int]:
    rows = (
        matches.filter(**filters)
        .order_by()
        .values("code")
        .annotate(n=Count("assessment__declaration", distinct=True))
    )
    return {r["code"]: r["n"] for r in rows}


def profile_hit_rates(*, user: Any, date_from: dt.date, date_to: dt.date) -> list[ProfileHitRate]:
    """Hit counts of every profile the user maintains that was in force during the
    period (both days included), counted per declaration by assessment date."""
    profiles = (
        risk_profile_qs_for(user=user)
        .exclude(status=ProfileStatus.DRAFT)
        .filter(valid_from__lte=date_to)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=date_from))
        .exclude(valid_to=F("valid_from"))  # withdrawn drafts: never in force
        .order_by("code", "-version")
    )
    latest: dict[str, RiskProfile] = {}
    for p in profiles:
        latest.setdefault(p.code, p)
    matches = RiskMatch.objects.filter(
        code__in=list(latest),
        assessment__assessed_on__gte=date_from,
        assessment__assessed_on__lte=date_to,
    )
    selections = _counts(matches)
    outcomes = _counts(matches, assessment__outcomes__isnull=False)
    hits = _counts(matches, assessment__outcomes__result__in=list(HITS))
    seizures = _counts(matches, assessment__outcomes__result=OutcomeResult.SEIZURE)
    revenue = {
        r["code"]: r["total"]
        for r in matches.order_by()
        .values("code")
        .annotate(total=Sum("assessment__outcomes__revenue_amount"))
    }
    return [
        ProfileHitRate(
            code=code,
            name=p.name,
            owner_code=p.owner.code,
            kind=p.kind,
            channel=p.channel,
            selections=selections.get(code, 0),
            outcomes=outcomes.get(code, 0),
            irregularities=hits.get(code, 0),
            seizures=seizures.get(code, 0),
            revenue=revenue.get(code) or Decimal("0.00"),
        )
        for code, p in latest.items()
    ]


def outcome_qs_for(*, user: Any) -> QuerySet[RiskOutcome]:
    return RiskOutcome.objects.filter(assessment__in=assessment_qs_for(user=user))
