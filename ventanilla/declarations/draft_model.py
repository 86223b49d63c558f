"""The declaration draft model: content in the lodgement input shape, saved at each
step of the question pages. Kept apart from ``drafts`` (its services and reads) so that
``models`` imports no service (import-linter layers)."""

from __future__ import annotations

import copy
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy

from ventanilla.core.models import TimeStamped

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
