"""Declarations in the making: the guided question pages save a draft at each step, so
a trader or broker can stop and come back (ui-principles: question pages, drafts saved
at each step).

A draft holds the content in the lodgement input shape
(``api.serializers.DeclarationInput``), as typed — it is validated when the step is
left and in full when it is submitted. A draft may also prepare the amendment of a
lodged declaration (``amends``). Submitting links the draft to its declaration, so a
second submission (the back button, a double click) finds the first.

The lodging function is passed in by the caller: the pages pass the orchestrator's
``clearance.services.declaration_submit`` (lodge and assess), which this app may not
import (ADR 0005); without one, the declaration is lodged only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.accounts.models import Organisation
from ventanilla.accounts.selectors import organisation_qs_for
from ventanilla.audit.services import audit_record
from ventanilla.core.errors import BusinessError, ConflictError

LODGING_KINDS = ("trader", "broker")

# Re-exported: the pages use the draft model's helpers through this module.
from ventanilla.declarations.draft_model import (  # noqa: E402
    STEPS,
    DeclarationDraft,
    complete,
    empty_content,
    empty_item,
)

__all__ = ["STEPS", "DeclarationDraft", "complete", "empty_content", "empty_item"]

# --- reads ------------------------------------------------------------------------------


def lodging_organisation_ids(*, user: Any) -> list[int]:
    """Traders and brokers the user lodges for."""
    return list(
        organisation_qs_for(user=user).filter(kind__in=LODGING_KINDS).values_list("pk", flat=True)
    )


def draft_qs_for(*, user: Any, submitted: bool = False) -> QuerySet[DeclarationDraft]:
    """Drafts of the organisations the user lodges for, still to be submitted (or, with
    ``submitted=True``, those already submitted)."""
    return DeclarationDraft.objects.filter(
        declarant_id__in=lodging_organisation_ids(user=user), submitted_at__isnull=not submitted
    ).select_related("declarant", "created_by", "amends")


# --- writes -----------------------------------------------------------------------------


def _require_declarant(by: Any, declarant: Organisation) -> None:
    if by is not None and declarant.pk not in lodging_organisation_ids(user=by):
        raise BusinessError.single(
            "forbidden",
            _("You do not lodge declarations for this organisation."),
            "organisation",
            http_status=403,
        )


@transaction.atomic
def draft_save(
    *,
    declarant: Organisation,
    data: dict[str, Any],
    step: str,
    by: Any,
    draft: DeclarationDraft | None = None,
    amends: Any | None = None,
) -> DeclarationDraft:
    """Start a draft (``draft=None``) or save the content of a step into it, as typed."""
    _require_declarant(by, declarant)
    if step not in STEPS:
        raise BusinessError.single("step_unknown", _("This step does not exist."), "step")
    if draft is None:
        draft = DeclarationDraft(
            declarant=declarant, amends=amends, created_by=by if getattr(by, "pk", None) else None
        )
        verb = "declaration_draft.started"
    else:
        draft = DeclarationDraft.objects.select_for_update().get(pk=draft.pk)
        if draft.declarant_id != declarant.pk:
            raise BusinessError.single(
                "forbidden",
                _("You do not lodge declarations for this organisation."),
                "organisation",
                http_status=403,
            )
        if draft.submitted_at is not None:
            raise ConflictError("draft_submitted", _("This draft was already submitted."), None)
        verb = "declaration_draft.saved"
    draft.data = complete(data)
    draft.step = step
    draft.save()
    audit_record(
        verb=verb,
        target=draft,
        by=by,
        organisation=declarant,
        payload={"step": step, "lrn": draft.data.get("lrn", "")},
    )
    return draft


@transaction.atomic
def draft_discard(*, draft: DeclarationDraft, by: Any) -> None:
    draft = (
        DeclarationDraft.objects.select_for_update().select_related("declarant").get(pk=draft.pk)
    )
    _require_declarant(by, draft.declarant)
    if draft.submitted_at is not None:
        raise ConflictError("draft_submitted", _("This draft was already submitted."), None)
    audit_record(
        verb="declaration_draft.discarded",
        target=draft,
        by=by,
        organisation=draft.declarant,
        payload={"lrn": draft.data.get("lrn", "")},
    )
    draft.delete()


Lodge = Callable[..., Any]  # (*, data, declarant, by) -> declarations.services.Lodged
Amend = Callable[..., Any]  # (*, declaration, data, reason, by) -> Declaration


@transaction.atomic
def draft_submit(
    *,
    draft: DeclarationDraft,
    data: dict[str, Any],
    by: Any,
    lodge: Lodge | None = None,
    reason: str = "",
    amend: Amend | None = None,
) -> Any:
    """Lodge the draft's declaration (or amend the declaration it amends, with
    ``reason``) from ``data`` validated by ``DeclarationInput``; returns the declaration.
    A submitted draft returns its declaration again. All or nothing: a refusal raises
    ``BusinessError`` and the draft stays as it was."""
    from ventanilla.declarations import services  # the model module imports this one

    draft = (
        # Only the draft's row is locked: the joined declarations may be absent (outer
        # join), which PostgreSQL cannot lock.
        DeclarationDraft.objects.select_for_update(of=("self",))
        .select_related("declarant", "amends", "declaration")
        .get(pk=draft.pk)
    )
    _require_declarant(by, draft.declarant)
    if draft.submitted_at is not None and draft.declaration is not None:
        return draft.declaration
    if draft.amends is not None:
        if not reason.strip():
            raise BusinessError.single(
                "reason_required", _("Give the reason for the amendment."), "reason"
            )
        declaration = (amend or services.declaration_amend)(
            declaration=draft.amends, data=data, reason=reason.strip(), by=by
        )
    else:
        declaration = (lodge or services.declaration_lodge)(
            data=data, declarant=draft.declarant, by=by
        ).declaration
    draft.declaration = declaration
    draft.submitted_at = timezone.now()
    draft.step = STEPS[-1]
    draft.save()
    audit_record(
        verb="declaration_draft.submitted",
        target=draft,
        by=by,
        organisation=draft.declarant,
        payload={
            "declaration": declaration.pk,
            "mrn": declaration.mrn,
            "amendment": draft.amends_id is not None,
        },
    )
    return declaration
