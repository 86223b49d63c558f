"""Every event writes every index of the trail: it keeps only those its reads use (ADR
0006, seventh session)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from ventanilla.audit.models import AuditEvent
from ventanilla.audit.services import audit_record

pytestmark = pytest.mark.django_db


def _indexed_columns() -> dict[str, tuple[tuple[str, ...], bool]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, AuditEvent._meta.db_table)
    return {
        name: (tuple(c["columns"]), bool(c["unique"]))
        for name, c in found.items()
        if (c["index"] or c["unique"]) and not c["primary_key"]
    }


def test_the_trail_has_one_index_per_read_and_no_pattern_index() -> None:
    columns = sorted(_indexed_columns().values())
    assert columns == [
        (("actor_id",), False),
        (("hash",), True),
        (("occurred_at",), False),
        (("organisation_id",), False),
        (("seq",), True),
        (("target_id",), False),
        (("target_type", "target_id", "seq"), False),
        (("verb",), False),
    ]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
                [AuditEvent._meta.db_table, "%pattern_ops%"],
            )
            assert cursor.fetchone()[0] == 0


def test_two_events_cannot_share_a_hash() -> None:
    with transaction.atomic():
        audit_record(verb="test.one", target=("test", 1), by=None)
    first = AuditEvent.objects.get(verb="test.one")
    clone = AuditEvent(
        seq=first.seq + 100,
        occurred_at=first.occurred_at,
        verb="test.two",
        target_type="test",
        target_id="2",
        prev_hash=first.hash,
        hash=first.hash,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()
    assert AuditEvent.objects.filter(hash=first.hash).count() == 1
