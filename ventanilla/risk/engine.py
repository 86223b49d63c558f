"""The selectivity engine (TFA 7.4): risk profiles, as data, evaluated against the facts
of a declaration. Pure functions: no database, no clock, no ``random`` — the same facts,
profiles and seed always give the same channel, so every selection can be explained and
replayed.

- A profile matches when every header condition holds and, if it has item conditions,
  when ANY one item satisfies all of them together.
- The highest channel wins (red > yellow > green); no match leaves the declaration green.
- Random selection (TFA 7.4) draws a number in [0, 100) from a hash of the seed and the
  profile code, and selects when the draw is below the profile's rate.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ventanilla.core.text import fold
from ventanilla.risk.fields import FIELDS, Kind, Level

GREEN, YELLOW, RED = "green", "yellow", "red"
RANK = {GREEN: 0, YELLOW: 1, RED: 2}
RANDOM = "random"
IMPORT_ALERT = "import_alert"


@dataclass(frozen=True)
class ProfileRule:
    """A risk profile as the engine sees it (built from the model by the service)."""

    id: int
    code: str
    kind: str
    channel: str
    criteria: Sequence[dict[str, Any]] = ()
    version: int = 1
    priority: int = 100
    random_rate: Decimal | None = None
    # Import alert scope (TFA 5.1): the goods, origins and entry points concerned.
    hs_prefixes: Sequence[str] = ()
    origin_countries: Sequence[str] = ()
    entry_points: Sequence[str] = ()


@dataclass(frozen=True)
class Hit:
    """One condition that held, with the fact that satisfied it."""

    field: str
    op: str
    value: Any  # the expected value; for startswith/contains, the entry that matched
    actual: Any
    item: int | None = None  # sequence number of the item, for item conditions


@dataclass(frozen=True)
class Match:
    profile_id: int
    code: str
    channel: str
    explanation: str
    version: int = 1
    kind: str = ""
    priority: int = 100
    hits: tuple[Hit, ...] = ()
    draw: Decimal | None = None
    rate: Decimal | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "profile_id": self.profile_id,
            "code": self.code,
            "version": self.version,
            "kind": self.kind,
            "channel": self.channel,
            "explanation": self.explanation,
            "conditions": [
                {
                    "field": h.field,
                    "op": h.op,
                    "value": _plain(h.value),
                    "actual": _plain(h.actual),
                    "item": h.item,
                }
                for h in self.hits
            ],
            "draw": None if self.draw is None else str(self.draw),
            "rate": None if self.rate is None else str(self.rate),
        }


@dataclass(frozen=True)
class EngineResult:
    channel: str
    matches: list[Match] = field(default_factory=list)
    random_selected: bool = False
    profiles_evaluated: int = 0


# --- conditions ------------------------------------------------------------------------


def conditions_of(rule: ProfileRule) -> list[dict[str, Any]]:
    """The profile's criteria plus, for an import alert, its scope as conditions."""
    conditions = [dict(c) for c in rule.criteria]
    if rule.kind == IMPORT_ALERT:
        if rule.hs_prefixes:
            conditions.append(
                {"field": "hs_code", "op": "startswith", "value": list(rule.hs_prefixes)}
            )
        if rule.origin_countries:
            conditions.append(
                {"field": "origin_country", "op": "in", "value": list(rule.origin_countries)}
            )
        if rule.entry_points:
            conditions.append(
                {"field": "discharge_location", "op": "in", "value": list(rule.entry_points)}
            )
    return conditions


# Beyond this a count is taken in full: a LIMIT must stay a small integer.
MAX_COUNT_LIMIT = 1_000_000


def count_limits(rules: Iterable[ProfileRule], names: Iterable[str]) -> dict[str, int | None]:
    """How far each of the count facts ``names`` must be counted for ``rules``; a fact no
    rule tests is absent (it need not be counted at all).

    A count tested only with eq, lt or lte holds only when it is at most the largest value
    tested, so counting up to that value + 1 gives the same matches and the same
    explanations (a hit shows the count only when it is that small). None: count in full
    (ne, gt and gte hold for large counts too, and the explanation shows the number)."""
    wanted = set(names)
    limits: dict[str, int | None] = {}
    for rule in rules:
        for condition in conditions_of(rule):
            name = condition["field"]
            if name not in wanted or (name in limits and limits[name] is None):
                continue
            if condition["op"] not in ("eq", "lt", "lte"):
                limits[name] = None
                continue
            value = number(condition["value"])  # not a number: the condition never holds
            if value is not None and value >= MAX_COUNT_LIMIT:
                limits[name] = None
                continue
            bound = 1 if value is None else int(value.to_integral_value(ROUND_FLOOR)) + 1
            limits[name] = max(bound, 1, limits.get(name) or 0)
    return limits


