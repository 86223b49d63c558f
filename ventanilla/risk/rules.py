"""Validation rules of a risk profile. Each rule is a class with a ``code`` whose
docstring is the (translatable) message; every rule runs, so the author gets all the
problems at once, each with the path of the field at fault (``criteria.2.value``).

The data is the profile as it would be saved: a dict with the model's field names and
``owner`` the owning organisation. Rules read no database.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, ClassVar

from django.utils.translation import gettext as _

from ventanilla.core.errors import ErrorItem
from ventanilla.declarations.choices import Channel
from ventanilla.risk.choices import OutcomeResult, ProfileKind
from ventanilla.risk.engine import number
from ventanilla.risk.fields import (
    ANY_OF_OPS,
    FIELDS,
    LIST_OPS,
    MAX_CONDITIONS,
    MAX_VALUES,
    OPS,
    OPS_BY_KIND,
    Kind,
)

CONDITION_KEYS = frozenset({"field", "op", "value"})
ALERT_SCOPE = ("hs_prefixes", "origin_countries", "entry_points")


class Rule:
    # The docstring is the message; ``msg`` repeats it as a literal so that makemessages
    # extracts it for the Spanish catalogue.
    code: ClassVar[str]
    msg: ClassVar[Any]

    def message(self, **params: Any) -> str:
        text = str(self.msg)
        return text % params if params else text

    def error(self, path: str | None, **params: Any) -> ErrorItem:
        return ErrorItem(self.code, self.message(**params), path)

    def check(self, data: dict[str, Any]) -> Iterator[ErrorItem]:  # pragma: no cover
        raise NotImplementedError


def _conditions(data: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """The well-formed conditions (the shape rules report the others)."""
    criteria = data.get("criteria")
    if not isinstance(criteria, list):
        return []
    return [
        (n, c) for n, c in enumerate(criteria) if isinstance(c, dict) and set(c) == CONDITION_KEYS
    ]


def _valid_field_op(condition: dict[str, Any]) -> bool:
    spec = FIELDS.get(condition["field"]) if isinstance(condition["field"], str) else None
    return spec is not None and condition["op"] in OPS_BY_KIND[spec.kind]


# --- the profile itself ------------------------------------------------------------------


class CodeFormat(Rule):
    """The code must be 2 to 30 capital letters, digits or hyphens."""

    code = "profile_code_invalid"
    msg = _("The code must be 2 to 30 capital letters, digits or hyphens.")
    pattern = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,29}$")

    def check(self, data: dict[str, Any]) -> Iterator[ErrorItem]:
        if not isinstance(data.get("code"), str) or not self.pattern.match(data["code"]):
            yield self.error("code")


class NameGiven(Rule):
    """Give the profile's name in English (the Spanish name falls back to it)."""

    code = "profile_name_missing"
    msg = _("Give the profile's name in English (the Spanish name falls back to it).")

    def check(self, data: dict[str, Any]) -> Iterator[ErrorItem]:
        if not str(data.get("name_en") or "").strip():
            yield self.error("name_en")


class OwnerIsAgency(Rule):
    """A risk profile is owned by a border agency."""

    code = "profile_owner_not_agency"
    msg = _("A risk profile is owned by a border agency.")

    def check(self, data: dict[str, Any]) -> Iterator[ErrorItem]:
        if getattr(data.get("owner"), "kind", None) != "agency":
            yield self.error("owner")


class KindKnown(Rule):
    """The kind must be a selectivity rule, an import alert or a random selection."""

    code = "profile_kind_invalid"
    msg = _("The kind must be a selectivity rule, an import alert or a random selection.")

    def check(self, data: dict[str, Any]) -> Iterator[ErrorItem]:
        if data.get("kind") not in ProfileKind.values:
            yield self.error("kind")


class ChannelSelects(Rule):
    """The target channel must be yellow (documentary check) or red (physical
    examination)."""

    code = "profile_channel_invalid"
    msg = _("The target channel must be yellow (documentary check) or red (physical examination).")

    def check(self, data: dict[str, Any]) -> Iterator[ErrorItem]:
        if data.get("channel") not in (Channel.YELLOW, Channel.RED):
            yield self.error("channel")


