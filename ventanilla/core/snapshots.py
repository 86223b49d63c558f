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

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from django.apps import apps
from django.db import transaction
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")

# While a watched write's transaction is open, reads bypass the snapshot; if the
# transaction never commits, the bypass ends after this many seconds.
DIRTY_WINDOW_S = 60.0

_registry: list[Snapshot[Any]] = []


class Snapshot(Generic[T]):
    def __init__(
        self,
        name: str,
        load: Callable[[Hashable], T],
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
        self._dirty_until = 0.0
        self._lock = threading.Lock()
        self._connected = False
        _registry.append(self)

    def get(self, key: Hashable = None) -> T:
        self._connect()
        now = time.monotonic()
        if now < self._dirty_until:
            return self._load(key)
        entry = self._entries.get(key)
        if entry is not None and entry[0] > now:
            return entry[1]
        value = self._load(key)
        with self._lock:
            if time.monotonic() >= self._dirty_until:
                if len(self._entries) >= self._max_keys:
                    self._entries.clear()
                self._entries[key] = (now + self._ttl, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def _changed(self, **_: Any) -> None:
        with self._lock:
            self._entries.clear()
            if transaction.get_connection().in_atomic_block:
                self._dirty_until = time.monotonic() + DIRTY_WINDOW_S
                transaction.on_commit(self._committed)

    def _committed(self) -> None:
        with self._lock:
            self._entries.clear()
            self._dirty_until = 0.0

    def _connect(self) -> None:
        if self._connected:
            return
        with self._lock:
            if self._connected:
                return
            for label in self._watch:
                model = apps.get_model(label)
                post_save.connect(self._changed, sender=model, weak=False)
                post_delete.connect(self._changed, sender=model, weak=False)
            self._connected = True


def clear_all() -> None:
    """Drop every snapshot: after bulk loads (no signals) and between tests."""
    for snapshot in _registry:
        snapshot.clear()
