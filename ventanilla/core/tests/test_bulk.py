"""core.bulk: rows inserted by COPY (PostgreSQL) or executemany (SQLite) read back as the
ORM would have written them; reserved ids are new and usable."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.utils import timezone

from ventanilla.core import bulk
from ventanilla.core.idempotency import IdempotencyRecord

pytestmark = pytest.mark.django_db


def _row(n: int, **extra: object) -> dict[str, object]:
    return {
        "owner": f"org-{n}",
        "key": f"key-{n}",
        "scope": "test",
        "request_hash": "a" * 64,
        "status_code": 201,
        "body": {"n": n, "text": 'tab\there, newline\nthere, quote " and ñ', "nested": [1, None]},
        **extra,
    }


# A few values go in one INSERT on PostgreSQL, more in a COPY: both read back the same.
@pytest.mark.parametrize("count", [2, 25])
def test_inserted_rows_read_back_exactly(count: int) -> None:
    before = timezone.now()
    with transaction.atomic():
        bulk.insert_rows(IdempotencyRecord, [_row(n) for n in range(1, count + 1)])
    rows = list(IdempotencyRecord.objects.order_by("pk"))
    assert [(r.owner, r.key, r.scope, r.status_code) for r in rows] == [
        (f"org-{n}", f"key-{n}", "test", 201) for n in range(1, count + 1)
    ]
    assert rows[0].body == {
        "n": 1,
        "text": 'tab\there, newline\nthere, quote " and ñ',
        "nested": [1, None],
    }
    # auto_now_add takes the time of the call, as save() would.
    assert all(before <= r.created_at <= timezone.now() for r in rows)


def test_a_few_values_go_in_one_insert_more_in_a_copy() -> None:
    # IdempotencyRecord has 7 columns besides its key: 2 rows are 14 values, 25 rows 175.
    assert bulk.one_insert(2, 7) is True
    assert bulk.one_insert(7, 7) is True  # 49 values
    assert bulk.one_insert(8, 7) is False  # 56: psycopg would parse the INSERT every time
    assert bulk.one_insert(25, 7) is False
    assert bulk.one_insert(10, 17) is False  # a declaration's ten goods items


def test_given_values_win_over_defaults() -> None:
    at = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    with transaction.atomic():
        bulk.insert_rows(IdempotencyRecord, [_row(3, created_at=at, body=["x", 1.5])])
    row = IdempotencyRecord.objects.get(owner="org-3")
    assert row.created_at == at
    assert row.body == ["x", 1.5]


def test_reserved_ids_are_new_increasing_and_insertable() -> None:
    IdempotencyRecord.objects.create(**_row(4))
    highest = IdempotencyRecord.objects.order_by("-pk").first().pk  # type: ignore[union-attr]
    with transaction.atomic():
        IdempotencyRecord.objects.create(**_row(5))  # this transaction has written
        ids = bulk.reserve_ids(IdempotencyRecord, 3)
        assert len(set(ids)) == 3 and ids == sorted(ids) and min(ids) > highest
        bulk.insert_rows(IdempotencyRecord, [_row(10 + n, id=pk) for n, pk in enumerate(ids)])
    assert (
        sorted(
            IdempotencyRecord.objects.filter(owner__in=["org-10", "org-11", "org-12"]).values_list(
                "pk", flat=True
            )
        )
        == ids
    )
    # The database's own numbering carries on after the reserved ids.
    after = IdempotencyRecord.objects.create(**_row(20))
    assert after.pk > max(ids)


def test_nothing_to_insert_is_no_query(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(0), transaction.atomic(savepoint=False):
        bulk.insert_rows(IdempotencyRecord, [])
        assert bulk.reserve_ids(IdempotencyRecord, 0) == []


def test_a_failed_insert_leaves_nothing() -> None:
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017 — the driver's error
        bulk.insert_rows(IdempotencyRecord, [_row(40), _row(40)])  # same owner and key
    assert not IdempotencyRecord.objects.filter(owner="org-40").exists()


def test_ids_reserved_for_several_tables_at_once(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    # Core's own table twice stands for two tables (core imports no domain app).
    with transaction.atomic():
        IdempotencyRecord.objects.create(**_row(30))  # this transaction has written
        expected = 1 if connection.vendor == "postgresql" else 4  # SQLite: two reads each
        with django_assert_num_queries(expected):
            first, nothing, second = bulk.reserve_ids_many(
                [(IdempotencyRecord, 3), (IdempotencyRecord, 0), (IdempotencyRecord, 2)]
            )
    assert nothing == []
    assert len(first) == 3 and first == sorted(first) and len(second) == 2
    if connection.vendor == "postgresql":  # one sequence: never the same id twice
        assert not set(first) & set(second)


_BODY = {"text": 'tab\there, newline\nthere, quote " and ñ', "nested": [1, None], "n": 1.5}


def _records(first: int, count: int) -> list[IdempotencyRecord]:
    rows = [_row(n, body=_BODY) for n in range(first, first + count)]
    return [IdempotencyRecord(**row) for row in rows]  # type: ignore[arg-type]


def _stored(owners: list[str]) -> list[tuple[object, ...]]:
    rows = IdempotencyRecord.objects.filter(owner__in=owners).order_by("pk")
    return [(r.owner, r.key, r.scope, r.request_hash, r.status_code, r.body) for r in rows]


# 2 records are 14 values (one INSERT … VALUES on PostgreSQL), 10 are 70 (one array per
# column); bulk_create elsewhere. Each is one statement, and stores what bulk_create does.
@pytest.mark.parametrize("count", [2, 10])
def test_created_instances_get_their_keys_in_order_and_read_back_as_bulk_create(
    count: int, django_assert_num_queries, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    bulk_create = IdempotencyRecord.objects.bulk_create
    if connection.vendor == "postgresql":  # the statement of its own, not the ORM's

        def refused(*args: object, **kwargs: object) -> None:
            raise AssertionError("bulk_create was called")

        monkeypatch.setattr(IdempotencyRecord.objects, "bulk_create", refused)
    before = timezone.now()
    with transaction.atomic(), django_assert_num_queries(1):
        made = bulk.create_many(IdempotencyRecord, _records(100, count))
    bulk_create(_records(200, count))
    assert [m.pk for m in made] == sorted(m.pk for m in made)
    assert all(not m._state.adding for m in made)
    stored = IdempotencyRecord.objects.in_bulk([m.pk for m in made])
    assert [stored[m.pk].owner for m in made] == [f"org-{n}" for n in range(100, 100 + count)]
    ours = _stored([f"org-{n}" for n in range(100, 100 + count)])
    theirs = _stored([f"org-{n}" for n in range(200, 200 + count)])
    assert [row[2:] for row in ours] == [row[2:] for row in theirs]
    # auto_now_add takes the time of the call, on the instance and in the row.
    assert all(before <= m.created_at <= timezone.now() for m in made)
    assert {stored[m.pk].created_at for m in made} == {m.created_at for m in made}


def test_an_expression_among_the_values_goes_through_bulk_create() -> None:
    from django.db.models import Value

    record = IdempotencyRecord(**_row(300))  # type: ignore[arg-type]
    record.status_code = Value(202)  # type: ignore[assignment]
    with transaction.atomic():
        (made,) = bulk.create_many(IdempotencyRecord, [record])
    assert IdempotencyRecord.objects.get(pk=made.pk).status_code == 202


def test_creating_nothing_is_no_query(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(0):
        assert bulk.create_many(IdempotencyRecord, []) == []


def test_a_text_column_given_a_number_stores_its_text_as_the_orm_does() -> None:
    record = IdempotencyRecord(**_row(400))  # type: ignore[arg-type]
    record.key = 42  # type: ignore[assignment]
    with transaction.atomic():
        (made,) = bulk.create_many(IdempotencyRecord, [record])
    assert IdempotencyRecord.objects.get(pk=made.pk).key == "42"
