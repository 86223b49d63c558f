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

import copy
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ventanilla.accounts.models import Organisation
from ventanilla.accounts.selectors import organisation_qs_for
from ventanilla.audit.services import audit_record
from ventanilla.core.errors import BusinessError, ConflictError
from ventanilla.core.models import TimeStamped

LODGING_KINDS = ("trader", "broker")

# The question pages, in order (the URL names each step by its key).
STEPS: tuple[str, ...] = ("type", "parties", "transport", "goods", "documents", "check")


def empty_item() -> dict[str, Any]:
    return {
        "tariff_line": "",
        "description": "",
        "origin_country": "",
        "preference_code": "",
        "package_type": "",
        "package_count": "",
        "gross_mass_kg": "",
        "net_mass_kg": "",
        "supplementary_quantity": "",
        "customs_value": "",
        "perishable": False,
        "documents": [],
    }


def empty_content() -> dict[str, Any]:
    """Every key of the input shape, blank: the pages fill it step by step."""
    return {
        "lrn": "",
        "declaration_type": "IM",
        "procedure_code": "4000",
        "previous_procedure_code": "",
        "office_code": "",
        "transport_mode": "1",
        "conveyance_ref": "",
        "transport_document_ref": "",
        "loading_location": "",
        "discharge_location": "",
        "entry_office_code": "",
        "estimated_arrival": "",
        "export_country": "",
        "destination_country": getattr(settings, "VENTANILLA_COUNTRY", "PE"),
        "incoterm": "",
        "invoice_currency": "USD",
        "invoice_amount": "",
        "perishable": False,
        "parties": [],
        "items": [empty_item()],
        "documents": [],
    }


def complete(data: dict[str, Any] | None) -> dict[str, Any]:
    """``data`` with every missing key of the input shape added (blank)."""
    out = empty_content()
    for key, value in (data or {}).items():
        out[key] = copy.deepcopy(value)
    out["items"] = [{**empty_item(), **item} for item in out.get("items") or []] or [empty_item()]
    return out


class DeclarationDraft(TimeStamped):
    declarant = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="declaration_drafts",
        verbose_name=gettext_lazy("declarant"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    data = models.JSONField(gettext_lazy("content"), default=empty_content)
    step = models.CharField(gettext_lazy("current step"), max_length=12, default=STEPS[0])
    # An amendment in the making: the declaration it will replace the content of.
    amends = models.ForeignKey(
        "declarations.Declaration",
        on_delete=models.CASCADE,
        related_name="amendment_drafts",
        null=True,
        blank=True,
    )
    declaration = models.ForeignKey(
        "declarations.Declaration",
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    submitted_at = models.DateTimeField(gettext_lazy("submitted at"), null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = gettext_lazy("declaration draft")
        verbose_name_plural = gettext_lazy("declaration drafts")
        indexes = [models.Index(fields=["declarant", "submitted_at"])]

    def __str__(self) -> str:
        return str(self.data.get("lrn") or f"draft {self.pk}")


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