class PriorityRange(Rule):
    """The priority is a whole number from 1 (first) to 999."""

    code = "profile_priority_invalid"
    msg = _("The priority is a whole number from 1 (first) to 999.")

    def check(self, data: dict[str, Any]) -> Iterator[ErrorItem]:
        value = data.get("priority")
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 999:
            yield self.error("priority")


class RandomRate(Rule):
    """A random selection needs a rate above 0 and at most 100 percent."""

    code = "random_rate_invalid"
    msg = _("A random selection needs a rate above 0 and at most 100 percent.")

    def check(self, data: dict[str, Any]) -> Iterator[ErrorItem]:
        if data.get("kind") != ProfileKind.RANDOM:
            return
        rate = number(data.get("random_rate"))
        if (
            rate is None
            or not Decimal("0") < rate <= Decimal("100")
            or (
                rate.as_tuple().exponent < -2  # type: ignore[operator]
            )
        ):
            yield self.error("random_rate")


class RandomRateOnlyForRandom(Rule):
    """Only a random selection has a rate."""

    code = "random_rate_not_random"
    msg = _("Only a random selection has a rate.")

    def check(self, data: dict[str, Any]) -> Iterator[ErrorItem]:
        if data.get("kind") != ProfileKind.RANDOM and data.get("random_rate") is not None:
            yield self.error("random_rate")


# --- criteria ----------------------------------------------------------------------------


class CriteriaList(Rule):
    """The criteria are a list of at most %(max)s conditions."""

    code = "criteria_not_list"
    msg = _("The criteria are a list of at most %(max)s conditions.")

    def check(self, data: dict[str, Any]) -> Iterator[ErrorItem]:
        criteria = data.get("criteria")
        if not isinstance(criteria, list) or len(criteria) > MAX_CONDITIONS:
            yield self.error("criteria", max=MAX_CONDITIONS)


class SelectivityHasCriteria(Rule):
    """A selectivity rule needs at least one condition."""

    code = "criteria_missing"
    msg = _("A selectivity rule needs at least one condition.")

    def check(self, data: dict[str, Any]) -> Iterator[ErrorItem]:
        if data.get("kind") == ProfileKind.SELECTIVITY and data.get("criteria") == []:
            yield self.error("criteria")


class ConditionShape(Rule):
    """Each condition is an object with exactly the keys field, op and value."""

    code = "criteria_condition_invalid"
    msg = _("Each condition is an object with exactly the keys field, op and value.")

    def check(self, data: dict[str, Any]) -> Iterator[ErrorItem]:
        criteria = data.get("criteria")
        if not isinstance(criteria, list):
            return
        for n, condition in enumerate(criteria):
            if not isinstance(condition, dict) or set(condition) != CONDITION_KEYS:
                yield self.error(f"criteria.{n}")


class FieldKnown(Rule):
    """This is not a declaration fact that risk criteria can test."""

    code = "criteria_field_unknown"
    msg = _("This is not a declaration fact that risk criteria can test.")

    def check(self, data: dict[str, Any]) -> Iterator[ErrorItem]:
        for n, condition in _conditions(data):
            if not isinstance(condition["field"], str) or condition["field"] not in FIELDS:
                yield self.error(f"criteria.{n}.field")


class OpKnown(Rule):
    """The operator must be one of eq, ne, in, not_in, startswith, contains, gt, gte, lt,
    lte."""

    code = "criteria_op_unknown"
    msg = _(
        "The operator must be one of eq, ne, in, not_in, startswith, contains, gt, gte, lt, lte."
    )

    def check(self, data: dict[str, Any]) -> Iterator[ErrorItem]:
        for n, condition in _conditions(data):
            if not isinstance(condition["op"], str) or condition["op"] not in OPS:
                yield self.error(f"criteria.{n}.op")


class OpFitsField(Rule):
    """This operator cannot be used with this field (texts take eq, ne, in, not_in,
    startswith, contains; numbers eq, ne, gt, gte, lt, lte; yes/no facts eq, ne)."""

    code = "criteria_op_not_for_field"
    msg = _(
        "This operator cannot be used with this field (texts take eq, ne, in, "
        "not_in, startswith, contains; numbers eq, ne, gt, gte, lt, lte; yes/no facts eq, ne)."
    )

    def check(self, data: dict[str, Any]) -> Iterator[ErrorItem]:
        for n, condition in _conditions(data):
            spec = FIELDS.get(condition["field"]) if isinstance(condition["field"], str) else None
            if spec and condition["op"] in OPS and condition["op"] not in OPS_BY_KIND[spec.kind]:
                yield self.error(f"criteria.{n}.op")


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


