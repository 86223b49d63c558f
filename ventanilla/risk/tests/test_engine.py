"""The engine is pure: these tests need no database."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from ventanilla.risk.engine import ProfileRule, draw, evaluate, explain, match_profile


def facts(**header: Any) -> dict[str, Any]:
    items = header.pop("items", None) or [
        {
            "sequence": 1,
            "hs_code": "080440",
            "tariff_line": "0804400000",
            "origin_country": "MX",
            "description": "Paltas frescas Hass, cosecha de Michoacán",
            "preference_code": "",
            "customs_value": Decimal("24000.00"),
            "gross_mass_kg": Decimal("12600.000"),
            "net_mass_kg": Decimal("12000.000"),
            "is_perishable": True,
        },
    ]
    base = {
        "id": 7,
        "declaration_type": "IM",
        "procedure_code": "4000",
        "office_code": "PECLL0118",
        "transport_mode": "1",
        "loading_location": "MXZLO",
        "discharge_location": "PECLL",
        "export_country": "MX",
        "destination_country": "PE",
        "trader_code": "20100000001",
        "declarant_code": "20100000003",
        "invoice_currency": "USD",
        "total_customs_value": Decimal("24000.00"),
        "is_perishable": True,
        "trader_prior_declarations": 0,
        "declarant_prior_declarations": 12,
        "items": items,
    }
    return {**base, **header}


def rule(
    *conditions: dict[str, Any],
    pk: int = 1,
    code: str = "P1",
    channel: str = "yellow",
    **kwargs: Any,
) -> ProfileRule:
    return ProfileRule(
        id=pk,
        code=code,
        kind=kwargs.pop("kind", "selectivity"),
        channel=channel,
        criteria=list(conditions),
        **kwargs,
    )


def c(field: str, op: str, value: Any) -> dict[str, Any]:
    return {"field": field, "op": op, "value": value}


@pytest.mark.parametrize(
    ("condition", "matches"),
    [
        (c("declaration_type", "eq", "IM"), True),
        (c("declaration_type", "eq", "im"), True),  # codes compare case-insensitively
        (c("declaration_type", "eq", "EX"), False),
        (c("transport_mode", "ne", "4"), True),
        (c("transport_mode", "ne", "1"), False),
        (c("export_country", "in", ["CO", "MX"]), True),
        (c("export_country", "in", ["CO"]), False),
        (c("export_country", "not_in", ["CO", "EC"]), True),
        (c("export_country", "not_in", ["MX"]), False),
        (c("office_code", "startswith", ["PEPAI", "PECLL"]), True),
        (c("office_code", "startswith", "PECLL"), True),
        (c("office_code", "startswith", ["PEPAI"]), False),
        (c("trader_code", "contains", ["20100000001"]), True),
        (c("total_customs_value", "gt", "23999.99"), True),
        (c("total_customs_value", "gt", 24000), False),
        (c("total_customs_value", "gte", 24000), True),
        (c("total_customs_value", "lt", "24000.01"), True),
        (c("total_customs_value", "lt", 24000), False),
        (c("total_customs_value", "lte", 24000.0), True),
        (c("total_customs_value", "eq", "24000"), True),
        (c("is_perishable", "eq", True), True),
        (c("is_perishable", "ne", True), False),
        (c("trader_prior_declarations", "eq", 0), True),
        (c("declarant_prior_declarations", "lt", 5), False),
        # Item facts.
        (c("hs_code", "startswith", ["0805", "0804"]), True),
        (c("tariff_line", "eq", "0804400000"), True),
        (c("origin_country", "in", ["GT"]), False),
        (c("customs_value", "gte", "24000.00"), True),
        (c("gross_mass_kg", "gt", 12600), False),
        (c("value_per_kg", "lt", "2.01"), True),  # 24000 / 12000 kg net
        (c("value_per_kg", "lt", 2), False),
        # contains: accent- and case-insensitive, at the start of a word.
        (c("description", "contains", ["michoacan"]), True),
        (c("description", "contains", "PALTA"), True),
        (c("description", "contains", ["cosecha de michoacán"]), True),
        (c("description", "contains", ["asch"]), False),
        (c("description", "contains", ["mango", "papaya"]), False),
    ],
)
def test_each_operator(condition: dict[str, Any], matches: bool) -> None:
    assert (match_profile(facts(), rule(condition)) is not None) is matches


def test_an_item_condition_holds_when_any_one_item_satisfies_all_item_conditions() -> None:
    items = [
        {
            "sequence": 1,
            "hs_code": "080440",
            "origin_country": "PE",
            "description": "Paltas",
            "customs_value": Decimal("100"),
            "net_mass_kg": Decimal("50"),
        },
        {
            "sequence": 2,
            "hs_code": "740311",
            "origin_country": "MX",
            "description": "Cátodos",
            "customs_value": Decimal("100"),
            "net_mass_kg": Decimal("50"),
        },
    ]
    split = rule(c("hs_code", "startswith", ["0804"]), c("origin_country", "eq", "MX"))
    assert match_profile(facts(items=items), split) is None  # no single item has both
    same_item = rule(
        c("hs_code", "startswith", ["7403"]),
        c("origin_country", "eq", "MX"),
        c("transport_mode", "eq", "1"),
    )
    hits = match_profile(facts(items=items), same_item)
    assert hits is not None
    assert [(h.field, h.item) for h in hits] == [
        ("transport_mode", None),
        ("hs_code", 2),
        ("origin_country", 2),
    ]
    assert explain(hits) == (
        "transport mode is 1; HS code 740311 starts with 7403; origin is MX (item 2)"
    )


def test_header_condition_failing_stops_the_match_whatever_the_items() -> None:
    profile = rule(c("hs_code", "startswith", ["0804"]), c("transport_mode", "eq", "4"))
    assert match_profile(facts(), profile) is None


def test_highest_channel_wins_and_no_match_is_green() -> None:
    yellow = rule(c("export_country", "eq", "MX"), pk=1, code="Y", channel="yellow")
    red = rule(c("hs_code", "startswith", ["0804"]), pk=2, code="R", channel="red")
    nothing = rule(c("export_country", "eq", "CN"), pk=3, code="N", channel="red")
    result = evaluate(facts(), [yellow, red, nothing], seed="s")
    assert result.channel == "red"
    assert [m.code for m in result.matches] == ["R", "Y"]
    assert result.profiles_evaluated == 3
    assert result.random_selected is False
    assert evaluate(facts(), [yellow, nothing], seed="s").channel == "yellow"
    green = evaluate(facts(), [nothing], seed="s")
    assert (green.channel, green.matches, green.profiles_evaluated) == ("green", [], 1)
    assert evaluate(facts(), [], seed="s").channel == "green"


def test_matches_of_the_same_channel_are_ordered_by_priority() -> None:
    first = rule(c("export_country", "eq", "MX"), pk=1, code="B", priority=5)
    second = rule(c("export_country", "eq", "MX"), pk=2, code="A", priority=50)
    assert [m.code for m in evaluate(facts(), [second, first], "s").matches] == ["B", "A"]


def test_explanation_is_a_sentence_from_the_matched_conditions() -> None:
    profile = rule(c("hs_code", "startswith", ["0804"]), c("origin_country", "in", ["MX", "GT"]))
    match = evaluate(facts(), [profile], seed="s").matches[0]
    assert match.explanation == "HS code 080440 starts with 0804; origin MX in [MX, GT] (item 1)"
    assert match.as_json()["conditions"] == [
        {"field": "hs_code", "op": "startswith", "value": "0804", "actual": "080440", "item": 1},
        {"field": "origin_country", "op": "in", "value": ["MX", "GT"], "actual": "MX", "item": 1},
    ]
    # A stored match is re-rendered from its conditions to the same sentence.
    assert explain(match.as_json()["conditions"]) == match.explanation


def test_explanations_of_numbers_and_words() -> None:
    profile = rule(
        c("value_per_kg", "lt", "6.00"),
        c("description", "contains", ["michoacan"]),
        c("is_perishable", "eq", True),
        c("total_customs_value", "gte", 1000),
    )
    match = evaluate(facts(), [profile], seed="s").matches[0]
    assert match.explanation == (
        "perishable is yes; total customs value 24000.00 at least 1000; "
        'value per kg 2.00 below 6.00; description contains "michoacan" (item 1)'
    )


def test_import_alert_scope_applies_as_conditions() -> None:
    alert = rule(
        kind="import_alert",
        channel="red",
        hs_prefixes=["080440"],
        origin_countries=["MX", "GT"],
        entry_points=["PECLL", "PEPAI"],
    )
    match = evaluate(facts(), [alert], "s").matches[0]
    assert match.explanation == (
        "place of discharge PECLL in [PECLL, PEPAI]; HS code 080440 starts with 080440; "
        "origin MX in [MX, GT] (item 1)"
    )
    assert evaluate(facts(discharge_location="PEMRI"), [alert], "s").channel == "green"


def test_random_draw_is_reproducible_and_uniform_enough() -> None:
    assert draw("decl-1", "RND") == draw("decl-1", "RND")
    assert draw("decl-1", "RND") != draw("decl-1", "OTHER")
    draws = [draw(f"decl-{n}", "RND") for n in range(10_000)]
    assert all(Decimal("0") <= d < Decimal("100") for d in draws)
    selected = sum(1 for d in draws if d < 3)
    assert 250 <= selected <= 350  # about 3 %


def test_random_selection_uses_the_draw_and_the_population_criteria() -> None:
    seeds = [f"seed-{n}" for n in range(200)]
    rnd = rule(pk=9, code="RND", channel="red", kind="random", random_rate=Decimal("10"))
    picked = [s for s in seeds if evaluate(facts(), [rnd], s).random_selected]
    again = [s for s in seeds if evaluate(facts(), [rnd], s).random_selected]
    assert picked == again  # same seeds, same selection
    assert picked == [s for s in seeds if draw(s, "RND") < 10]
    result = evaluate(facts(), [rnd], picked[0])
    assert result.channel == "red"
    match = result.matches[0]
    assert match.explanation == (
        f"random selection: draw {match.draw.quantize(Decimal('0.01'))} "  # type: ignore[union-attr]
        "below the rate of 10%"
    )
    everyone = rule(pk=9, code="RND", kind="random", random_rate=Decimal("100"))
    assert all(evaluate(facts(), [everyone], s).random_selected for s in seeds[:20])
    outside = rule(
        c("export_country", "eq", "CN"), code="RND", kind="random", random_rate=Decimal("100")
    )
    assert evaluate(facts(), [outside], "seed-1").matches == []


def test_missing_or_non_numeric_facts_never_match() -> None:
    items = [
        {
            "sequence": 1,
            "hs_code": "740311",
            "customs_value": Decimal("10"),
            "net_mass_kg": Decimal("0"),
        }
    ]
    assert match_profile(facts(items=items), rule(c("value_per_kg", "lt", 100))) is None
    no_history = facts()
    del no_history["trader_prior_declarations"]
    assert match_profile(no_history, rule(c("trader_prior_declarations", "eq", 0))) is None