def number(value: Any) -> Decimal | None:
    """A finite Decimal from an int, float, Decimal or numeric text; None otherwise."""
    if value is None or isinstance(value, bool):
        return None
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return result if result.is_finite() else None


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip().casefold()


def _any_of(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _word_start(term: str, text: str) -> bool:
    # Words match at their start, so "palta" finds "paltas" but "cate" not "educate".
    return bool(term) and re.search(rf"(?<![a-z0-9]){re.escape(term)}", text) is not None


def _compare_number(op: str, actual: Decimal, expected: Decimal) -> bool:
    return {
        "eq": actual == expected,
        "ne": actual != expected,
        "gt": actual > expected,
        "gte": actual >= expected,
        "lt": actual < expected,
        "lte": actual <= expected,
    }.get(op, False)


def check_condition(condition: dict[str, Any], actual: Any, item: int | None = None) -> Hit | None:
    """The hit when ``condition`` holds for the fact ``actual``, else None."""
    name, op, value = condition["field"], condition["op"], condition["value"]
    kind = FIELDS[name].kind
    if kind is Kind.NUMBER:
        a, e = number(actual), number(value)
        if a is None or e is None or not _compare_number(op, a, e):
            return None
        return Hit(name, op, value, a, item)
    if kind is Kind.BOOL:
        if actual is None or op not in ("eq", "ne"):
            return None
        holds = bool(actual) == bool(value)
        return Hit(name, op, value, bool(actual), item) if holds == (op == "eq") else None
    text = _text(actual)
    if op in ("eq", "ne"):
        holds = text == _text(value)
        return Hit(name, op, value, actual, item) if holds == (op == "eq") else None
    if op in ("in", "not_in"):
        holds = text in {_text(v) for v in _any_of(value)}
        return Hit(name, op, list(_any_of(value)), actual, item) if holds == (op == "in") else None
    if op == "startswith":
        for prefix in _any_of(value):
            if _text(prefix) and text.startswith(_text(prefix)):
                return Hit(name, op, prefix, actual, item)
        return None
    if op == "contains":
        folded = fold(str(actual or ""))
        for term in _any_of(value):
            if _word_start(fold(str(term)), folded):
                return Hit(name, op, term, actual, item)
        return None
    return None


def _value_per_kg(item: dict[str, Any]) -> Decimal | None:
    value, mass = number(item.get("customs_value")), number(item.get("net_mass_kg"))
    if value is None or mass is None or mass <= 0:
        return None
    return (value / mass).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def match_profile(facts: dict[str, Any], rule: ProfileRule) -> tuple[Hit, ...] | None:
    """The hits that make ``rule`` match ``facts``, or None when it does not match."""
    conditions = conditions_of(rule)
    header = [c for c in conditions if FIELDS[c["field"]].level is Level.HEADER]
    items = [c for c in conditions if FIELDS[c["field"]].level is Level.ITEM]
    hits: list[Hit] = []
    for condition in header:
        hit = check_condition(condition, facts.get(condition["field"]))
        if hit is None:
            return None
        hits.append(hit)
    if not items:
        return tuple(hits)
    for n, item in enumerate(facts.get("items", []), start=1):
        values = {**item, "value_per_kg": _value_per_kg(item)}
        sequence = item.get("sequence", n)
        item_hits = [check_condition(c, values.get(c["field"]), sequence) for c in items]
        if all(h is not None for h in item_hits):
            return (*hits, *(h for h in item_hits if h is not None))
    return None


def draw(seed: str, code: str) -> Decimal:
    """A reproducible number in [0, 100): the same seed and code always draw the same."""
    digest = hashlib.sha256(f"{seed}|{code}".encode()).hexdigest()
    fraction = Decimal(int(digest[:15], 16)) / Decimal(16**15)
    return (fraction * 100).quantize(Decimal("0.0001"), rounding=ROUND_DOWN)


# --- explanations ----------------------------------------------------------------------

PHRASES = {
    "eq": gettext_lazy("%(label)s is %(actual)s"),
    "ne": gettext_lazy("%(label)s %(actual)s is not %(value)s"),
    "in": gettext_lazy("%(label)s %(actual)s in [%(value)s]"),
    "not_in": gettext_lazy("%(label)s %(actual)s not in [%(value)s]"),
    "startswith": gettext_lazy("%(label)s %(actual)s starts with %(value)s"),
    "contains": gettext_lazy('%(label)s contains "%(value)s"'),
    "gt": gettext_lazy("%(label)s %(actual)s above %(value)s"),
    "gte": gettext_lazy("%(label)s %(actual)s at least %(value)s"),
    "lt": gettext_lazy("%(label)s %(actual)s below %(value)s"),
    "lte": gettext_lazy("%(label)s %(actual)s at most %(value)s"),
}


def _plain(value: Any) -> Any:
    """JSON-safe and readable: decimals as text with at most two places beyond what was
    given (a computed value per kg would otherwise print 28 digits)."""
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        value = number(value)
    if isinstance(value, Decimal):
        if value.as_tuple().exponent < -2:  # type: ignore[operator]
            value = value.quantize(Decimal("0.01"))
        return str(value)
    return value


def _trim(value: Decimal | None) -> Decimal | None:
    """3.00 -> 3, 2.50 -> 2.50: a rate reads as it was meant."""
    if value is not None and value == value.to_integral_value():
        return value.quantize(Decimal("1"))
    return value


def _show(value: Any) -> str:
    value = _plain(value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(_show(v) for v in value)
    return "" if value is None else str(value)


def describe(hit: dict[str, Any] | Hit) -> str:
    row = (
        hit
        if isinstance(hit, dict)
        else {"field": hit.field, "op": hit.op, "value": hit.value, "actual": hit.actual}
    )
    spec = FIELDS.get(row["field"])
    label = str(spec.label) if spec else row["field"]
    return str(PHRASES[row["op"]]) % {
        "label": label,
        "actual": _show(row["actual"]),
        "value": _show(row["value"]),
    }


def explain(hits: Iterable[dict[str, Any] | Hit], drawn: Any = None, rate: Any = None) -> str:
    """A human sentence from the matched conditions, e.g. "HS code 080440 starts with
    0804; origin MX in [MX, GT] (item 1)". Also used to re-render a stored match in the
    reader's language."""
    rows = [
        h
        if isinstance(h, dict)
        else {"field": h.field, "op": h.op, "value": h.value, "actual": h.actual, "item": h.item}
        for h in hits
    ]
    parts = [describe(r) for r in rows if r.get("item") is None]
    item_rows = [r for r in rows if r.get("item") is not None]
    if item_rows:
        parts.append(
            _("%(conditions)s (item %(n)s)")
            % {"conditions": "; ".join(describe(r) for r in item_rows), "n": item_rows[0]["item"]}
        )
    if drawn is not None:
        parts.append(
            _("random selection: draw %(draw)s below the rate of %(rate)s%%")
            % {"draw": _show(number(drawn)), "rate": _show(_trim(number(rate)))}
        )
    return "; ".join(parts)


# --- evaluation -------------------------------------------------------------------------


def evaluate(facts: dict[str, Any], profiles: Iterable[ProfileRule], seed: str) -> EngineResult:
    """Evaluate every profile; the highest channel among the matches wins."""
    matches: list[Match] = []
    evaluated = 0
    for rule in profiles:
        evaluated += 1
        hits = match_profile(facts, rule)
        if hits is None:
            continue
        drawn = rate = None
        if rule.kind == RANDOM:
            rate = number(rule.random_rate) or Decimal("0")
            drawn = draw(seed, rule.code)
            if drawn >= rate:
                continue
        matches.append(
            Match(
                profile_id=rule.id,
                code=rule.code,
                channel=rule.channel,
                version=rule.version,
                kind=rule.kind,
                priority=rule.priority,
                hits=hits,
                draw=drawn,
                rate=rate,
                explanation=explain(hits, drawn, rate),
            )
        )
    matches.sort(key=lambda m: (-RANK[m.channel], m.priority, m.code))
    channel = matches[0].channel if matches else GREEN
    return EngineResult(
        channel=channel,
        matches=matches,
        profiles_evaluated=evaluated,
        random_selected=any(m.kind == RANDOM for m in matches),
    )