def _is_text_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


class ValueType(Rule):
    """The value of this condition has the wrong type: %(expected)s is expected."""

    code = "criteria_value_type"
    msg = _("The value of this condition has the wrong type: %(expected)s is expected.")

    def check(self, data: dict[str, Any]) -> Iterator[ErrorItem]:
        for n, condition in _conditions(data):
            if not _valid_field_op(condition):
                continue
            kind, op, value = FIELDS[condition["field"]].kind, condition["op"], condition["value"]
            if kind is Kind.NUMBER:
                ok, expected = number(value) is not None, _("a number")
            elif kind is Kind.BOOL:
                ok, expected = isinstance(value, bool), _("true or false")
            elif op in LIST_OPS:
                ok, expected = _is_text_list(value), _("a list of texts")
            elif op in ANY_OF_OPS:
                ok = _is_text(value) or _is_text_list(value)
                expected = _("a text or a list of texts")
            else:
                ok, expected = _is_text(value), _("a text")
            if not ok:
                yield self.error(f"criteria.{n}.value", expected=expected)


class ValueNotEmpty(Rule):
    """The value of this condition is empty or lists more than %(max)s entries."""

    code = "criteria_value_empty"
    msg = _("The value of this condition is empty or lists more than %(max)s entries.")

    def check(self, data: dict[str, Any]) -> Iterator[ErrorItem]:
        for n, condition in _conditions(data):
            value = condition["value"]
            if not _valid_field_op(condition):
                continue
            entries = value if isinstance(value, list) else [value]
            texts = [v for v in entries if isinstance(v, str)]
            if not entries or len(entries) > MAX_VALUES or any(not t.strip() for t in texts):
                yield self.error(f"criteria.{n}.value", max=MAX_VALUES)


# --- import alert scope (TFA 5.1) ----------------------------------------------------------


class ScopeOnlyForAlerts(Rule):
    """Only an import alert has a scope of HS codes, origins, entry points and dates."""

    code = "alert_scope_not_alert"
    msg = _("Only an import alert has a scope of HS codes, origins, entry points and dates.")

    def check(self, data: dict[str, Any]) -> Iterator[ErrorItem]:
        if data.get("kind") == ProfileKind.IMPORT_ALERT:
            return
        for name in (*ALERT_SCOPE, "ends_on", "review_on"):
            if data.get(name):
                yield self.error(name)


class _ScopeList(Rule):
    name: ClassVar[str]
    pattern: ClassVar[re.Pattern[str]]

    def check(self, data: dict[str, Any]) -> Iterator[ErrorItem]:
        if data.get("kind") != ProfileKind.IMPORT_ALERT:
            return
        values = data.get(self.name)
        if not isinstance(values, list) or len(values) > MAX_VALUES:
            yield self.error(self.name)
            return
        for n, value in enumerate(values):
            if not isinstance(value, str) or not self.pattern.match(value):
                yield self.error(f"{self.name}.{n}")


class AlertHsPrefixes(_ScopeList):
    """Give each HS code of the alert as 2 to 6 digits (for example 0804 or 080440)."""

    code = "alert_hs_prefix_invalid"
    msg = _("Give each HS code of the alert as 2 to 6 digits (for example 0804 or 080440).")
    name = "hs_prefixes"
    pattern = re.compile(r"^\d{2,6}$")


class AlertOrigins(_ScopeList):
    """Give each origin as an ISO 3166 two-letter country code."""

    code = "alert_origin_invalid"
    msg = _("Give each origin as an ISO 3166 two-letter country code.")
    name = "origin_countries"
    pattern = re.compile(r"^[A-Z]{2}$")


class AlertEntryPoints(_ScopeList):
    """Give each entry point as a five-character UN/LOCODE (for example PECLL)."""

    code = "alert_entry_point_invalid"
    msg = _("Give each entry point as a five-character UN/LOCODE (for example PECLL).")
    name = "entry_points"
    pattern = re.compile(r"^[A-Z]{2}[A-Z2-9]{3}$")


