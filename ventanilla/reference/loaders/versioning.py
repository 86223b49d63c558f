"""The one place that decides what a load changes (developers' guide, habit 7: reference
data is effective-dated and never overwritten).

Given the rows of a new input and the versions already stored in the same scope, a
:class:`Plan` says which versions to open and which to close:

* a key never seen before gets a new version (``created``);
* a key whose latest version is open and has the same content is left alone
  (``unchanged``), so loading the same file twice writes nothing;
* a key whose content differs gets its version closed (``valid_to`` = the run's date) and
  a new one opened on that date (``changed``); the old row keeps its text;
* a key missing from the input is closed, never deleted (``closed``), when the caller
  loads a complete scope (``close_missing``);
* a key that was closed earlier and comes back gets a new version (``created``).

Fields listed in ``carried`` (the Spanish columns) are copied from the previous version
when the new input leaves them empty: the public files are English-only, and a new
release must not wipe translations someone wrote.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar

from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.reference.loaders.errors import LoadError, Problem
from ventanilla.reference.loaders.progress import SILENT, Progress
from ventanilla.reference.search import row_search_text

BATCH_SIZE = 1000
T = TypeVar("T")


@dataclass
class Counts:
    created: int = 0
    changed: int = 0
    closed: int = 0
    unchanged: int = 0
    skipped: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(**{k: v + getattr(other, k) for k, v in asdict(self).items()})

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    @property
    def writes(self) -> int:
        return self.created + self.changed + self.closed

    def describe(self) -> str:
        return (
            _(
                "%(created)d created, %(changed)d changed, %(closed)d closed, "
                "%(unchanged)d unchanged, %(skipped)d skipped"
            )
            % self.as_dict()
        )


@dataclass(frozen=True)
class RunDates:
    """``changes``: the day a changed row's new version starts and a dropped row's version
    ends. ``new_keys``: the day a row never seen before starts."""

    changes: dt.date
    new_keys: dt.date

    @classmethod
    def resolve(cls, explicit: dt.date | None, *, baseline: dt.date) -> RunDates:
        """An explicit ``--valid-from`` dates everything. Without one, changes take effect
        today, while rows new to us are in force from ``baseline`` (the edition's start,
        or the model's default 1900-01-01): a code we load for the first time is not new
        in the world, and dating it today would make every older declaration invalid."""
        if explicit is not None:
            return cls(explicit, explicit)
        return cls(timezone.localdate(), baseline)


def all_rows(model: type[models.Model]) -> QuerySet[Any]:
    """The model's rows, typed loosely: the effective-dated manager is declared on an
    abstract base, so the type checker would not know the concrete model's fields."""
    return model._default_manager.all()


def model_baseline(model: type[models.Model]) -> dt.date:
    field = model._meta.get_field("valid_from")
    default = field.get_default() if isinstance(field, models.Field) else None
    assert isinstance(default, dt.date)
    return default


@dataclass(frozen=True)
class Spec:
    """How one model is versioned. ``key`` identifies a row within the scope;
    ``compared`` is its content; ``search_text`` is built from the full row."""

    model: type[models.Model]
    label: str
    key: tuple[str, ...]
    compared: tuple[str, ...]
    carried: tuple[str, ...] = ()


@dataclass
class Plan:
    spec: Spec
    dates: RunDates
    create: list[models.Model] = field(default_factory=list)
    close_ids: list[int] = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)
    conflicts: list[str] = field(default_factory=list)


def _same(a: Any, b: Any) -> bool:
    # The database gives NULL for an empty translation; a file gives "".
    return (a if a is not None else "") == (b if b is not None else "")


def plan_versions(
    *,
    spec: Spec,
    scope: QuerySet[Any],
    rows: Sequence[dict[str, Any]],
    dates: RunDates,
    close_missing: bool = True,
) -> Plan:
    """Compare ``rows`` (one dict per key, model field names as keys) with the latest
    stored version of each key in ``scope``. Reads only; :func:`apply_plan` writes."""
    plan = Plan(spec=spec, dates=dates)
    wanted = ("pk", "valid_from", "valid_to", *spec.key, *spec.compared, *spec.carried)
    fields = list(dict.fromkeys(wanted))
    latest: dict[tuple[Any, ...], dict[str, Any]] = {}
    for stored in scope.order_by("valid_from").values(*fields).iterator(chunk_size=5000):
        latest[tuple(stored[k] for k in spec.key)] = stored
    seen: set[tuple[Any, ...]] = set()
    for row in rows:
        key = tuple(row[k] for k in spec.key)
        if key in seen:  # the parsers refuse or drop duplicates; this is our bug
            raise ValueError(f"duplicate key {key} in rows for {spec.model.__name__}")
        seen.add(key)
        prev = latest.get(key)
        values = dict(row)
        for name in spec.carried:
            if values.get(name) in (None, ""):
                values[name] = prev[name] if prev is not None else None
        if prev is None:
            _open(plan, values, plan.dates.new_keys)
            plan.counts.created += 1
        elif prev["valid_to"] is None:
            if all(_same(prev[f], values.get(f)) for f in (*spec.compared, *spec.carried)):
                plan.counts.unchanged += 1
            elif _can_start_after(plan, key, prev["valid_from"]):
                plan.close_ids.append(prev["pk"])
                _open(plan, values, plan.dates.changes)
                plan.counts.changed += 1
        elif _can_start_after(plan, key, prev["valid_to"], inclusive=True):
            _open(plan, values, plan.dates.changes)
            plan.counts.created += 1
    if close_missing:
        for key, prev in latest.items():
            if key in seen or prev["valid_to"] is not None:
                continue
            if _can_start_after(plan, key, prev["valid_from"]):
                plan.close_ids.append(prev["pk"])
                plan.counts.closed += 1
    return plan


def _open(plan: Plan, values: dict[str, Any], day: dt.date) -> None:
    spec = plan.spec
    text = row_search_text(spec.model, values)
    plan.create.append(spec.model(**values, valid_from=day, search_text=text))


def _can_start_after(
    plan: Plan, key: tuple[Any, ...], day: dt.date, *, inclusive: bool = False
) -> bool:
    """A new version must start after the one it replaces, or versions would overlap
    (and two versions cannot start on the same day)."""
    ok = plan.dates.changes >= day if inclusive else plan.dates.changes > day
    if not ok:
        plan.conflicts.append(
            _(
                "%(label)s %(key)s: a version already runs from %(day)s; a change must "
                "take effect after that date (use a later --valid-from)"
            )
            % {"label": plan.spec.label, "key": "/".join(map(str, key)), "day": day}
        )
    return ok


def raise_conflicts(plans: Iterable[Plan]) -> None:
    problems = [Problem("", None, c) for p in plans for c in p.conflicts]
    if problems:
        raise LoadError(problems)


def chunks(items: Sequence[T], size: int = BATCH_SIZE) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def apply_plan(plan: Plan, *, progress: Progress = SILENT) -> Counts:
    """Close, then open, in batches. Must run inside the caller's transaction."""
    raise_conflicts([plan])
    manager = plan.spec.model._default_manager
    for ids in chunks(plan.close_ids):
        manager.filter(pk__in=ids).update(valid_to=plan.dates.changes)
    total = (len(plan.create) + BATCH_SIZE - 1) // BATCH_SIZE
    for rows in progress.bar(chunks(plan.create), total=total, desc=plan.spec.label):
        manager.bulk_create(rows)
    return plan.counts
