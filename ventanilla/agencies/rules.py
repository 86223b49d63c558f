"""Business rules of the agencies app. Each rule is a class named by its code whose
docstring is the message; every rule of a set runs, so the caller gets every problem at
once, each with the field at fault."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _

from ventanilla.agencies.choices import (
    Decision,
    InspectionResult,
    ReasonCategory,
    RequirementAction,
    ReviewStatus,
)
from ventanilla.core.errors import BusinessError, ErrorItem
from ventanilla.declarations.choices import DeclarationType

HS_PREFIX = re.compile(r"^(\d{2,6}|\d{8,10})$")
COUNTRY = re.compile(r"^[A-Z]{2}$")
PROCEDURE = re.compile(r"^\d{4}$")
UNLOCODE = re.compile(r"^[A-Z]{2}[A-Z2-9]{3}$")
COUNTRY_FIELDS = ("origin_country", "export_country", "destination_country")


class Rule:
    # The docstring is the message; ``message`` repeats it as a literal so that
    # makemessages extracts it for the Spanish catalogue.
    code: ClassVar[str]
    message: ClassVar[Any]

    def error(self, field: str | None) -> ErrorItem:
        return ErrorItem(self.code, str(self.message), field)

    def check(self, ctx: Any) -> Iterator[ErrorItem]:  # pragma: no cover - interface
        raise NotImplementedError


def enforce(rules: Iterable[Rule], ctx: Any) -> None:
    """Run every rule; raise one BusinessError listing all the problems found."""
    problems = [item for rule in rules for item in rule.check(ctx)]
    if problems:
        raise BusinessError(problems)


# --- The requirement matrix (TFA 10.1: data requirements kept as configuration) -----


@dataclass
class LineContext:
    """What the line rules read. ``countries`` and ``documents`` are the reference codes in
    force on the day the version takes effect; ``kept`` holds the version being replaced,
    whose codes may stay as they are even if withdrawn since (the matrix is never
    rewritten, and a supervisor changing the SLA must not be forced to change the code)."""

    data: dict[str, Any]
    today: dt.date
    countries: frozenset[str] = frozenset()
    documents: frozenset[str] = frozenset()
    kept: dict[str, Any] = field(default_factory=dict)

    def unknown(self, name: str, known: frozenset[str]) -> bool:
        value = self.data.get(name) or ""
        return bool(value) and value not in known and value != self.kept.get(name)


class HsPrefixValid(Rule):
    """The HS prefix must have 2 to 6 digits, or 8 to 10 digits of a national tariff line."""

    code = "hs_prefix_invalid"
    message = _(
        "The HS prefix must have 2 to 6 digits, or 8 to 10 digits of a national tariff line."
    )

    def check(self, ctx: LineContext) -> Iterator[ErrorItem]:
        if not HS_PREFIX.match(ctx.data.get("hs_prefix") or ""):
            yield self.error("hs_prefix")


class CountryValid(Rule):
    """A country is a two-letter ISO 3166 code, or blank for any country."""

    code = "country_invalid"
    message = _("A country is a two-letter ISO 3166 code, or blank for any country.")

    def check(self, ctx: LineContext) -> Iterator[ErrorItem]:
        for name in COUNTRY_FIELDS:
            value = ctx.data.get(name) or ""
            if value and not COUNTRY.match(value):
                yield self.error(name)


class CountryKnown(Rule):
    """This country is not in the reference list of countries in force."""

    code = "country_unknown"
    message = _("This country is not in the reference list of countries in force.")

    def check(self, ctx: LineContext) -> Iterator[ErrorItem]:
        for name in COUNTRY_FIELDS:
            value = ctx.data.get(name) or ""
            if COUNTRY.match(value) and ctx.unknown(name, ctx.countries):
                yield self.error(name)


class DeclarationTypeValid(Rule):
    """The declaration type must be IM, EX or TR, or blank for every type."""

    code = "declaration_type_invalid"
    message = _("The declaration type must be IM, EX or TR, or blank for every type.")

    def check(self, ctx: LineContext) -> Iterator[ErrorItem]:
        value = ctx.data.get("declaration_type") or ""
        if value and value not in DeclarationType.values:
            yield self.error("declaration_type")


class ProcedureValid(Rule):
    """The procedure is a four-digit code, or blank for every procedure."""

    code = "procedure_invalid"
    message = _("The procedure is a four-digit code, or blank for every procedure.")

    def check(self, ctx: LineContext) -> Iterator[ErrorItem]:
        value = ctx.data.get("procedure_code") or ""
        if value and not PROCEDURE.match(value):
            yield self.error("procedure_code")


class ActionValid(Rule):
    """The action must be a review or a permit."""

    code = "action_invalid"
    message = _("The action must be a review or a permit.")

    def check(self, ctx: LineContext) -> Iterator[ErrorItem]:
        if ctx.data.get("action") not in RequirementAction.values:
            yield self.error("action")


class PermitNamesDocument(Rule):
    """A permit line must name the document type required."""

    code = "document_type_required"
    message = _("A permit line must name the document type required.")

    def check(self, ctx: LineContext) -> Iterator[ErrorItem]:
        if ctx.data.get("action") == RequirementAction.PERMIT and not ctx.data.get(
            "document_type_code"
        ):
            yield self.error("document_type_code")


class DocumentTypeKnown(Rule):
    """This document type is not in the reference list of document types in force."""

    # The public portal lists the line with the document's name (TFA 1.1): a code
    # nobody can look up would tell a trader nothing.
    code = "document_type_unknown"
    message = _("This document type is not in the reference list of document types in force.")

    def check(self, ctx: LineContext) -> Iterator[ErrorItem]:
        if ctx.unknown("document_type_code", ctx.documents):
            yield self.error("document_type_code")


class DescriptionGiven(Rule):
    """Describe the requirement in English at least."""

    code = "description_required"
    message = _("Describe the requirement in English at least.")

    def check(self, ctx: LineContext) -> Iterator[ErrorItem]:
        if not (ctx.data.get("description_en") or "").strip():
            yield self.error("description_en")


class ServiceLevelValid(Rule):
    """Service levels are at least one hour; the one for perishables is not longer."""

    code = "sla_invalid"
    message = _("Service levels are at least one hour; the one for perishables is not longer.")

    def check(self, ctx: LineContext) -> Iterator[ErrorItem]:
        sla = ctx.data.get("sla_hours") or 0
        perishable = ctx.data.get("perishable_sla_hours") or 0
        if sla < 1:
            yield self.error("sla_hours")
        if perishable < 1 or perishable > sla:
            yield self.error("perishable_sla_hours")


class NotInThePast(Rule):
    """A version cannot take effect in the past: the matrix is never rewritten."""

    code = "valid_from_past"
    message = _("A version cannot take effect in the past: the matrix is never rewritten.")

    def check(self, ctx: LineContext) -> Iterator[ErrorItem]:
        if ctx.data["valid_from"] < ctx.today:
            yield self.error("valid_from")


LINE_RULES: tuple[Rule, ...] = (
    HsPrefixValid(),
    CountryValid(),
    CountryKnown(),
    DeclarationTypeValid(),
    ProcedureValid(),
    ActionValid(),
    PermitNamesDocument(),
    DocumentTypeKnown(),
    DescriptionGiven(),
    ServiceLevelValid(),
    NotInThePast(),
)


# --- Decisions (TFA 4: decisions state their reasons; TFA 5.2, 5.3) -------------------


@dataclass
class DecisionContext:
    status: str
    decision: str
    reason: str
    reason_category: str
    second_test_open: bool


class DecisionKnown(Rule):
    """The decision must be approve, reject or inspect."""

    code = "decision_invalid"
    message = _("The decision must be approve, reject or inspect.")

    def check(self, ctx: DecisionContext) -> Iterator[ErrorItem]:
        if ctx.decision not in Decision.values:
            yield self.error("decision")


class ReasonGiven(Rule):
    """Give the reason for refusing or inspecting: it is kept on record."""

    code = "reason_required"
    message = _("Give the reason for refusing or inspecting: it is kept on record.")

    def check(self, ctx: DecisionContext) -> Iterator[ErrorItem]:
        if ctx.decision in (Decision.REJECT, Decision.INSPECT) and not ctx.reason.strip():
            yield self.error("reason")


class ReasonCategoryGiven(Rule):
    """Choose the reason category the trader will see."""

    code = "reason_category_required"
    message = _("Choose the reason category the trader will see.")

    def check(self, ctx: DecisionContext) -> Iterator[ErrorItem]:
        if ctx.decision in (Decision.REJECT, Decision.INSPECT) and not ctx.reason_category:
            yield self.error("reason_category")


class ReasonCategoryKnown(Rule):
    """This is not a reason category."""

    code = "reason_category_invalid"
    message = _("This is not a reason category.")

    def check(self, ctx: DecisionContext) -> Iterator[ErrorItem]:
        if ctx.reason_category and ctx.reason_category not in ReasonCategory.values:
            yield self.error("reason_category")


class InspectOnce(Rule):
    """The goods are already to be inspected: record the inspection result instead."""

    code = "inspection_already_required"
    message = _("The goods are already to be inspected: record the inspection result instead.")

    def check(self, ctx: DecisionContext) -> Iterator[ErrorItem]:
        if ctx.decision == Decision.INSPECT and ctx.status == ReviewStatus.INSPECTION_REQUIRED:
            yield self.error("decision")


class SecondTestConsidered(Rule):
    """A second test was requested: record its result before deciding (TFA 5.3)."""

    code = "second_test_pending"
    message = _("A second test was requested: record its result before deciding (TFA 5.3).")

    def check(self, ctx: DecisionContext) -> Iterator[ErrorItem]:
        if ctx.second_test_open:
            yield self.error(None)


DECISION_RULES: tuple[Rule, ...] = (
    DecisionKnown(),
    ReasonGiven(),
    ReasonCategoryGiven(),
    ReasonCategoryKnown(),
    InspectOnce(),
    SecondTestConsidered(),
)


# --- Inspections ----------------------------------------------------------------------


@dataclass
class ResultContext:
    result: str
    notes: str


class ResultKnown(Rule):
    """The result must be no irregularity, irregularity or sample taken."""

    code = "result_invalid"
    message = _("The result must be no irregularity, irregularity or sample taken.")

    def check(self, ctx: ResultContext) -> Iterator[ErrorItem]:
        if ctx.result not in InspectionResult.values:
            yield self.error("result")


class IrregularityDescribed(Rule):
    """Describe the irregularity found: the refusal rests on it."""

    code = "notes_required"
    message = _("Describe the irregularity found: the refusal rests on it.")

    def check(self, ctx: ResultContext) -> Iterator[ErrorItem]:
        if ctx.result == InspectionResult.IRREGULARITY and not ctx.notes.strip():
            yield self.error("notes")


RESULT_RULES: tuple[Rule, ...] = (ResultKnown(), IrregularityDescribed())


class LocationValid(Rule):
    """The place of inspection is a UN/LOCODE: two letters and three characters."""

    code = "location_invalid"
    message = _("The place of inspection is a UN/LOCODE: two letters and three characters.")

    def check(self, ctx: str) -> Iterator[ErrorItem]:
        if not UNLOCODE.match(ctx or ""):
            yield self.error("location")


@dataclass
class TextContext:
    text: str


class MessageGiven(Rule):
    """Write the question to the trader."""

    code = "message_required"
    message = _("Write the question to the trader.")

    def check(self, ctx: TextContext) -> Iterator[ErrorItem]:
        if not ctx.text.strip():
            yield self.error("message")


class AnswerGiven(Rule):
    """Write the answer to the agency."""

    code = "answer_required"
    message = _("Write the answer to the agency.")

    def check(self, ctx: TextContext) -> Iterator[ErrorItem]:
        if not ctx.text.strip():
            yield self.error("answer")


class LabResultGiven(Rule):
    """Write the laboratory's result."""

    code = "result_required"
    message = _("Write the laboratory's result.")

    def check(self, ctx: TextContext) -> Iterator[ErrorItem]:
        if not ctx.text.strip():
            yield self.error("result")
