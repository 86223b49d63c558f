"""Set-based inserts for the hot write paths (ADR 0006).

A bulk lodgement writes thousands of goods items, parties and status rows. Through
``bulk_create`` each row becomes a model instance and every value goes through the
field's preparation to build one very long INSERT statement: that was most of a bulk
request's time. Here rows are plain mappings of attribute name → value:

- on PostgreSQL they are streamed with ``COPY … FROM STDIN``, or, when there are few
  values (a few narrow rows), sent in one multi-row INSERT (psycopg adapts the values;
  JSON columns are wrapped as ``jsonb``);
- elsewhere (SQLite for the demo and tests) each value is prepared by its field, as
  ``bulk_create`` would, and inserted with ``executemany``.

Missing attributes take the field's default (``auto_now``/``auto_now_add`` fields the
time of the call), so a row needs only what differs from the defaults. No signals are
sent and no instances come back: for rows nobody listens to and whose ids the caller
either does not need or reserved with :func:`reserve_ids`.

:func:`create_many` is ``bulk_create`` (no signals either) for the flow's small inserts
whose keys the caller needs: on PostgreSQL the instances' values go to psycopg as they
are, in one ``INSERT … RETURNING``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from django.db import connection, models, transaction
from django.utils import timezone

_NO_DEFAULT = object()
# Up to this many values (rows × columns), PostgreSQL gets one INSERT instead of a COPY.
# psycopg parses a statement's placeholders once and keeps the result only for statements
# of at most 50 parameters (psycopg._queries.MAX_CACHED_STATEMENT_PARAMS): above that it
# parses every call again. Measured (ADR 0006, fifth session): 2 rows of 17 columns cost
# 0.39 ms of CPU by INSERT against 0.45 by COPY; 3 rows, 0.49 against 0.47; 5 rows, 0.55
# against 0.46; 10 rows, 0.69 against 0.47, and PostgreSQL's own CPU 0.50 against 0.33.
FEW_VALUES = 50
M = TypeVar("M", bound=models.Model)


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` new primary keys for ``model``, in increasing order, to insert with.

    PostgreSQL draws them from the column's sequence (never handed out twice). SQLite
    has no sequence to draw from: the keys follow the highest in use, which is safe only
    once the calling transaction has written, because SQLite then holds the database's
    only write lock until it commits — callers reserve ids for the children of rows
    they have just inserted."""
    if count <= 0:
        return []
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("reserve_ids must be called inside the writing transaction")
    table = model._meta.db_table
    pk = str(model._meta.pk.column)
    with connection.cursor() as cursor:
        if _is_postgres():
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), pk, count],
            )
            return sorted(row[0] for row in cursor.fetchall())
        quoted = connection.ops.quote_name(table)
        cursor.execute(f"SELECT COALESCE(MAX({connection.ops.quote_name(pk)}), 0) FROM {quoted}")  # noqa: S608 — names from model meta
        highest = int(cursor.fetchone()[0])
        # AUTOINCREMENT tables never reuse a key, even of a deleted row.
        cursor.execute("SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = %s", [table])
        highest = max(highest, int(cursor.fetchone()[0]))
    return list(range(highest + 1, highest + 1 + count))


def reserve_ids_many(counts: Sequence[tuple[type[models.Model], int]]) -> list[list[int]]:
    """:func:`reserve_ids` for several tables at once, in the order given: one round trip
    on PostgreSQL (the sequences' draws joined by ``UNION ALL``)."""
    wanted = [(n, model, count) for n, (model, count) in enumerate(counts) if count > 0]
    if not _is_postgres() or len(wanted) <= 1:
        return [reserve_ids(model, count) for model, count in counts]
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("reserve_ids must be called inside the writing transaction")
    parts: list[str] = []
    params: list[Any] = []
    for n, model, count in wanted:
        parts.append(
            "SELECT %s::int, nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)"
        )
        params += [n, connection.ops.quote_name(model._meta.db_table), model._meta.pk.column, count]
    found: list[list[int]] = [[] for _ in counts]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for n, pk in cursor.fetchall():
            found[n].append(pk)
    return [sorted(ids) for ids in found]


def as_saved(model: type[M], rows: Sequence[Mapping[str, Any]]) -> list[M]:
    """Instances of rows just inserted with :func:`insert_rows` (each row giving its
    primary key), marked as saved: what reading them back would give, without the read.
    Attributes a row leaves out take the model's defaults, as the insert did."""
    objs = []
    for row in rows:
        obj = model(**row)
        obj._state.adding = False
        obj._state.db = connection.alias
        objs.append(obj)
    return objs


def attach_prefetched(instance: models.Model, related_name: str, objs: Sequence[Any]) -> None:
    """Leave ``instance.<related_name>.all()`` answering ``objs`` without a query, as
    ``prefetch_related`` would after reading them (the rows the caller has just
    inserted: every one of the instance's related rows)."""
    queryset = getattr(instance, related_name).get_queryset()
    queryset._result_cache = list(objs)
    queryset._prefetch_done = True
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    cache[related_name] = queryset


