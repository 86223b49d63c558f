from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Q

from ventanilla.accounts.tests.factories import AgencyFactory, member
from ventanilla.declarations import selectors as declaration_selectors


@pytest.fixture
def customs_sees_all(monkeypatch: Any) -> None:
    """Route every declaration to every agency (the agencies app's routing is not under
    test here)."""
    monkeypatch.setattr(declaration_selectors, "_agency_visibility", [lambda ids: Q(pk__gt=0)])


@pytest.fixture
def customs_officer(db: Any, customs_sees_all: None) -> Any:
    return member("agency_officer", AgencyFactory(agency_function="customs"))
