"""Background work of the clearance flow. Tasks take ids and are idempotent."""

from __future__ import annotations

from django_tasks import task

from ventanilla.accounts.models import User
from ventanilla.declarations.models import Declaration


@task()
def assess_declaration(declaration_id: int, user_id: int | None) -> str:
    """Assess a bulk-lodged declaration; a second run finds it assessed and stops."""
    from ventanilla.clearance.services import declaration_assess
    from ventanilla.risk.selectors import latest_assessment

    declaration = Declaration.objects.filter(pk=declaration_id).first()
    if declaration is None:
        return "missing"
    if latest_assessment(declaration) is not None:
        return "already assessed"
    by = User.objects.filter(pk=user_id).first() if user_id else None
    declaration_assess(declaration=declaration, by=by)
    return "assessed"
