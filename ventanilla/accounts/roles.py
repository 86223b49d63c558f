"""Who may do what: each role is a set of Django permission codenames.

This module is the single description of the roles; ``sync_roles`` writes it to the
database after every ``migrate`` (idempotent). Organisation scoping is applied on top by
the selectors: a permission lets a user act, the selectors decide on which rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps as global_apps
from django.db import transaction
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ventanilla.accounts.choices import OrganisationKind as K


@dataclass(frozen=True)
class RoleSpec:
    code: str
    name: Promise
    description: Promise
    kinds: tuple[str, ...]
    permissions: tuple[str, ...]


MANAGE_ORG = "accounts.manage_organisation"
VIEW_AUDIT = "audit.view_auditevent"
MANAGE_REFERENCE = "reference.manage_reference"
# Duties and payments (TFA 7.2 e-payment; 7.3 guarantees, final determination).
PAY_DUTIES = "payments.pay_duties"
USE_GUARANTEE = "payments.use_guarantee"
VIEW_GUARANTEE = "payments.view_guaranteeaccount"
VIEW_ASSESSMENTS = "duties.view_dutyassessment"
FINALISE_ASSESSMENT = "duties.finalise_assessment"
DECIDE_REVIEW = "agencies.decide_review"
MANAGE_REQUIREMENTS = "agencies.manage_requirementline"

ROLES: tuple[RoleSpec, ...] = (
    RoleSpec(
        "trader_declarant",
        _("Trader declarant"),
        _("Lodges and follows the organisation's own declarations."),
        (K.TRADER,),
        (PAY_DUTIES, USE_GUARANTEE, VIEW_GUARANTEE),
    ),
    RoleSpec(
        "trader_admin",
        _("Trader administrator"),
        _("Manages the trader's members and API tokens."),
        (K.TRADER,),
        (MANAGE_ORG,),
    ),
    RoleSpec(
        "broker_declarant",
        _("Customs broker declarant"),
        _("Lodges declarations on behalf of client traders."),
        (K.BROKER,),
        (PAY_DUTIES, USE_GUARANTEE),
    ),
    RoleSpec(
        "broker_admin",
        _("Customs broker administrator"),
        _("Manages the broker's members and API tokens."),
        (K.BROKER,),
        (MANAGE_ORG,),
    ),
    RoleSpec(
        "carrier_operator",
        _("Carrier or terminal operator"),
        _("Reports arrivals and follows releases for its conveyances."),
        (K.CARRIER,),
        (),
    ),
    RoleSpec(
        "agency_officer",
        _("Border agency officer"),
        _("Works the agency's queue of reviews and inspections."),
        (K.AGENCY,),
        (
            DECIDE_REVIEW,
            "risk.view_riskassessment",
            "risk.add_riskoutcome",
            VIEW_ASSESSMENTS,
            FINALISE_ASSESSMENT,
        ),
    ),
    RoleSpec(
        "agency_supervisor",
        _("Border agency supervisor"),
        _("Supervises the agency's officers and maintains its reference data."),
        (K.AGENCY,),
        (
            MANAGE_ORG,
            MANAGE_REFERENCE,
            VIEW_AUDIT,
            DECIDE_REVIEW,
            MANAGE_REQUIREMENTS,
            "risk.manage_riskprofile",
            "risk.view_riskassessment",
            "risk.add_riskoutcome",
            VIEW_ASSESSMENTS,
            FINALISE_ASSESSMENT,
        ),
    ),
    RoleSpec(
        "committee_member",
        _("Trade facilitation committee member"),
        _("Governs shared risk profiles and published content, watches performance."),
        (K.MINISTRY,),
        (VIEW_AUDIT, "risk.manage_riskprofile", "risk.view_riskassessment", VIEW_ASSESSMENTS),
    ),
)

ROLE_CODES = tuple(r.code for r in ROLES)


def _permission(codename: str) -> Any | None:
    Permission = global_apps.get_model("auth", "Permission")
    app_label, code = codename.split(".", 1)
    return Permission.objects.filter(content_type__app_label=app_label, codename=code).first()


def sync_roles() -> int:
    """Create or update every role from ``ROLES``; returns how many roles were written."""
    Role = global_apps.get_model("accounts", "Role")
    with transaction.atomic():
        for spec in ROLES:
            values: dict[str, Any] = {"organisation_kinds": list(spec.kinds)}
            for lang in ("en", "es"):
                with translation.override(lang):
                    values[f"name_{lang}"] = str(spec.name)
                    values[f"description_{lang}"] = str(spec.description)
            values["name"] = values["name_en"]
            values["description"] = values["description_en"]
            role, _created = Role.objects.update_or_create(code=spec.code, defaults=values)
            perms = [p for p in (_permission(c) for c in spec.permissions) if p is not None]
            role.permissions.set(perms)
    return len(ROLES)


def sync_roles_after_migrate(sender: Any, **kwargs: Any) -> None:
    # Permissions of every app exist only once the last app has migrated.
    # post_migrate is sent only for apps that have a models module.
    configs = [c for c in global_apps.get_app_configs() if c.models_module is not None]
    if sender is configs[-1]:
        sync_roles()
