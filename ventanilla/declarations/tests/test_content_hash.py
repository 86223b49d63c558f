"""The content hash keeps its exact bytes: a stored hash must still tell a retried
lodgement from a different declaration under the same LRN."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from hypothesis import given, settings
from hypothesis import strategies as st

from ventanilla.declarations.content import content_hash
from ventanilla.declarations.tests.conftest import payload


def reference_hash(data: dict[str, Any]) -> str:
    """The hash as first defined (DjangoJSONEncoder through json.dumps)."""
    body = {k: v for k, v in data.items() if k != "reason"}
    text = json.dumps(body, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def test_a_known_declaration_keeps_its_hash():
    data = {
        "lrn": "BRK-1",
        "invoice_amount": Decimal("120000.00"),
        "estimated_arrival": dt.datetime(2026, 12, 1, 10, 0, 0, 123456, tzinfo=dt.UTC),
        "items": [
            {"description": "Paltas frescas Hass, 4 kg ñ", "net_mass_kg": Decimal("240.000")}
        ],
        "reason": "not hashed",
    }
    assert content_hash(data) == (
        "00b0db0bae27d43e1843e9b560959432465786f653c042a2572126936633537d"
    )


values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text()
    | st.decimals(allow_nan=False, allow_infinity=False)
    | st.datetimes(timezones=st.just(dt.UTC))
    | st.dates(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(extra=st.dictionaries(st.text(max_size=6), values, max_size=4))
def test_on_random_content_the_hash_is_the_reference_hash(extra):
    data = {**payload(), **extra}
    assert content_hash(data) == reference_hash(data)
