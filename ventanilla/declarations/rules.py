"""Validation rules of a lodged declaration. Each rule is a class named by its code whose
docstring is the message; every rule runs, so the declarant gets all errors at once,
each with the path of the field at fault (``items.2.tariff_line``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _

from ventanilla.core.errors import ErrorItem
from ventanilla.reference import lookups


@dataclass
class Context:
    """What the rules need besides the data: the reference codes in force, fetched in one
    query per list, and the organisations the parties resolve to."""

    data: dict[str, Any]
    tariff_lines: dict[str, Any] = field(default_factory=dict)
    countries: set[str] = field(default_factory=set)
    currencies: set[str] = field(default_factory=set)
    locations: set[str] = field(default_factory=set)
    offices: set[str] = field(default_factory=set)
    trader_codes: set[str] = field(default_factory=set)

    @classmethod
    def build(cls, data: dict[str, Any], trader_codes: set[str]) -> Context:
        return cls.build_many([data], trader_codes)[0]

    @classmethod
    def build_many(cls, rows: list[dict[str, Any]], trader_codes: set[str]) -> list[Context]:
        """One context per declaration, the look-ups done once for all of them (bulk)."""
        items = [i for data in rows for i in data["items"]]
        countries = {i["origin_country"] for i in items}
        locations: set[str] = set()
        offices: set[str] = set()
        for data in rows:
            countries |= {data["export_country"], data["destination_country"]}
            countries |= {p["country"] for p in data["parties"]}
            locations |= {data["loading_location"], data["discharge_location"]}
            offices |= {data["office_code"], data["entry_office_code"]}
        tariff_lines = lookups.tariff_lines_in_force(i["tariff_line"] for i in items)
        in_force = {
            "countries": lookups.countries_in_force(countries),
            "currencies": lookups.currencies_in_force(d["invoice_currency"] for d in rows),
            "locations": lookups.locations_in_force(locations),
            "offices": lookups.customs_offices_in_force(offices),
        }
        return [
            cls(data=data, tariff_lines=tariff_lines, trader_codes=trader_codes, **in_force)
            for data in rows
        ]


class Rule:
    # The docstring is the message; ``message`` repeats it as a literal so that
    # makemessages extracts it for the Spanish catalogue.
    code: ClassVar[str]
    message: ClassVar[Any]

    def error(self, path: str | None) -> ErrorItem:
        return ErrorItem(self.code, str(self.message), path)

    def check(self, ctx: Context) -> Iterator[ErrorItem]:  # pragma: no cover - interface
        raise NotImplementedError


class TariffLineInForce(Rule):
    """This national tariff line does not exist or is not in force."""

    code = "tariff_line_unknown"
    message = _("This national tariff line does not exist or is not in force.")

    def check(self, ctx: Context) -> Iterator[ErrorItem]:
        for n, item in enumerate(ctx.data["items"]):
            if item["tariff_line"] not in ctx.tariff_lines:
                yield self.error(f"items.{n}.tariff_line")


class CountryKnown(Rule):
    """This is not an ISO 3166 country code in force."""

    code = "country_unknown"
    message = _("This is not an ISO 3166 country code in force.")

    def check(self, ctx: Context) -> Iterator[ErrorItem]:
        for name in ("export_country", "destination_country"):
            if ctx.data[name] and ctx.data[name].upper() not in ctx.countries:
                yield self.error(name)
        for n, item in enumerate(ctx.data["items"]):
            if item["origin_country"].upper() not in ctx.countries:
                yield self.error(f"items.{n}.origin_country")
        for n, party in enumerate(ctx.data["parties"]):
            if party["country"] and party["country"].upper() not in ctx.countries:
                yield self.error(f"parties.{n}.country")


class CurrencyKnown(Rule):
    """This is not an ISO 4217 currency code in force."""

    code = "currency_unknown"
    message = _("This is not an ISO 4217 currency code in force.")

    def check(self, ctx: Context) -> Iterator[ErrorItem]:
        if ctx.data["invoice_currency"].upper() not in ctx.currencies:
            yield self.error("invoice_currency")


class LocationKnown(Rule):
    """This is not a UN/LOCODE location in force."""

    code = "location_unknown"
    message = _("This is not a UN/LOCODE location in force.")

    def check(self, ctx: Context) -> Iterator[ErrorItem]:
        for name in ("loading_location", "discharge_location"):
            if ctx.data[name] and ctx.data[name].upper() not in ctx.locations:
                yield self.error(name)


class OfficeKnown(Rule):
    """This is not a customs office in force."""

    code = "office_unknown"
    message = _("This is not a customs office in force.")

    def check(self, ctx: Context) -> Iterator[ErrorItem]:
        for name in ("office_code", "entry_office_code"):
            if ctx.data[name] and ctx.data[name].upper() not in ctx.offices:
                yield self.error(name)


class NetMassNotAboveGross(Rule):
    """The net mass cannot be greater than the gross mass."""

    code = "net_mass_above_gross"
    message = _("The net mass cannot be greater than the gross mass.")

    def check(self, ctx: Context) -> Iterator[ErrorItem]:
        for n, item in enumerate(ctx.data["items"]):
            if item["net_mass_kg"] > item["gross_mass_kg"]:
                yield self.error(f"items.{n}.net_mass_kg")


class CustomsValuePositive(Rule):
    """The customs value of an item must be greater than zero."""

    code = "customs_value_zero"
    message = _("The customs value of an item must be greater than zero.")

    def check(self, ctx: Context) -> Iterator[ErrorItem]:
        for n, item in enumerate(ctx.data["items"]):
            if item["customs_value"] <= 0:
                yield self.error(f"items.{n}.customs_value")


class PackagesCounted(Rule):
    """Give the number of packages (only bulk goods, package types V…, have none)."""

    code = "package_count_missing"
    message = _("Give the number of packages (only bulk goods, package types V…, have none).")

    def check(self, ctx: Context) -> Iterator[ErrorItem]:
        for n, item in enumerate(ctx.data["items"]):
            bulk = item["package_type"].upper().startswith("V") or item["package_type"] == "NE"
            if item["package_type"] and not bulk and item["package_count"] == 0:
                yield self.error(f"items.{n}.package_count")


class MainPartyPresent(Rule):
    """An import declaration names its importer, an export its exporter."""

    code = "main_party_missing"
    message = _("An import declaration names its importer, an export its exporter.")

    def check(self, ctx: Context) -> Iterator[ErrorItem]:
        needed = {"IM": "importer", "EX": "exporter"}.get(ctx.data["declaration_type"])
        roles = [p["role"] for p in ctx.data["parties"]]
        if needed and needed not in roles:
            yield self.error("parties")


class PartyRoleOnce(Rule):
    """Each party role may appear only once."""

    code = "party_role_repeated"
    message = _("Each party role may appear only once.")

    def check(self, ctx: Context) -> Iterator[ErrorItem]:
        seen: set[str] = set()
        for n, party in enumerate(ctx.data["parties"]):
            if party["role"] in seen:
                yield self.error(f"parties.{n}.role")
            seen.add(party["role"])


class MainPartyRegistered(Rule):
    """The importer or exporter must be registered in the single window (identifier)."""

    code = "trader_not_registered"
    message = _("The importer or exporter must be registered in the single window (identifier).")

    def check(self, ctx: Context) -> Iterator[ErrorItem]:
        for n, party in enumerate(ctx.data["parties"]):
            if party["role"] in ("importer", "exporter") and (
                party["identifier"] not in ctx.trader_codes
            ):
                yield self.error(f"parties.{n}.identifier")


class ArrivalForPreArrival(Rule):
    """Give the estimated arrival: imports by sea or air are processed before arrival
    (TFA 7.1)."""

    code = "estimated_arrival_missing"
    message = _(
        "Give the estimated arrival: imports by sea or air are processed before arrival (TFA 7.1)."
    )

    def check(self, ctx: Context) -> Iterator[ErrorItem]:
        d = ctx.data
        if (
            d["declaration_type"] == "IM"
            and d["transport_mode"] in ("1", "4")
            and (d["estimated_arrival"] is None)
        ):
            yield self.error("estimated_arrival")


class DocumentOnce(Rule):
    """The same document is listed twice."""

    code = "document_repeated"
    message = _("The same document is listed twice.")

    def check(self, ctx: Context) -> Iterator[ErrorItem]:
        seen: set[tuple[str, str]] = set()
        for n, doc in enumerate(ctx.data["documents"]):
            key = (doc["type_code"], doc["reference"])
            if key in seen:
                yield self.error(f"documents.{n}.reference")
            seen.add(key)


RULES: tuple[Rule, ...] = (
    TariffLineInForce(),
    CountryKnown(),
    CurrencyKnown(),
    LocationKnown(),
    OfficeKnown(),
    NetMassNotAboveGross(),
    CustomsValuePositive(),
    PackagesCounted(),
    MainPartyPresent(),
    PartyRoleOnce(),
    MainPartyRegistered(),
    ArrivalForPreArrival(),
    DocumentOnce(),
)


def check_all(ctx: Context) -> list[ErrorItem]:
    return [error for rule in RULES for error in rule.check(ctx)]