def _defaults(fields: Sequence[models.Field], now: Any) -> list[Any]:
    values: list[Any] = []
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values.append(now)
        elif field.has_default() and not callable(field.default):
            values.append(field.get_default())
        elif field.has_default():
            values.append(_NO_DEFAULT)  # callable: one value per row
        else:
            values.append(field.get_default())  # "" for text that is not nullable
    return values


def insert_rows(model: type[models.Model], rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (attribute name → value, e.g. ``declaration_id``) into ``model``'s
    table. The primary key is written when the first row gives it, left to the database
    otherwise. Must run inside the caller's transaction."""
    if not rows:
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("insert_rows must be called inside the writing transaction")
    pk = model._meta.pk
    fields = [
        f for f in model._meta.concrete_fields if not (f.primary_key and pk.attname not in rows[0])
    ]
    defaults = _defaults(fields, timezone.now())
    names = [f.attname for f in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    if _is_postgres():
        _postgres_insert(table, columns, fields, names, defaults, rows)
    else:
        _executemany(table, columns, fields, names, defaults, rows)


def _value(row: Mapping[str, Any], name: str, default: Any, field: models.Field) -> Any:
    if name in row:
        return row[name]
    return field.get_default() if default is _NO_DEFAULT else default


def one_insert(rows: int, columns: int) -> bool:
    """Whether PostgreSQL gets these rows in one INSERT rather than a COPY."""
    return rows * columns <= FEW_VALUES


def _values(rows: int, columns: int) -> str:
    """The placeholders of a multi-row ``VALUES`` list."""
    row = "(" + ", ".join(["%s"] * columns) + ")"
    return ", ".join([row] * rows)


def _postgres_insert(
    table: str,
    columns: str,
    fields: list[models.Field],
    names: list[str],
    defaults: list[Any],
    rows: Sequence[Mapping[str, Any]],
) -> None:
    plan = list(zip(names, defaults, fields, strict=True))
    json_at = [(n, adapt) for n, f in enumerate(fields) if (adapt := _jsonb(f)) is not None]
    # The usual case: every row gives the same attributes and the others have constant
    # defaults, so a row's values are picked in one step (a thousand items per request).
    keys = rows[0].keys()
    same = all(row.keys() == keys for row in rows) and all(
        name in keys or default is not _NO_DEFAULT for name, default, _f in plan
    )
    pick = [(name in keys, name, default) for name, default, _f in plan]

    def values_of(row: Mapping[str, Any]) -> list[Any]:
        if same:
            values = [row[name] if given else default for given, name, default in pick]
        else:
            values = [_value(row, name, default, field) for name, default, field in plan]
        for n, adapt in json_at:
            values[n] = adapt(values[n])
        return values

    # Through psycopg's own cursor, errors must still reach callers as Django's (an
    # IntegrityError on a unique key, not psycopg's UniqueViolation).
    with connection.cursor() as cursor, connection.wrap_database_errors:
        if one_insert(len(rows), len(fields)):
            # COPY costs a round trip to open and one to close: for a few values one
            # multi-row INSERT is cheaper (a single declaration's parties, its status
            # changes; not its ten goods items). Through psycopg's cursor, as COPY: the
            # statement is not logged.
            cursor.cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {_values(len(rows), len(fields))}",  # noqa: S608 — names from model meta, values bound
                [value for row in rows for value in values_of(row)],
            )
            return
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(values_of(row))


def _executemany(
    table: str,
    columns: str,
    fields: list[models.Field],
    names: list[str],
    defaults: list[Any],
    rows: Sequence[Mapping[str, Any]],
) -> None:
    plan = list(zip(names, defaults, fields, strict=True))
    params = [
        [
            field.get_db_prep_save(_value(row, name, default, field), connection)
            for name, default, field in plan
        ]
        for row in rows
    ]
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", params)  # noqa: S608 — names from model meta


def insert_instances(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """``bulk_create`` for instances whose primary keys were reserved: on PostgreSQL
    through COPY (the instances' attribute values as they are; ``auto_now`` fields set
    to the time of the call), elsewhere through ``bulk_create``. The instances are
    marked as saved either way."""
    if not objs:
        return
    if not _is_postgres() or any(o.pk is None for o in objs):
        model._default_manager.bulk_create(objs)
        return
    now = timezone.now()
    fields = model._meta.concrete_fields
    always = [f.attname for f in fields if getattr(f, "auto_now", False)]
    once = [f.attname for f in fields if getattr(f, "auto_now_add", False)]
    names = [f.attname for f in fields]
    rows = []
    for obj in objs:
        for name in always:
            setattr(obj, name, now)
        for name in once:
            if getattr(obj, name) is None:
                setattr(obj, name, now)
        rows.append({name: getattr(obj, name) for name in names})
        obj._state.adding = False
        obj._state.db = connection.alias
    insert_rows(model, rows)


def _plain(field: models.Field) -> bool:
    """Whether psycopg can take the field's Python value as it is: Django's own field
    classes of plain types, which prepare a value for PostgreSQL by doing nothing psycopg
    does not (a project's or a package's field may transform it: not guessed)."""
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    return type(field).__module__.startswith("django.db.models.fields") and (
        field.get_internal_type() in _PLAIN_TYPES
    )


_PLAIN_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "DateField",
        "DateTimeField",
        "DecimalField",
        "EmailField",
        "IntegerField",
        "JSONField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallIntegerField",
        "TextField",
        "URLField",
        "UUIDField",
    }
)


