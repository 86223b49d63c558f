"""Background work of the clearance flow. Tasks take ids and are idempotent."""

from __future__ import annotations

from collections import Counter

import structlog
from django.db import transaction
from django_tasks import task

from ventanilla.accounts.models import User
from ventanilla.core.errors import BusinessError
from ventanilla.declarations.models import TRADE_PARTIES, Declaration

log = structlog.get_logger(__name__)

# Bulk lodgement enqueues one task per this many declarations: one task row instead of
# one per declaration, while a task stays short enough to retry.
ASSESS_CHUNK = 100


@task()
def assess_declarations(declaration_ids: list[int], user_id: int | None) -> dict[str, int]:
    """Assess bulk-lodged declarations together (ADR 0006: a fixed number of queries for
    the whole chunk). Should one of them be refused, the chunk's work is rolled back and
    each declaration is assessed in its own transaction, so that one refusal does not
    hold back the others. A second run skips those already assessed."""
    by = User.objects.filter(pk=user_id).first() if user_id else None
    try:
        return _assess_together(declaration_ids, by)
    except BusinessError:
        outcomes = Counter(_assess_one(pk, by) for pk in declaration_ids)
        return dict(outcomes)


def _assess_together(declaration_ids: list[int], by: User | None) -> dict[str, int]:
    from ventanilla.clearance.batch import declarations_assess
    from ventanilla.risk.selectors import assessed_declaration_ids

    with transaction.atomic():
        # Locked, so two workers running the same task cannot both assess them.
        found = list(
            Declaration.objects.select_for_update(of=("self",))
            .select_related(*TRADE_PARTIES)
            .filter(pk__in=declaration_ids)
            .order_by("pk")
        )
        done = assessed_declaration_ids(ids=[d.pk for d in found])
        todo = [d for d in found if d.pk not in done]
        declarations_assess(declarations=todo, by=by)
    outcomes = {
        "assessed": len(todo),
        "already assessed": len(done),
        "missing": len(declaration_ids) - len(found),
    }
    return {k: v for k, v in outcomes.items() if v}


@task()
def assess_declaration(declaration_id: int, user_id: int | None) -> str:
    """One declaration (tasks enqueued before bulk assessment went by chunks)."""
    by = User.objects.filter(pk=user_id).first() if user_id else None
    return _assess_one(declaration_id, by)


def _assess_one(declaration_id: int, by: User | None) -> str:
    from ventanilla.clearance.services import declaration_assess
    from ventanilla.risk.selectors import latest_assessment

    try:
        with transaction.atomic():
            # Locked, so two workers running the same task cannot both assess it.
            declaration = Declaration.objects.select_for_update().filter(pk=declaration_id).first()
            if declaration is None:
                return "missing"
            if latest_assessment(declaration) is not None:
                return "already assessed"
            declaration_assess(declaration=declaration, by=by)
            return "assessed"
    except BusinessError as error:
        # The declaration stays accepted and unassessed, visible to customs; the
        # refusal is logged with its codes for the operators.
        log.warning(
            "assessment_refused",
            declaration=declaration_id,
            codes=[item.code for item in error.items],
        )
        return "refused"
