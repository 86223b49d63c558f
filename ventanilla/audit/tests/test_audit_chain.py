"""The audit trail is append-only and tamper-evident: `ventanilla audit verify` names
an edited, a deleted and a reordered event."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from ventanilla.audit.models import AppendOnlyError, AuditEvent
from ventanilla.audit.services import audit_record
from ventanilla.audit.verify import verify_chain

pytestmark = pytest.mark.django_db


def _events(n: int) -> list[AuditEvent]:
    out = []
    for i in range(n):
        with transaction.atomic():
            out.append(
                audit_record(
                    verb="test.done",
                    target=("test.thing", i),
                    by=None,
                    payload={"i": i, "amount": "12.50"},
                )
            )
    return out


def _raw(sql: str, params: list) -> None:
    # Tampering happens below the ORM (the model refuses updates and deletes).
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=table), params)


def _verify_output() -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
    except CommandError as exc:
        err.write(str(exc))
    return out.getvalue(), err.getvalue()


def test_intact_chain_verifies():
    _events(5)
    out, err = _verify_output()
    assert "Audit chain intact: 5 events verified." in out
    assert err == ""


def test_chain_links_each_event_to_the_previous_one():
    events = _events(3)
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash


def test_orm_refuses_update_and_delete():
    event = _events(1)[0]
    event.verb = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(verb="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


@pytest.mark.django_db(transaction=True)
def test_audit_record_requires_a_transaction():
    with pytest.raises(RuntimeError):
        audit_record(verb="x", target=("t", 1), by=None)


def test_verify_catches_tampered_payload():
    events = _events(4)
    _raw("UPDATE {table} SET payload = %s WHERE seq = %s", ['{"i": 2, "amount": "0.01"}', 3])
    count, findings = verify_chain()
    assert count == 4
    assert [(f.seq, f.code) for f in findings] == [(3, "edited")]
    _, err = _verify_output()
    assert "[edited] Event 3 was edited" in err
    assert "Audit chain broken: 1 problem(s) in 4 events." in err
    assert events  # the rows are still there


def test_verify_catches_deleted_event():
    _events(5)
    _raw("DELETE FROM {table} WHERE seq = %s", [2])
    count, findings = verify_chain()
    assert count == 4
    assert [(f.seq, f.code) for f in findings] == [(3, "deleted")]
    _, err = _verify_output()
    assert "[deleted] Events 2 to 2 are missing before event 3." in err


def test_verify_catches_deleted_last_event():
    _events(3)
    _raw("DELETE FROM {table} WHERE seq = %s", [3])
    _count, findings = verify_chain()
    assert [(f.seq, f.code) for f in findings] == [(3, "truncated")]


def test_verify_catches_reordered_events():
    _events(5)
    # Swap the positions of events 2 and 3 (through a free sequence number).
    _raw("UPDATE {table} SET seq = %s WHERE seq = %s", [1000, 2])
    _raw("UPDATE {table} SET seq = %s WHERE seq = %s", [2, 3])
    _raw("UPDATE {table} SET seq = %s WHERE seq = %s", [3, 1000])
    _count, findings = verify_chain()
    codes = {(f.seq, f.code) for f in findings}
    assert (2, "edited") in codes  # its content (seq) no longer matches its hash
    assert (2, "reordered") in codes or (3, "reordered") in codes
    _, err = _verify_output()
    assert "reordered" in err
