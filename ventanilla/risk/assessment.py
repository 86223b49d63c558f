"""Selectivity (TFA 7.4): the risk profiles in force evaluated against declarations, and
the result stored with its explanations. One implementation for one declaration and
for a batch (the worker's set-based assessment, ADR 0006): a batch costs the same
queries as one declaration."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac

from ventanilla.audit.services import audit_batch, audit_record
from ventanilla.core import bulk
from ventanilla.declarations.facts import declaration_facts_many
from ventanilla.declarations.models import Declaration
from ventanilla.risk import selectors
from ventanilla.risk.engine import EngineResult, evaluate
from ventanilla.risk.models import RiskAssessment, RiskMatch


def actor(by: Any | None) -> Any | None:
    """The user to store as author: none for the system, or a user not saved."""
    return by if getattr(by, "pk", None) else None


def random_seed(declaration: Declaration) -> str:
    """The seed of the declaration's random draws: its id, keyed with the server's secret.
    The code is public, so an unkeyed hash would let anyone compute in advance which
    declarations a random profile selects; keyed, it stays reproducible for us only.
    The same declaration draws the same after an amendment, so amending cannot re-roll."""
    return salted_hmac("ventanilla.risk.random-selection", str(declaration.pk)).hexdigest()


def risk_assess(
    *,
    declaration: Declaration,
    by: Any | None,
    on: dt.date | None = None,
    facts: dict[str, Any] | None = None,
    savepoint: bool = True,
) -> RiskAssessment:
    """Evaluate the profiles in force on ``on`` (today) against the declaration's facts
    and store the result: a new row each time, so re-assessments keep the history.

    For the orchestrator: ``facts`` is ``declaration_facts(declaration)`` when the caller
    already has it (read once per lodgement; it is not changed); ``savepoint=False`` when
    the caller never catches an error of this service, so an error may fail the caller's
    whole transaction (saves a savepoint's round trips)."""
    with transaction.atomic(savepoint=savepoint):
        assessed = risk_assess_many(
            declarations=[declaration],
            facts={} if facts is None else {declaration.pk: facts},
            by=by,
            on=on,
        )
    return assessed[declaration.pk]


def risk_assess_many(
    *,
    declarations: Sequence[Declaration],
    facts: Mapping[int, dict[str, Any]],
    by: Any | None,
    on: dt.date | None = None,
) -> dict[int, RiskAssessment]:
    """``risk_assess`` of each declaration (by id), as one step of the caller's
    transaction: no savepoint, and no lock taken (the caller holds the declarations').

    ``facts``: ``declaration_facts_many(declarations)`` (not changed); the facts of a
    declaration missing from it are read here. Queries per batch, whatever its size:
    the compliance record when a profile tests it, the assessments, their matched
    profiles, and the audit events (appended together)."""
    if not declarations:
        return {}
    with transaction.atomic(savepoint=False), audit_batch(savepoint=False):
        return _assess_many(declarations, facts=facts, by=by, on=on)


def _assess_many(
    declarations: Sequence[Declaration],
    *,
    facts: Mapping[int, dict[str, Any]],
    by: Any | None,
    on: dt.date | None,
) -> dict[int, RiskAssessment]:
    day = on or timezone.localdate()
    in_force = selectors.rules_in_force(on=day)
    missing = [d for d in declarations if d.pk not in facts]
    known = {**facts, **declaration_facts_many(missing)} if missing else facts
    records: dict[int, dict[str, int]] = {}
    if in_force.record_limits:
        records = selectors.prior_declaration_counts_many(
            declarations=declarations, limits=in_force.record_limits
        )
    results: list[tuple[Declaration, EngineResult]] = []
    # Stored explanations are in the default language; readers get them re-rendered.
    with translation.override(settings.LANGUAGE_CODE):
        for d in declarations:
            seen = {**known[d.pk], **records[d.pk]} if records else known[d.pk]
            results.append((d, evaluate(seen, in_force.rules, random_seed(d))))
    assessments = bulk.create_many(
        RiskAssessment,
        [
            RiskAssessment(
                declaration=d,
                declaration_version=d.version,
                channel=result.channel,
                matches=[m.as_json() for m in result.matches],
                random_selected=result.random_selected,
                profiles_evaluated=result.profiles_evaluated,
                assessed_on=day,
                created_by=actor(by),
            )
            for d, result in results
        ],
    )
    bulk.create_many(
        RiskMatch,
        [
            RiskMatch(
                assessment=assessment,
                profile_id=m.profile_id,
                code=m.code,
                channel=m.channel,
                is_random=m.kind == "random",
            )
            for assessment, (_, result) in zip(assessments, results, strict=True)
            for m in result.matches
        ],
    )
    for assessment, (d, result) in zip(assessments, results, strict=True):
        audit_record(
            verb="risk.assessed",
            target=assessment,
            by=by,
            payload={
                "declaration": d.pk,
                "version": d.version,
                "channel": result.channel,
                "profiles": [m.code for m in result.matches],
                "evaluated": result.profiles_evaluated,
                "on": day.isoformat(),
            },
        )
    return {a.declaration_id: a for a in assessments}
