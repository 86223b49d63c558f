"""core.snapshots: what is kept, and when it must not be."""

from __future__ import annotations

from typing import Any

import pytest

from ventanilla.core.idempotency import IdempotencyRecord
from ventanilla.core.snapshots import Snapshot


class Loader:
    def __init__(self) -> None:
        self.calls = 0
        self.during: Any = None

    def __call__(self, key: Any) -> int:
        self.calls += 1
        if self.during is not None:
            self.during()
        return self.calls


def snapshot(loader: Loader, **kwargs: Any) -> Snapshot[int]:
    return Snapshot("test", loader, watch=("core.IdempotencyRecord",), **kwargs)


def test_a_value_is_kept_per_key_until_its_ttl() -> None:
    loader = Loader()
    kept = snapshot(loader)
    assert [kept.get("a"), kept.get("a"), kept.get("b")] == [1, 1, 2]
    expiring = snapshot(Loader(), ttl=0)
    assert [expiring.get("a"), expiring.get("a")] == [1, 2]


def test_a_value_read_while_a_change_happened_is_not_kept() -> None:
    loader = Loader()
    kept = snapshot(loader)
    loader.during = lambda: kept._committed(0)  # another thread's write commits
    assert kept.get() == 1
    loader.during = None
    assert kept.get() == 2  # read again, then kept
    assert kept.get() == 2


@pytest.mark.django_db
def test_an_uncommitted_write_makes_reads_bypass_until_it_commits(
    django_capture_on_commit_callbacks,
) -> None:
    loader = Loader()
    kept = snapshot(loader)
    assert kept.get() == 1
    with django_capture_on_commit_callbacks(execute=True):
        IdempotencyRecord.objects.create(
            owner="t", key="k", scope="s", request_hash="-", status_code=200, body={}
        )
        assert kept.get() == 2  # the write is not committed yet: never kept
        assert kept.get() == 3
    assert kept.get() == 4  # committed: read once more, then kept
    assert kept.get() == 4


def test_get_many_remembers_absent_keys() -> None:
    asked: list[set[Any]] = []
    kept: Snapshot[str] = Snapshot("many", lambda key: "", watch=("core.IdempotencyRecord",))

    def load(keys: set[Any]) -> dict[Any, str]:
        asked.append(set(keys))
        return {k: k.upper() for k in keys if k != "x"}

    assert kept.get_many(["a", "x"], load) == {"a": "A", "x": None}
    assert kept.get_many(["a", "x", "b"], load) == {"a": "A", "x": None, "b": "B"}
    assert asked == [{"a", "x"}, {"b"}]