class AlertScopeGiven(Rule):
    """An import alert names the HS codes it covers: it is limited to the goods
    concerned (TFA 5.1)."""

    code = "alert_scope_missing"
    msg = _(
        "An import alert names the HS codes it covers: "
        "it is limited to the goods concerned (TFA 5.1)."
    )

    def check(self, data: dict[str, Any]) -> Iterator[ErrorItem]:
        if data.get("kind") == ProfileKind.IMPORT_ALERT and data.get("hs_prefixes") == []:
            yield self.error("hs_prefixes")


class AlertEndDate(Rule):
    """An import alert has an end date, on or after the day it starts: it is ended
    promptly when no longer needed (TFA 5.1)."""

    code = "alert_end_date_invalid"
    msg = _(
        "An import alert has an end date, on or after the day "
        "it starts: it is ended promptly when no longer needed (TFA 5.1)."
    )

    def check(self, data: dict[str, Any]) -> Iterator[ErrorItem]:
        if data.get("kind") != ProfileKind.IMPORT_ALERT:
            return
        ends, starts = data.get("ends_on"), data.get("valid_from")
        if not isinstance(ends, dt.date) or (isinstance(starts, dt.date) and ends < starts):
            yield self.error("ends_on")


class AlertReviewDate(Rule):
    """An import alert has a review date, on or before its end date (TFA 5.1)."""

    code = "alert_review_date_invalid"
    msg = _("An import alert has a review date, on or before its end date (TFA 5.1).")

    def check(self, data: dict[str, Any]) -> Iterator[ErrorItem]:
        if data.get("kind") != ProfileKind.IMPORT_ALERT:
            return
        review, ends = data.get("review_on"), data.get("ends_on")
        if not isinstance(review, dt.date) or (isinstance(ends, dt.date) and review > ends):
            yield self.error("review_on")


RULES: tuple[Rule, ...] = (
    CodeFormat(),
    NameGiven(),
    OwnerIsAgency(),
    KindKnown(),
    ChannelSelects(),
    PriorityRange(),
    RandomRate(),
    RandomRateOnlyForRandom(),
    CriteriaList(),
    SelectivityHasCriteria(),
    ConditionShape(),
    FieldKnown(),
    OpKnown(),
    OpFitsField(),
    ValueType(),
    ValueNotEmpty(),
    ScopeOnlyForAlerts(),
    AlertHsPrefixes(),
    AlertOrigins(),
    AlertEntryPoints(),
    AlertScopeGiven(),
    AlertEndDate(),
    AlertReviewDate(),
)


def check_profile(data: dict[str, Any]) -> list[ErrorItem]:
    return [error for rule in RULES for error in rule.check(data)]


# --- feedback on a selection (CRMS-style outcome) -------------------------------------------


class OutcomeResultKnown(Rule):
    """The result must be no_irregularity, irregularity_found or seizure."""

    code = "outcome_result_invalid"
    msg = _("The result must be no_irregularity, irregularity_found or seizure.")

    def check(self, data: dict[str, Any]) -> Iterator[ErrorItem]:
        if data.get("result") not in OutcomeResult.values:
            yield self.error("result")


class OutcomeByAgency(Rule):
    """Outcomes are recorded by the border agency that carried out the control."""

    code = "outcome_agency_not_agency"
    msg = _("Outcomes are recorded by the border agency that carried out the control.")

    def check(self, data: dict[str, Any]) -> Iterator[ErrorItem]:
        if getattr(data.get("agency"), "kind", None) != "agency":
            yield self.error("agency")


class RevenueOnlyWithIrregularity(Rule):
    """Revenue is recovered only when an irregularity was found; it cannot be negative."""

    code = "outcome_revenue_invalid"
    msg = _("Revenue is recovered only when an irregularity was found; it cannot be negative.")

    def check(self, data: dict[str, Any]) -> Iterator[ErrorItem]:
        amount = number(data.get("revenue_amount"))
        if (
            amount is None
            or amount < 0
            or (amount > 0 and data.get("result") == OutcomeResult.NO_IRREGULARITY)
        ):
            yield self.error("revenue_amount")


OUTCOME_RULES: tuple[Rule, ...] = (
    OutcomeResultKnown(),
    OutcomeByAgency(),
    RevenueOnlyWithIrregularity(),
)


def check_outcome(data: dict[str, Any]) -> list[ErrorItem]:
    return [error for rule in OUTCOME_RULES for error in rule.check(data)]
