"""Lower apps tell the orchestrator that something changed (ADR 0005)."""

from __future__ import annotations

from typing import Any

from ventanilla.clearance.batch import progress_deferred
from ventanilla.clearance.services import declaration_progress


def on_review_changed(sender: Any, *, review: Any, declaration: Any, **kwargs: Any) -> None:
    if progress_deferred(declaration.pk):
        return  # the assessment opening the reviews moves the declaration at its end
    declaration_progress(declaration=declaration, by=kwargs.get("by"))


def on_payment_state_changed(sender: Any, *, payment: Any, declaration: Any, **kwargs: Any) -> None:
    if progress_deferred(declaration.pk):
        return
    declaration_progress(declaration=declaration, by=kwargs.get("by"))
