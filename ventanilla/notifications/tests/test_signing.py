"""The signature partners verify (docs/webhooks.md)."""

from __future__ import annotations

import hashlib
import hmac

from ventanilla.notifications.signing import new_secret, sign, verify_signature

BODY = b'{"id":"e1","kind":"released"}'
SECRET = "whsec_test"


def test_signature_is_hmac_sha256_of_timestamp_dot_body():
    header = sign(SECRET, BODY, timestamp=1_800_000_000)
    expected = hmac.new(SECRET.encode(), b"1800000000." + BODY, hashlib.sha256).hexdigest()
    assert header == f"t=1800000000,v1={expected}"


def test_a_fresh_signature_verifies():
    header = sign(SECRET, BODY, timestamp=1_800_000_000)
    assert verify_signature(SECRET, header, BODY, now=1_800_000_010)


def test_tampered_body_wrong_secret_and_stale_timestamps_fail():
    header = sign(SECRET, BODY, timestamp=1_800_000_000)
    assert not verify_signature(SECRET, header, BODY + b" ", now=1_800_000_000)
    assert not verify_signature("whsec_other", header, BODY, now=1_800_000_000)
    assert not verify_signature(SECRET, header, BODY, now=1_800_000_301)
    assert not verify_signature(SECRET, header, BODY, now=1_799_999_699)
    assert verify_signature(SECRET, header, BODY, tolerance_s=600, now=1_800_000_301)


def test_malformed_headers_fail_without_raising():
    for header in ("", "garbage", "t=abc,v1=00", "t=1800000000", "v1=00", "t=,v1="):
        assert not verify_signature(SECRET, header, BODY, now=1_800_000_000)


def test_any_of_several_v1_values_may_match():
    good = sign(SECRET, BODY, timestamp=1_800_000_000).split("v1=")[1]
    header = f"t=1800000000,v1={'0' * 64},v1={good}"
    assert verify_signature(SECRET, header, BODY, now=1_800_000_000)


def test_new_secrets_are_random_and_marked():
    first, second = new_secret(), new_secret()
    assert first.startswith("whsec_") and len(first) > 40 and first != second


def test_backoff_grows_four_times_and_is_capped():
    import datetime as dt

    from ventanilla.notifications.delivery import backoff

    assert [backoff(n).total_seconds() for n in range(1, 7)] == [60, 240, 960, 3840, 15360, 21600]
    assert backoff(1) == dt.timedelta(minutes=1)


def test_the_documented_verifier_accepts_our_signatures():
    """docs/webhooks.md tells partners how to verify: its code must keep working."""
    import re
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[3] / "docs" / "webhooks.md").read_text()
    code = next(b for b in re.findall(r"```python\n(.*?)```", doc, re.S) if "def verify" in b)
    namespace: dict[str, object] = {}
    exec(compile(code, "docs/webhooks.md", "exec"), namespace)  # noqa: S102
    documented = namespace["verify_signature"]
    header = sign(SECRET, BODY)
    assert documented(SECRET, header, BODY) is True  # type: ignore[operator]
    assert documented(SECRET, header, BODY + b"x") is False  # type: ignore[operator]
