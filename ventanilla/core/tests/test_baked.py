"""core.baked: a read compiled once gives, call after call, exactly what its queryset
gives, without compiling again; what it cannot bake runs the usual way."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from ventanilla.core.baked import Baked, Many
from ventanilla.core.idempotency import IdempotencyRecord

pytestmark = pytest.mark.django_db

WHEN = dt.datetime(2026, 3, 4, 12, 0, tzinfo=dt.UTC)


def _record(n: int, *, scope: str = "test", status: int = 201, hours: int = 0) -> int:
    record = IdempotencyRecord.objects.create(
        owner=f"org-{n}", key=f"key-{n}", scope=scope, request_hash="a" * 64,
        status_code=status, body={"n": n},
    )  # fmt: skip
    # created_at is auto_now_add: set the time the test needs afterwards.
    when = WHEN + dt.timedelta(hours=hours)
    IdempotencyRecord.objects.filter(pk=record.pk).update(created_at=when)
    return record.pk


def _by_scope(scope: str, status: int, since: dt.datetime):  # type: ignore[no-untyped-def]
    return (
        IdempotencyRecord.objects.filter(scope=scope, status_code=status, created_at__gte=since)
        .order_by("pk")
        .values_list("owner", flat=True)
    )


BY_SCOPE: Baked[str] = Baked(_by_scope, scope=str, status=int, since=dt.datetime)


def test_each_call_gives_what_its_queryset_gives() -> None:
    for n, (scope, status, hours) in enumerate(
        [("a", 201, 0), ("a", 201, 5), ("a", 409, 5), ("b", 201, 5), ("a", 201, 9)]
    ):
        _record(n, scope=scope, status=status, hours=hours)
    cases = [
        ("a", 201, WHEN),
        ("a", 201, WHEN + dt.timedelta(hours=5)),
        ("a", 409, WHEN),
        ("b", 201, WHEN + dt.timedelta(hours=6)),
        ("c", 201, WHEN),
    ]
    got = [BY_SCOPE.list(scope=s, status=c, since=t) for s, c, t in cases]
    assert got == [list(_by_scope(s, c, t)) for s, c, t in cases]
    assert got == [["org-0", "org-1", "org-4"], ["org-1", "org-4"], ["org-2"], [], []]


def test_a_second_call_is_not_compiled_again(settings) -> None:  # type: ignore[no-untyped-def]
    settings.BAKED_QUERIES_VERIFY = False
    _record(1)
    baked: Baked[str] = Baked(_by_scope, scope=str, status=int, since=dt.datetime)
    compiled = []
    as_sql = SQLCompiler.as_sql

    def counted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        compiled.append(self)
        return as_sql(self, *args, **kwargs)

    with mock.patch.object(SQLCompiler, "as_sql", counted):
        assert baked.list(scope="test", status=201, since=WHEN) == ["org-1"]
        assert len(compiled) == 2  # once with each set of stand-ins
        assert baked.list(scope="test", status=201, since=WHEN + dt.timedelta(hours=1)) == []
        assert baked.list(scope="test", status=201, since=WHEN) == ["org-1"]
        assert len(compiled) == 2


def test_related_objects_come_with_the_row(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    permissions: Baked[Permission] = Baked(
        lambda codename: (
            Permission.objects.select_related("content_type")
            .filter(codename=codename)
            .order_by("pk")[:1]
        ),
        codename=str,
    )
    expected = Permission.objects.select_related("content_type").order_by("pk")[:2]
    for permission in expected:
        with django_assert_num_queries(1):
            found = permissions.first(codename=permission.codename)
            assert found == permission
            assert found.content_type == permission.content_type
            assert found.content_type.app_label == permission.content_type.app_label
    assert permissions.first(codename="no such permission") is None


def test_lists_are_taken_as_in_takes_them(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    types: Baked[int] = Baked(
        lambda pks: (
            ContentType.objects.filter(pk__in=pks).order_by("pk").values_list("pk", flat=True)
        ),
        pks=Many(int),
    )
    pks = list(ContentType.objects.order_by("pk").values_list("pk", flat=True)[:3])
    assert types.list(pks=[pks[2], pks[0]]) == [pks[0], pks[2]]
    assert types.list(pks=[pks[1], None, pks[1]]) == [pks[1]]  # once, None left out
    assert types.list(pks=[*pks, pks[0]]) == pks
    assert types.list(pks=[pks[2], pks[1]]) == [pks[1], pks[2]]
    assert len(types._plans) == 3  # one per number of distinct values: 2, 1 and 3
    with django_assert_num_queries(0):
        assert types.list(pks=[]) == []  # matches nothing: no query at all


def test_dates_and_locks_are_baked() -> None:
    first, second = _record(1, hours=0), _record(2, hours=30)
    locked: Baked[IdempotencyRecord] = Baked(
        lambda day: (
            IdempotencyRecord.objects.select_for_update()
            .filter(created_at__date__gte=day)
            .order_by("pk")
        ),
        day=dt.date,
    )
    with transaction.atomic():
        assert [r.pk for r in locked.list(day=WHEN.date())] == [first, second]
        assert [r.pk for r in locked.list(day=WHEN.date() + dt.timedelta(days=1))] == [second]
        assert locked.list(day=WHEN.date() + dt.timedelta(days=2)) == []
    assert next(iter(locked._plans.values())) is not None


def test_a_value_django_changes_is_not_baked_and_still_read_right() -> None:
    _record(1)
    _record(22)
    # __startswith escapes the value and adds a wildcard: the stand-in never reaches the
    # parameters as it was given, so the queryset is built every time.
    owners: Baked[str] = Baked(
        lambda start: (
            IdempotencyRecord.objects.filter(owner__startswith=start)
            .order_by("pk")
            .values_list("owner", flat=True)
        ),
        start=str,
    )
    assert owners.list(start="org-2") == ["org-22"]
    assert owners.list(start="org-") == ["org-1", "org-22"]
    assert list(owners._plans.values()) == [None]


def test_a_builder_that_reads_the_clock_is_not_baked() -> None:
    """The builder runs twice when baked, with two sets of stand-ins: a value of its own
    that changed in between (the time) is seen, and the read is not baked."""
    _record(1)
    leaky: Baked[str] = Baked(
        lambda scope: IdempotencyRecord.objects.filter(
            scope=scope, created_at__lte=timezone.now()
        ).values_list("owner", flat=True),
        scope=str,
    )
    assert leaky.list(scope="test") == ["org-1"]
    assert list(leaky._plans.values()) == [None]


def test_a_builder_that_reads_other_state_is_caught() -> None:
    """Verification (on in every test) builds each call's queryset the usual way too: a
    builder that depends on more than its parameters is found out when that changes."""
    _record(1, status=201)
    wanted = {"status": 201}
    leaky: Baked[str] = Baked(
        lambda scope: IdempotencyRecord.objects.filter(
            scope=scope, status_code=wanted["status"]
        ).values_list("owner", flat=True),
        scope=str,
    )
    assert leaky.list(scope="test") == ["org-1"]
    wanted["status"] = 409
    with pytest.raises(AssertionError, match="baked query differs from its queryset"):
        leaky.list(scope="test")


def test_parameters_are_the_declared_ones() -> None:
    with pytest.raises(TypeError, match=r"parameters are \['scope', 'since', 'status'\]"):
        BY_SCOPE.list(scope="a", status=201)
    with pytest.raises(TypeError, match="not <class 'float'>"):
        Baked(lambda x: IdempotencyRecord.objects.filter(status_code=x), x=float).list(x=1.0)


def test_past_its_plans_a_read_runs_unbaked(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("ventanilla.core.baked.MAX_PLANS", 2)
    types: Baked[int] = Baked(
        lambda pks: (
            ContentType.objects.filter(pk__in=pks).order_by("pk").values_list("pk", flat=True)
        ),
        pks=Many(int),
    )
    pks = list(ContentType.objects.order_by("pk").values_list("pk", flat=True)[:4])
    for n in range(1, 5):
        assert types.list(pks=pks[:n]) == pks[:n]
    assert len(types._plans) == 2  # lengths 1 and 2 baked; 3 and 4 ran as querysets
