from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    TRADER = "trader", _("Trader (importer or exporter)")
    BROKER = "broker", _("Customs broker")
    CARRIER = "carrier", _("Carrier or terminal operator")
    AGENCY = "agency", _("Border agency")
    MINISTRY = "ministry", _("Ministry / national trade facilitation committee")


class AgencyFunction(models.TextChoices):
    """What a border agency controls; the single window routes work by it (TFA 8, 10.4)."""

    CUSTOMS = "customs", _("Customs")
    PLANT_HEALTH = "plant_health", _("Plant health")
    ANIMAL_HEALTH = "animal_health", _("Animal health")
    FOOD_SAFETY = "food_safety", _("Food safety")
    HEALTH = "health", _("Public health and medicines")
    STANDARDS = "standards", _("Technical standards")
    OTHER = "other", _("Other")


class MandateKind(models.TextChoices):
    """How a customs broker represents a trader (WCO Agent 05A)."""

    DIRECT = "direct", _("Direct representation")
    INDIRECT = "indirect", _("Indirect representation")