_TEXT_TYPES = frozenset({"CharField", "EmailField", "SlugField", "TextField", "URLField"})


def _text(value: Any) -> Any:
    return value if value is None or isinstance(value, str) else str(value)


def _jsonb(field: models.Field) -> Callable[[Any], Any] | None:
    """What wraps a value of a JSON column as ``jsonb`` for psycopg, dumped with the
    field's own encoder as Django would; ``None`` for other columns."""
    if not isinstance(field, models.JSONField):
        return None
    from psycopg.types.json import Jsonb

    dumps = partial(json.dumps, cls=field.encoder) if field.encoder else json.dumps
    return lambda value: None if value is None else Jsonb(value, dumps=dumps)


def _adapter(field: models.Field) -> Callable[[Any], Any] | None:
    """What prepares a value of ``field`` for psycopg in ``create_many``: ``jsonb`` for
    JSON columns; text for text columns, as the field's ``to_python`` makes it (an id
    given to a text column); nothing otherwise."""
    if field.get_internal_type() in _TEXT_TYPES:
        return _text
    return _jsonb(field)


@dataclass(frozen=True)
class _Insert:
    """How ``create_many`` writes one model on PostgreSQL, worked out once per process."""

    fields: tuple[models.Field, ...]
    plain: bool  # every field's value can go to psycopg as it is
    stamped: tuple[str, ...]  # auto_now / auto_now_add attributes
    adapters: tuple[tuple[int, Callable[[Any], Any]], ...]
    head: str  # INSERT INTO table (columns)
    arrays: str  # one array placeholder per column, cast to the column's type
    returning: str


@functools.cache
def _insert_for(model: type[models.Model]) -> _Insert:
    fields = tuple(f for f in model._meta.concrete_fields if not f.primary_key)
    quote = connection.ops.quote_name
    return _Insert(
        fields=fields,
        plain=all(_plain(f) for f in fields),
        stamped=tuple(
            f.attname
            for f in fields
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ),
        adapters=tuple(
            (n, adapt) for n, f in enumerate(fields) if (adapt := _adapter(f)) is not None
        ),
        head=f"INSERT INTO {quote(model._meta.db_table)} "
        f"({', '.join(quote(str(f.column)) for f in fields)})",
        # Arrays of the column's type without its length or precision, as Django's own
        # bulk insert does (nothing truncated by the cast).
        arrays=", ".join(f"%s::{str(f.db_type(connection)).split('(')[0]}[]" for f in fields),
        returning=f" RETURNING {quote(str(model._meta.pk.column))}",
    )


def create_many(model: type[M], objs: Sequence[M]) -> list[M]:
    """``bulk_create`` for new instances on the hot write paths: their primary keys set,
    marked as saved, ``auto_now``/``auto_now_add`` fields set to the time of the call.

    On PostgreSQL the values go to psycopg as they are, in one ``INSERT … RETURNING``
    (``VALUES`` rows for a few values, one array per column above): Django's preparation
    of each value and compilation of the statement were most of a small insert's cost
    (ADR 0006). The statement goes through Django's cursor, so it is logged and counted
    like the ORM's. Anything else — another database, a primary key given, an
    expression as a value, a field type not known to be plain — goes through
    ``bulk_create``."""
    if not objs:
        return []
    if not _is_postgres() or any(o.pk is not None for o in objs):
        return model._default_manager.bulk_create(objs)
    plan = _insert_for(model)
    if not plan.plain:
        return model._default_manager.bulk_create(objs)
    now = timezone.now()
    for name in plan.stamped:  # as ``pre_save(add=True)`` does for bulk_create
        for obj in objs:
            setattr(obj, name, now)
    columns = [[getattr(o, f.attname) for o in objs] for f in plan.fields]
    if any(hasattr(v, "resolve_expression") for column in columns for v in column):
        return model._default_manager.bulk_create(objs)
    for n, adapt in plan.adapters:
        columns[n] = [adapt(v) for v in columns[n]]
    if one_insert(len(objs), len(plan.fields)):
        sql = f"{plan.head} VALUES {_values(len(objs), len(plan.fields))}"
        params: list[Any] = [column[n] for n in range(len(objs)) for column in columns]
    else:
        # One placeholder per column whatever the number of rows: psycopg parses the
        # statement once.
        sql = f"{plan.head} SELECT * FROM UNNEST({plan.arrays})"  # noqa: S608 — names from model meta, values bound
        params = columns
    with connection.cursor() as cursor:
        cursor.execute(sql + plan.returning, params)
        keys = [row[0] for row in cursor.fetchall()]
    for obj, key in zip(objs, keys, strict=True):
        obj.pk = key
        obj._state.adding = False
        obj._state.db = connection.alias
    return list(objs)
