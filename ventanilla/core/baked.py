"""Reads of a fixed shape, compiled to SQL once per process (ADR 0006, sixth session).

Django builds and compiles a queryset's SQL again on every call: for the lodgement's
small reads (the API token, the LRNs already lodged, the mandates, the e-mail recipients,
...) that was about a fifth of a lodgement's CPU, more than the database took to run them.
SQLAlchemy's answer is the "baked query"; this is the same for Django querysets:

    tokens = Baked(lambda prefix: ApiToken.objects.filter(prefix=prefix)[:1], prefix=str)
    token = tokens.first(prefix="abc")

The builder is called once with *stand-in values* — one unlikely value per parameter,
of the declared kind — and its SQL compiled. The positions where the stand-ins landed in
the statement's parameters are remembered; each later call puts its own values there and
runs the same SQL through the same compiler, so the rows come back as the queryset would
give them (model instances with their ``select_related`` objects, dicts, tuples).

The builder must depend on nothing but its parameters: a value read inside it (``now()``,
``today()``, a setting) would be frozen at the first call. ``BAKED_QUERIES_VERIFY`` (on in
the tests) makes every call also build and compile the queryset the usual way and check
that the SQL and the parameters are the same, so the whole suite checks every baked read.

A shape the stand-ins cannot describe — a stand-in missing from the parameters (Django
transformed the value), written into the SQL itself, or a query that cannot match
anything (``__in=[]``) — is never baked: the queryset runs the usual way.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

T = TypeVar("T")

# Lists get one plan per length; past this many plans a Baked stops baking new lengths.
MAX_PLANS = 32
# A list longer than this is not baked (its stand-ins would run into the next one's).
_MAX_ITEMS = 900


@dataclass(frozen=True)
class Many:
    """A parameter that is a list of values of ``kind`` (``pk__in=...``): each value is
    taken once and ``None`` left out, as ``__in`` does; one plan per number of values."""

    kind: type


Kind = type | Many


def _stand_in(kind: type, variant: int, param: int, index: int) -> Any:
    """A value of ``kind`` for the ``index``-th item of parameter ``param``, from one of
    two sets (``variant``) that share no value.

    Integers stay within every integer column's range (a value out of a column's range
    makes Django drop the condition), so they may meet a constant of the query: a
    position is a parameter's only where the two sets put their own two values."""
    if kind is int:
        return 16_384 + 8_192 * variant + 1_000 * param + index
    if kind is str:
        return f"\ue000baked {variant}.{param}.{index}\ue000"
    # Dates: a century between the two sets, 1,000 days between parameters (any number
    # of parameters; no month or year runs out).
    days = dt.timedelta(days=36_500 * variant + 1_000 * param + index)
    if kind is dt.datetime:
        return dt.datetime(1, 1, 1, 4, 5, 6, 7, tzinfo=dt.UTC) + days
    if kind is dt.date:
        return dt.date(1, 1, 1) + days
    raise TypeError(f"baked queries take int, str, date and datetime parameters, not {kind}")


