"""@idempotent: replay, refusal of a reused key, and one all-or-nothing transaction in
which nested blocks may skip their savepoints."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from ventanilla.core.errors import BusinessError
from ventanilla.core.idempotency import (
    IdempotencyRecord,
    idempotency_purge,
    idempotent,
    nested_savepoint,
)

pytestmark = pytest.mark.django_db

seen: list[bool] = []


class WriteView(APIView):
    """Writes a row in a nested block that opts out of its savepoint, then maybe fails."""

    @idempotent("test.write")
    def post(self, request: Request) -> Response:
        seen.append(nested_savepoint())
        with transaction.atomic(savepoint=nested_savepoint()):
            IdempotencyRecord.objects.create(
                owner="side",
                key=request.data["name"],
                scope="",
                request_hash="",
                status_code=0,
                body={},
            )
            if request.data.get("fail"):
                raise BusinessError.single("refused", "Refused.", "name", http_status=409)
        return Response({"name": request.data["name"]}, status=201)


def _post(body: dict[str, Any], key: str = "k-1") -> Response:
    request = APIRequestFactory().post("/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    force_authenticate(request, user=SimpleNamespace(pk=7, is_authenticated=True))
    return WriteView.as_view()(request)  # type: ignore[no-any-return]


def _side_rows() -> int:
    return IdempotencyRecord.objects.filter(owner="side").count()


def test_same_key_same_body_replays_and_other_body_is_refused():
    first = _post({"name": "a"})
    again = _post({"name": "a"})
    other = _post({"name": "b"})
    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 422)
    assert again["Idempotent-Replayed"] == "true" and again.data == {"name": "a"}
    assert other.data["errors"][0]["code"] == "idempotency_key_reused"
    assert _side_rows() == 1


def test_nested_blocks_skip_savepoints_only_inside_the_idempotent_write():
    seen.clear()
    assert nested_savepoint() is True
    with CaptureQueriesContext(connection) as queries:
        assert _post({"name": "a"}).status_code == 201
    assert seen == [False]
    assert nested_savepoint() is True
    # Only the write's own transaction (a savepoint here: the test runs in a transaction).
    assert sum(q["sql"].startswith("SAVEPOINT") for q in queries.captured_queries) == 1


def test_an_error_in_the_write_leaves_nothing_and_the_key_free():
    refused = _post({"name": "a", "fail": True})
    assert refused.status_code == 409
    assert _side_rows() == 0
    assert not IdempotencyRecord.objects.filter(key="k-1").exists()
    # Usable afterwards, on the same connection, and the key was not spent.
    assert _post({"name": "a", "fail": False}).status_code == 201
    assert _side_rows() == 1


def _record(key: str, age_days: float) -> IdempotencyRecord:
    row = IdempotencyRecord.objects.create(
        owner="u1:o-", key=key, scope="test", request_hash="", status_code=201, body={}
    )
    created = timezone.now() - dt.timedelta(days=age_days)
    IdempotencyRecord.objects.filter(pk=row.pk).update(created_at=created)
    return row


def test_the_purge_forgets_only_keys_older_than_the_window():
    for n in range(5):
        _record(f"old-{n}", 31 + n)
    _record("recent", 29)
    told: list[int] = []
    assert idempotency_purge(older_than=dt.timedelta(days=30), batch=2, progress=told.append) == 5
    assert told == [2, 4, 5]
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["recent"]
    out = StringIO()
    call_command("idempotency_purge", "--days", "1", stdout=out, stderr=StringIO())
    assert out.getvalue().strip() == "deleted 1 idempotency record(s) older than 1 days"
    assert not IdempotencyRecord.objects.exists()
