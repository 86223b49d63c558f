"""Background work of the clearance flow. Tasks take ids and are idempotent."""

from __future__ import annotations

from collections import Counter

import structlog
from django.db import transaction
from django_tasks import task

from ventanilla.accounts.models import User
from ventanilla.core.errors import BusinessError
from ventanilla.declarations.models import Declaration

log = structlog.get_logger(__name__)

# Bulk lodgement enqueues one task per this many declarations: one task row instead of
# one per declaration, while a task stays short enough to retry.
ASSESS_CHUNK = 100


@task()
def assess_declarations(declaration_ids: list[int], user_id: int | None) -> dict[str, int]:
    """Assess bulk-lodged declarations, each in its own transaction so that one refusal
    does not hold back the others; a second run skips those already assessed."""
    by = User.objects.filter(pk=user_id).first() if user_id else None
    outcomes = Counter(_assess_one(pk, by) for pk in declaration_ids)
    return dict(outcomes)


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
