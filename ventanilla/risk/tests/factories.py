"""Helpers for risk tests: ``published_profile(...)`` makes a profile in force today."""

from __future__ import annotations

from typing import Any

from ventanilla.accounts.models import Organisation
from ventanilla.accounts.tests.factories import AgencyFactory
from ventanilla.risk import services
from ventanilla.risk.models import RiskProfile

AVOCADO_RULE = [
    {"field": "hs_code", "op": "startswith", "value": ["0804"]},
    {"field": "origin_country", "op": "in", "value": ["MX", "GT"]},
]


def draft_profile(owner: Organisation | None = None, **kwargs: Any) -> RiskProfile:
    values: dict[str, Any] = {
        "code": "SEL-AVOCADO",
        "name_en": "Avocados from Mexico or Guatemala",
        "kind": "selectivity",
        "channel": "yellow",
        "criteria": AVOCADO_RULE,
        "rationale": "Internal reason.",
    }
    values.update(kwargs)
    return services.risk_profile_create(owner=owner or AgencyFactory(), by=None, **values)


def published_profile(owner: Organisation | None = None, **kwargs: Any) -> RiskProfile:
    return services.risk_profile_publish(profile=draft_profile(owner, **kwargs), by=None)
