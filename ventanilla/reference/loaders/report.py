"""What a load did, for the operator (printed) and for the audit trail (the payload)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from modeltranslation.settings import DEFAULT_LANGUAGE

from ventanilla.audit.services import audit_record
from ventanilla.core.snapshots import clear_all
from ventanilla.reference.loaders.versioning import Counts

KIND_LABELS = {
    "hs_sections": _("HS sections"),
    "hs_codes": _("HS codes"),
    "tariff_lines": _("National tariff lines"),
    "locations": _("UN/LOCODE locations"),
    "countries": _("Countries"),
    "currencies": _("Currencies"),
    "customs_offices": _("Customs offices"),
    "units": _("Units of measure"),
    "package_types": _("Package types"),
    "document_types": _("Document types"),
}

R = TypeVar("R")


@dataclass
class LoadReport:
    kinds: dict[str, Counts] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def add(self, kind: str, counts: Counts) -> None:
        self.kinds[kind] = self.kinds.get(kind, Counts()) + counts

    def merge(self, other: LoadReport) -> None:
        for kind, counts in other.kinds.items():
            self.add(kind, counts)
        self.notes.extend(other.notes)
        self.details.update(other.details)

    @property
    def total(self) -> Counts:
        total = Counts()
        for counts in self.kinds.values():
            total = total + counts
        return total

    def lines(self) -> list[str]:
        rows = [f"{KIND_LABELS.get(k, k)}: {c.describe()}" for k, c in self.kinds.items()]
        return rows + self.notes

    def payload(self) -> dict[str, Any]:
        return {"counts": {k: c.as_dict() for k, c in self.kinds.items()}, **self.details}


@contextmanager
def default_language() -> Any:
    """modeltranslation fills the untranslated column (``name``) from the active
    language; loads always write as the default language so the result does not depend
    on who runs them."""
    with translation.override(DEFAULT_LANGUAGE):
        yield


def write_audited(
    *,
    write: Callable[[], LoadReport],
    verb: str,
    target: tuple[str, str],
    by: Any | None,
) -> LoadReport:
    """Run ``write`` and its one audit event in one transaction: a refusal anywhere
    (a version conflict found while writing) leaves no trace at all."""
    with default_language(), transaction.atomic():
        report = write()
        audit_record(verb=verb, target=target, by=by, payload=report.payload())
        # Loads write in bulk (no model signals): drop what lookups remember.
        transaction.on_commit(clear_all)
    clear_all()
    return report
