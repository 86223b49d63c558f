"""In-process snapshots of small configuration tables read on every lodgement.

Risk profiles, the requirement matrix, tariff measures, exchange rates and code lists
change a few times a day but are read by every declaration; reading them from the
database each time cost most of a lodgement (issue 3 benchmark). A snapshot keeps what a
loader returned, per key (usually the day the data is read for, since the data is
effective-dated and a snapshot must never serve yesterday's rows today).

Freshness rules, in order:
- a save or delete of a watched model in this process drops the snapshot at once, and
  while that write's transaction is open every read goes to the database (an
  uncommitted or rolled-back change is never kept);
- bulk loaders, which send no signals, call ``clear_all()`` when they finish;
- every entry expires after ``ttl`` seconds, which bounds how long another process
  (another gunicorn worker) may serve data changed elsewhere.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Hashable, Iterable
from typing import Any, Generic, TypeVar

from django.db import transaction
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")

# While a watched write's transaction is open, reads bypass the snapshot; if the
# transaction never commits, the bypass ends after this many seconds.
DIRTY_WINDOW_S = 60.0

_registry: list[Snapshot[Any]] = []
_tokens = itertools.count(1)


class Snapshot(Generic[T]):
    def __init__(
        self,
        name: str,
        load: Callable[[Hashable], T] | None = None,
        *,
        watch: tuple[str, ...],
        ttl: float = 30.0,
        max_keys: int = 4096,
    ) -> None:
        self.name = name
        self._load = load
        self._watch = watch
        self._ttl = ttl
        self._max_keys = max_keys
        self._entries: dict[Hashable, tuple[float, T]] = {}
        # One token per open transaction that wrote a watched model, with its expiry.
        self._open_writes: dict[int, float] = {}
        # Bumped by every change: a value read before a change committed is not kept
        # after it (a reader racing a writer's commit).
        self._generation = 0
        self._lock = threading.Lock()
        # Lazy sender labels: connected now, before any read, so a write made before the
        # first read of the snapshot is never missed.
        for label in watch:
            post_save.connect(self._changed, sender=label, weak=False)
            post_delete.connect(self._changed, sender=label, weak=False)
        _registry.append(self)

    def get(self, key: Hashable = None) -> T:
        """The value for ``key``, read by the snapshot's ``load`` when not held."""
        assert self._load is not None, f"{self.name} is read with get_many only"
        now = time.monotonic()
        if self._dirty(now):
            return self._load(key)
        entry = self._entries.get(key)
        if entry is not None and entry[0] > now:
            return entry[1]
        generation = self._generation
        value = self._load(key)
        with self._lock:
            if generation == self._generation and not self._dirty(time.monotonic()):
                if len(self._entries) >= self._max_keys:
                    self._entries.clear()
                self._entries[key] = (now + self._ttl, value)
        return value

    def get_many(
        self, keys: Iterable[Hashable], load_many: Callable[[set[Hashable]], dict[Hashable, T]]
    ) -> dict[Hashable, T | None]:
        """Per-key memo for large lists (tariff lines, locations): the keys not held are
        read in one query by ``load_many``; a key it does not return is remembered as
        absent (``None``), so an unknown code costs one query per TTL, not per request."""
        now = time.monotonic()
        wanted = set(keys)
        if self._dirty(now):
            found = load_many(wanted)
            return {k: found.get(k) for k in wanted}
        result: dict[Hashable, T | None] = {}
        missing: set[Hashable] = set()
        for key in wanted:
            entry = self._entries.get(key)
            if entry is not None and entry[0] > now:
                result[key] = entry[1]
            else:
                missing.add(key)
        if missing:
            generation = self._generation
            found = load_many(missing)
            with self._lock:
                keep = generation == self._generation and not self._dirty(time.monotonic())
                if keep and len(self._entries) + len(missing) > self._max_keys:
                    self._entries.clear()
                for key in missing:
                    value = found.get(key)
                    result[key] = value
                    if keep:
                        self._entries[key] = (now + self._ttl, value)  # type: ignore[assignment]
        return result

    def clear(self) -> None:
        """Forget everything, open writes included (after a load has committed; between
        tests, whose transactions are rolled back)."""
        with self._lock:
            self._entries.clear()
            self._open_writes.clear()
            self._generation += 1

    def _dirty(self, now: float) -> bool:
        # list(): a copy taken at once, while another thread may add or drop a write.
        return any(expiry > now for expiry in list(self._open_writes.values()))

    def _changed(self, **_: Any) -> None:
        with self._lock:
            self._entries.clear()
            self._generation += 1
            if transaction.get_connection().in_atomic_block:
                token = next(_tokens)
                self._open_writes[token] = time.monotonic() + DIRTY_WINDOW_S
                transaction.on_commit(lambda: self._committed(token))

    def _committed(self, token: int) -> None:
        with self._lock:
            self._entries.clear()
            self._generation += 1
            self._open_writes.pop(token, None)
            now = time.monotonic()
            for stale in [t for t, expiry in self._open_writes.items() if expiry <= now]:
                del self._open_writes[stale]


def clear_all() -> None:
    """Drop every snapshot: after bulk loads (no signals) and between tests."""
    for snapshot in _registry:
        snapshot.clear()
