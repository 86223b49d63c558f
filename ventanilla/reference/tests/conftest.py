"""Fixtures for the reference tests: the shared public data files and the demo set."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings

from ventanilla.audit.models import AuditEvent
from ventanilla.reference import models as m
from ventanilla.reference.loaders.demo import reference_demo_load
from ventanilla.reference.loaders.report import LoadReport

SHARED_DATA = Path(settings.BASE_DIR).parent / "shared" / "data"
REFERENCE_MODELS = (
    m.HSEdition,
    m.HSSection,
    m.HSCode,
    m.TariffLine,
    m.Country,
    m.Currency,
    m.Location,
    m.CustomsOffice,
    m.UnitOfMeasure,
    m.PackageType,
    m.DocumentType,
)


def shared_file(*parts: str) -> Path:
    """A file from ../shared/data. Missing anywhere: fail, so the suite never goes green
    by silently not testing the real data (the project is checked out beside shared/)."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"shared data file missing: {path} (check out the project beside shared/)")
    return path


@pytest.fixture
def hs_csv() -> Path:
    return shared_file("hs", "harmonized-system.csv")


@pytest.fixture
def sections_csv() -> Path:
    return shared_file("hs", "sections.csv")


@pytest.fixture
def unlocode_dir() -> Path:
    return shared_file("unlocode")


@pytest.fixture
def demo(db: None) -> LoadReport:
    return reference_demo_load()


def snapshot() -> dict[str, int]:
    """Row counts of every reference table and of the audit trail."""
    counts = {model.__name__: model._default_manager.count() for model in REFERENCE_MODELS}
    counts["AuditEvent"] = AuditEvent.objects.count()
    return counts


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[..., Path]:
    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write