def _identity(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class _Slot:
    position: int
    name: str
    index: int | None  # the item of a Many parameter
    adapt: Callable[[Any], Any]  # how the backend turned the value into a parameter


@dataclass(frozen=True)
class _Plan:
    queryset: QuerySet[Any] = field(repr=False)  # its repr would run it
    compiler: Any = field(repr=False)
    sql: str
    params: tuple[Any, ...]
    slots: tuple[_Slot, ...]

    def bind(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        params = list(self.params)
        for slot in self.slots:
            value = values[slot.name]
            params[slot.position] = slot.adapt(value if slot.index is None else value[slot.index])
        return tuple(params)


class _Query:
    """The baked query as its iterable sees it: the one compiler, already compiled."""

    def __init__(self, query: Any, compiler: Any) -> None:
        self._query = query
        self._compiler = compiler

    def get_compiler(self, *_args: Any, **_kwargs: Any) -> Any:
        return self._compiler

    def __getattr__(self, name: str) -> Any:
        return getattr(self._query, name)


class Baked(Generic[T]):
    """A read compiled once per process and database; see the module's docstring."""

    def __init__(
        self, build: Callable[..., QuerySet[Any]], *, using: str = DEFAULT_DB_ALIAS, **kinds: Kind
    ) -> None:
        self._build = build
        self._using = using
        self._kinds = kinds
        self._plans: dict[tuple[Any, ...], _Plan | None] = {}

    def list(self, **values: Any) -> list[T]:
        """Every row, as the builder's queryset gives them."""
        for name, kind in self._kinds.items():
            if isinstance(kind, Many):
                # As ``__in`` takes them: each value once, ``None`` left out.
                values[name] = [v for v in dict.fromkeys(values[name]) if v is not None]
        plan = self._plan(values)
        if plan is None:
            return list(self._build(**values))
        params = plan.bind(values)
        if getattr(settings, "BAKED_QUERIES_VERIFY", False):
            self._verify(plan, params, values)
        compiler = copy.copy(plan.compiler)
        compiler.connection = connections[self._using]
        compiler.as_sql = lambda *_a, **_k: (plan.sql, params)
        # The baked queryset's state, with a query whose compiler is the one above. Not
        # ``_chain()``: cloning the query was a good part of what is saved here.
        queryset = plan.queryset
        run = queryset.__class__.__new__(queryset.__class__)
        run.__dict__.update(queryset.__dict__)
        run.__dict__["_query"] = _Query(queryset.query, compiler)
        return list(run)

    def first(self, **values: Any) -> T | None:
        """The first row or ``None`` (the builder limits the rows it wants)."""
        rows = self.list(**values)
        return rows[0] if rows else None

    # --- planning --------------------------------------------------------------------

    def _shape(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        if values.keys() != self._kinds.keys():
            raise TypeError(f"baked query parameters are {sorted(self._kinds)}")
        lengths = tuple(
            len(values[name]) for name, kind in self._kinds.items() if isinstance(kind, Many)
        )
        return (connections[self._using].vendor, lengths)

    def _plan(self, values: Mapping[str, Any]) -> _Plan | None:
        shape = self._shape(values)
        try:
            return self._plans[shape]
        except KeyError:
            pass
        if len(self._plans) >= MAX_PLANS:
            return None  # not remembered either: the dict stays bounded
        plan = self._plans[shape] = self._bake(values)
        return plan

    def _bake(self, values: Mapping[str, Any]) -> _Plan | None:
        if any(len(values[n]) > _MAX_ITEMS for n, k in self._kinds.items() if isinstance(k, Many)):
            return None
        first, second = self._compile(values, 0), self._compile(values, 1)
        if first is None or second is None:
            return None
        (queryset, compiler, sql, params, where), (_q, _c, sql_b, params_b, where_b) = first, second
        if sql != sql_b or len(params) != len(params_b):
            return None
        adapters = _adapters(connections[self._using])
        slots = []
        for position, (param, param_b) in enumerate(zip(params, params_b, strict=True)):
            if type(param) is type(param_b) and param == param_b:
                continue  # a constant of the query
            found = [
                _Slot(position, name, index, adapt)
                for ((name, index), stand_in), stand_in_b in zip(
                    where.items(), where_b.values(), strict=True
                )
                for adapt in (*adapters, _wrapper(param))
                if _same(adapt(stand_in), param) and _same(adapt(stand_in_b), param_b)
            ]
            if not found:
                return None  # Django changed the value on its way: not bakeable
            slots.append(found[0])
        reached = {(slot.name, slot.index) for slot in slots}
        inlined = any(str(value) in sql for value in where.values())
        if reached != set(where) or inlined:
            return None
        return _Plan(queryset, compiler, sql, tuple(params), tuple(slots))

    def _compile(self, values: Mapping[str, Any], variant: int) -> tuple[Any, ...] | None:
        """The builder's queryset, compiler, SQL and parameters for stand-in values, and
        where each stand-in came from: (parameter, item) → stand-in."""
        stand_ins: dict[str, Any] = {}
        where: dict[tuple[str, int | None], Any] = {}
        for param, (name, kind) in enumerate(self._kinds.items()):
            if isinstance(kind, Many):
                items = [_stand_in(kind.kind, variant, param, n) for n in range(len(values[name]))]
                stand_ins[name] = items
                where.update({(name, n): item for n, item in enumerate(items)})
            else:
                stand_ins[name] = where[(name, None)] = _stand_in(kind, variant, param, 0)
        queryset = self._build(**stand_ins)
        compiler = queryset.query.get_compiler(using=self._using)
        try:
            sql, params = compiler.as_sql()
        except (EmptyResultSet, FullResultSet):
            return None
        return queryset, compiler, sql, tuple(params), where

    def _verify(self, plan: _Plan, params: tuple[Any, ...], values: Mapping[str, Any]) -> None:
        compiler = self._build(**values).query.get_compiler(using=self._using)
        sql, expected = compiler.as_sql()
        if sql != plan.sql or tuple(expected) != params:
            raise AssertionError(
                f"baked query differs from its queryset:\n{plan.sql}\n{params}\n"
                f"against\n{sql}\n{tuple(expected)}"
            )


def _adapters(connection: Any) -> list[Callable[[Any], Any]]:
    """The value as it is, then as the backend adapts dates and times (SQLite: text)."""
    ops = connection.ops

    def as_date(value: Any) -> Any:
        return ops.adapt_datefield_value(value) if isinstance(value, dt.date) else value

    def as_datetime(value: Any) -> Any:
        return ops.adapt_datetimefield_value(value) if isinstance(value, dt.datetime) else value

    return [_identity, as_datetime, as_date]


def _wrapper(param: Any) -> Callable[[Any], Any]:
    """The backend's wrapper of an integer (psycopg's ``Int2`` for a small integer
    column, so that PostgreSQL is told the column's type)."""
    kind = type(param)
    if issubclass(kind, int) and kind not in (int, bool):
        return lambda value: kind(value) if type(value) is int else value
    return _identity


def _same(value: Any, param: Any) -> bool:
    return type(value) is type(param) and bool(value == param)
