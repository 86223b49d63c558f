"""Code lists of risk management (TFA 7.4, 5.1) and the profile status transition table."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProfileKind(models.TextChoices):
    SELECTIVITY = "selectivity", _("Selectivity rule")
    # TFA 5.1: enhanced controls on food, beverages or feed, limited to the goods, origins
    # and entry points concerned, and ended promptly when no longer needed.
    IMPORT_ALERT = "import_alert", _("Import alert")
    # TFA 7.4 allows random selection; it also keeps the feedback labels unbiased.
    RANDOM = "random", _("Random selection")


class ProfileStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


# Explicit transition table: any other change is refused. A draft that is replaced by a
# newer draft, or withdrawn, goes to "retired" without ever having been in force.
TRANSITIONS: dict[str, frozenset[str]] = {
    ProfileStatus.DRAFT: frozenset({ProfileStatus.ACTIVE, ProfileStatus.RETIRED}),
    ProfileStatus.ACTIVE: frozenset({ProfileStatus.RETIRED}),
    ProfileStatus.RETIRED: frozenset(),
}


class OutcomeResult(models.TextChoices):
    """Result of the control a selection led to (CRMS-style mandatory feedback)."""

    NO_IRREGULARITY = "no_irregularity", _("No irregularity")
    IRREGULARITY_FOUND = "irregularity_found", _("Irregularity found")
    SEIZURE = "seizure", _("Seizure")


# Results that count as a hit when computing a profile's hit rate.
HITS = frozenset({OutcomeResult.IRREGULARITY_FOUND, OutcomeResult.SEIZURE})

# Permission codenames (granted through roles in accounts/roles.py).
MANAGE_PROFILES = "risk.manage_riskprofile"
VIEW_ASSESSMENTS = "risk.view_riskassessment"
RECORD_OUTCOMES = "risk.add_riskoutcome"
