"""Code lists of the goods declaration. WCO Data Model ids are given for each."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeclarationType(models.TextChoices):
    """WCO D013."""

    IMPORT = "IM", _("Import")
    EXPORT = "EX", _("Export")
    TRANSIT = "TR", _("Transit")


class Status(models.TextChoices):
    """The declaration's processing status (a superset of the WCO response codes)."""

    DRAFT = "draft", _("Draft")
    LODGED = "lodged", _("Lodged")
    ACCEPTED = "accepted", _("Accepted")
    UNDER_CONTROL = "under_control", _("Under control")
    INFORMATION_REQUESTED = "information_requested", _("Information requested")
    READY_FOR_RELEASE = "ready_for_release", _("Cleared, awaiting arrival")
    RELEASED = "released", _("Released")
    CLEARED = "cleared", _("Final assessment settled")
    REJECTED = "rejected", _("Refused")
    CANCELLED = "cancelled", _("Cancelled")


# Explicit transition table: any other change is refused (developers' guide, habit 3).
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.LODGED, Status.CANCELLED}),
    Status.LODGED: frozenset({Status.ACCEPTED, Status.REJECTED, Status.CANCELLED}),
    Status.ACCEPTED: frozenset(
        {
            Status.UNDER_CONTROL,
            Status.INFORMATION_REQUESTED,
            Status.READY_FOR_RELEASE,
            Status.RELEASED,
            Status.REJECTED,
            Status.CANCELLED,
        }
    ),
    Status.UNDER_CONTROL: frozenset(
        {
            Status.INFORMATION_REQUESTED,
            Status.READY_FOR_RELEASE,
            Status.RELEASED,
            Status.REJECTED,
            Status.CANCELLED,
            Status.ACCEPTED,
        }
    ),
    Status.INFORMATION_REQUESTED: frozenset(
        {
            Status.UNDER_CONTROL,
            Status.READY_FOR_RELEASE,
            Status.RELEASED,
            Status.REJECTED,
            Status.CANCELLED,
            Status.ACCEPTED,
        }
    ),
    Status.READY_FOR_RELEASE: frozenset(
        {
            Status.RELEASED,
            Status.UNDER_CONTROL,
            Status.INFORMATION_REQUESTED,
            Status.CANCELLED,
            Status.ACCEPTED,
        }
    ),
    Status.RELEASED: frozenset({Status.CLEARED}),
    Status.CLEARED: frozenset(),
    Status.REJECTED: frozenset(),
    Status.CANCELLED: frozenset(),
}

# Before release a declaration may still be amended or cancelled (WCO 06A Amendment).
AMENDABLE = frozenset(
    {
        Status.DRAFT,
        Status.ACCEPTED,
        Status.UNDER_CONTROL,
        Status.INFORMATION_REQUESTED,
        Status.READY_FOR_RELEASE,
    }
)


class Channel(models.TextChoices):
    """Selectivity result (TFA 7.4). Never shown to the trader."""

    GREEN = "green", _("Green")
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")


class TransportMode(models.TextChoices):
    """UN/ECE Recommendation 19 (WCO T022)."""

    SEA = "1", _("Sea")
    RAIL = "2", _("Rail")
    ROAD = "3", _("Road")
    AIR = "4", _("Air")
    POST = "5", _("Postal")
    FIXED = "7", _("Fixed installation")
    INLAND_WATER = "8", _("Inland waterway")


class PartyRole(models.TextChoices):
    IMPORTER = "importer", _("Importer")  # WCO 74A
    EXPORTER = "exporter", _("Exporter")  # WCO 57A
    DECLARANT = "declarant", _("Declarant / customs broker")  # WCO 57B / 05A
    CARRIER = "carrier", _("Carrier")  # WCO 18A
    CONSIGNOR = "consignor", _("Consignor")  # WCO 30A
    CONSIGNEE = "consignee", _("Consignee")  # WCO 27A
    # The operator of the terminal or warehouse where the goods are (WCO GoodsLocation
    # 64A): it holds them, so it is told of holds and release with the carrier (TFA 7.1).
    TERMINAL = "terminal", _("Terminal or warehouse operator")


class Milestone(models.TextChoices):
    """WCO Time Release Study milestones (TFA 7.6), one timestamp each."""

    ARRIVAL = "arrival", _("Goods arrived")
    LODGEMENT = "lodgement", _("Declaration lodged")
    ACCEPTANCE = "acceptance", _("Declaration accepted, channel assigned")
    DOCUMENT_CHECK_START = "document_check_start", _("Documentary check started")
    DOCUMENT_CHECK_END = "document_check_end", _("Documentary check ended")
    INSPECTION_START = "inspection_start", _("Physical inspection started")
    INSPECTION_END = "inspection_end", _("Physical inspection ended")
    AGENCY_APPROVALS = "agency_approvals", _("All agency permits obtained")
    PAYMENT = "payment", _("Duties paid or guaranteed")
    RELEASE = "release", _("Goods released")
    EXIT = "exit", _("Goods left the customs area")


class MilestoneSource(models.TextChoices):
    """Who stamped a milestone, as the timeline names it. A carrier's or terminal's
    arrival report is stamped with the reporting organisation's kind
    (``accounts.choices.OrganisationKind``)."""

    LODGEMENT = "lodgement", _("the single window")
    AGENCIES = "agencies", _("border agencies")
    PAYMENTS = "payments", _("payment")
    GUARANTEE = "guarantee", _("guarantee")
