"""The compiled twin of the input serializers (api/fastpath.py) may be stricter than DRF,
never looser, and gives the very same validated data — compared through the content
hash, which tells Decimal("260") from Decimal("260.000")."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.exceptions import ValidationError

from ventanilla.declarations.api import fastpath
from ventanilla.declarations.api.serializers import AmendInput, BulkInput, DeclarationInput
from ventanilla.declarations.content import content_hash
from ventanilla.declarations.tests.conftest import payload


def drf(serializer_class: Any, data: Any) -> dict[str, Any] | None:
    serializer = serializer_class(data=data)
    return dict(serializer.validated_data) if serializer.is_valid() else None


def twin(serializer_class: Any, data: Any) -> dict[str, Any] | None:
    try:
        model = fastpath._model(serializer_class).model_validate(data)
        return fastpath._finish(serializer_class, model.model_dump())
    except Exception:
        return None


def assert_same(serializer_class: Any, data: Any) -> dict[str, Any] | None:
    fast = twin(serializer_class, copy.deepcopy(data))
    slow = drf(serializer_class, copy.deepcopy(data))
    if fast is not None:
        assert slow is not None, "the twin accepted what DRF refuses"
        assert content_hash(fast) == content_hash(slow)
        assert fast == slow
    return fast


def test_a_valid_declaration_takes_the_fast_path_with_drfs_result() -> None:
    assert assert_same(DeclarationInput, payload(items=3)) is not None
    assert assert_same(AmendInput, {**payload(), "reason": "Wrong mass"}) is not None
    assert assert_same(BulkInput, {"declarations": [payload(f"B-{n}") for n in range(3)]})


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(lrn="  BRK-1  "),  # trimmed
        lambda d: d["items"][0].update(gross_mass_kg="260"),  # quantized to 260.000
        lambda d: d["items"][0].update(gross_mass_kg=260),
        lambda d: d["items"][0].update(customs_value=" 12.5 "),
        lambda d: d["parties"][0].update(country=""),  # blank allowed before min_length
        lambda d: d.update(incoterm="   "),
        lambda d: d["items"][0].update(supplementary_quantity=None),
        lambda d: d.update(estimated_arrival="2026-12-01T10:00:00"),  # naive: made aware
        lambda d: d.update(estimated_arrival=None),
        lambda d: d.update(unknown_field="ignored"),
        lambda d: d["items"][0].pop("documents"),
        lambda d: d.update(conveyance_ref="\u00a0MV Andes\u3000"),  # no-break spaces trimmed
        lambda d: d["items"][0].update(customs_value="0.5", net_mass_kg="00012"),
        lambda d: d.update(invoice_amount=0),
    ],
)
def test_accepted_forms_give_drfs_exact_data(change: Any) -> None:
    data = payload()
    change(data)
    assert assert_same(DeclarationInput, data) is not None


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(lrn=""),
        lambda d: d.update(lrn="x" * 36),
        lambda d: d.update(lrn="A\x00B"),
        lambda d: d.update(lrn="\ud800"),
        lambda d: d.update(procedure_code="40000"),
        lambda d: d.update(declaration_type="XX"),
        lambda d: d.update(items=[]),
        lambda d: d["items"][0].update(tariff_line="0804"),
        lambda d: d["items"][0].update(gross_mass_kg="1.0001"),
        lambda d: d["items"][0].update(gross_mass_kg="-1"),
        lambda d: d["items"][0].update(gross_mass_kg="NaN"),
        lambda d: d["items"][0].update(gross_mass_kg="1" * 12),  # 12 whole digits > 11
        lambda d: d["items"][0].update(package_count=-1),
        lambda d: d["items"][0].update(package_count=True),
        lambda d: d["parties"][0].update(country="P"),
        lambda d: d.update(perishable="yes"),
        lambda d: d.pop("parties"),
        lambda d: d.update(items="not a list"),
        # Python's strip removes U+001C..U+001F, Rust's trim does not: DRF decides.
        lambda d: d.update(conveyance_ref="\x1cMV Andes"),
        lambda d: d["items"][0].update(tariff_line="0804400000\x00"),
        lambda d: d["items"][0].update(customs_value="1E+2"),  # DRF takes it; the twin not
        lambda d: d["items"][0].update(customs_value="+12"),
        lambda d: d["items"][0].update(customs_value="12.345"),  # three places for two
        lambda d: d["items"][0].update(customs_value=12.5),  # a JSON float
        lambda d: d["items"][0].update(customs_value="١٢"),  # Arabic-Indic digits
    ],
)
def test_refused_forms_are_left_to_drf(change: Any) -> None:
    data = payload()
    change(data)
    assert twin(DeclarationInput, copy.deepcopy(data)) is None


def test_validated_raises_drfs_errors_with_paths() -> None:
    data = payload()
    data["items"][0]["gross_mass_kg"] = "heavy"
    with pytest.raises(ValidationError) as caught:
        fastpath.validated(DeclarationInput, data)
    assert caught.value.detail["items"][0]["gross_mass_kg"][0].code == "invalid"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)
numbers = st.decimals(allow_nan=False, allow_infinity=False, places=4).map(str)
HEADER = list(payload().keys())
ITEM = list(payload()["items"][0].keys())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=st.dictionaries(st.sampled_from(HEADER), json_values | numbers, max_size=3),
    item=st.dictionaries(st.sampled_from(ITEM), json_values | numbers, max_size=3),
)
def test_on_random_payloads_the_twin_is_never_looser_nor_different(header, item) -> None:
    data = payload()
    data.update(header)
    if isinstance(data.get("items"), list) and data["items"] and isinstance(data["items"][0], dict):
        data["items"][0].update(item)
    assert_same(DeclarationInput, data)


def test_a_flagged_regex_keeps_the_python_check() -> None:
    """Inline flags must open a pattern, so such a regex cannot be embedded in the
    twin's own; it is checked by the Python path, with the same result as DRF."""
    from rest_framework import serializers

    class Flagged(serializers.Serializer):
        code = serializers.RegexField(r"(?i)^[a-z]{2}$")

    assert fastpath._native_string(Flagged().fields["code"]) is None
    assert fastpath.validated(Flagged, {"code": " PE "}) == {"code": "PE"}
    with pytest.raises(ValidationError):
        fastpath.validated(Flagged, {"code": "PER"})
