"""The ground of a selection, as the trader may be told it (TFA 5.2, 5.1).

When goods are selected for a documentary check or an examination, the trader and the
carrier are told promptly, with the reason. The profile, its criteria and thresholds
stay internal (they would teach how to evade them): what is told is the *ground* — a
category derived from the decisive profile: what it tests, or, for an import alert, which
agency's concern it answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ventanilla.risk.choices import ProfileKind
from ventanilla.risk.models import RiskAssessment
from ventanilla.risk.selectors import rules_in_force

RANDOM = "random"
SANITARY = "sanitary"
PHYTOSANITARY = "phytosanitary"
VALUATION = "valuation"
ORIGIN = "origin"
CLASSIFICATION = "classification"
OTHER = "other"

# Which agency's concern an import alert answers, by the owner agency's function.
_ALERT_GROUNDS = {
    "plant_health": PHYTOSANITARY,
    "animal_health": SANITARY,
    "food_safety": SANITARY,
    "health": SANITARY,
}
# What a selectivity profile tests, most telling first: a value test outranks the HS
# code that merely says which goods it watches.
_FIELD_GROUNDS = (
    (VALUATION, {"customs_value", "total_customs_value", "invoice_amount"}),
    (ORIGIN, {"origin_country", "preference_code", "export_country"}),
    (CLASSIFICATION, {"hs_code", "tariff_line", "description"}),
)


def _tested_fields(match: dict[str, Any]) -> set[str]:
    return {str(c.get("field", "")) for c in match.get("conditions") or []}


def _ground_of_fields(fields: Iterable[str]) -> str:
    tested = set(fields)
    for ground, names in _FIELD_GROUNDS:
        if tested & names:
            return ground
    return OTHER


def selection_ground(*, assessment: RiskAssessment) -> str:
    """The ground of the assessment's channel: the first decisive profile (profiles are
    evaluated by priority); ``random`` when only a random draw selected it."""
    decisive = [m for m in assessment.matches if m.get("channel") == assessment.channel]
    chosen = next((m for m in decisive if m.get("kind") != ProfileKind.RANDOM), None)
    if chosen is None:
        return RANDOM if decisive else OTHER
    if chosen.get("kind") == ProfileKind.IMPORT_ALERT:
        owners = {p.pk: p.owner for p in rules_in_force(on=assessment.assessed_on).profiles}
        owner = owners.get(chosen.get("profile_id"))
        return _ALERT_GROUNDS.get(getattr(owner, "agency_function", ""), OTHER)
    return _ground_of_fields(_tested_fields(chosen))
