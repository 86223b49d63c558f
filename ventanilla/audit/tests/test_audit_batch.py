"""audit_batch(): the events of a use case appended at its end with one chain-head lock,
in order, chained exactly as if appended one by one."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from ventanilla.audit.models import AuditChainHead, AuditEvent
from ventanilla.audit.services import audit_batch, audit_record
from ventanilla.audit.verify import verify_chain

pytestmark = pytest.mark.django_db


def _record(i: int) -> None:
    audit_record(verb="test.done", target=("test.thing", i), by=None, payload={"i": i})


def test_a_batch_costs_three_queries_whatever_its_size(django_assert_num_queries):
    with transaction.atomic():
        _record(0)  # the chain and its head exist
    # Lock the head, insert the events, move the head.
    with django_assert_num_queries(3), audit_batch(savepoint=False):
        for i in range(1, 8):
            _record(i)
    assert verify_chain() == (8, [])
    head = AuditChainHead.objects.get()
    last = AuditEvent.objects.order_by("seq").last()
    assert last is not None and (head.last_seq, head.last_hash) == (8, last.hash)
    assert [e.payload["i"] for e in AuditEvent.objects.order_by("seq")] == list(range(8))


def test_without_savepoint_it_joins_the_callers_transaction():
    AuditChainHead.objects.get_or_create(id=1)
    with CaptureQueriesContext(connection) as queries, audit_batch(savepoint=False):
        _record(1)
    assert not any(q["sql"].startswith("SAVEPOINT") for q in queries.captured_queries)
    assert verify_chain() == (1, [])


def test_an_error_in_the_batch_appends_nothing():
    with pytest.raises(RuntimeError), audit_batch():
        _record(1)
        raise RuntimeError("the use case failed")
    assert AuditEvent.objects.count() == 0
    with transaction.atomic():
        _record(2)
    assert verify_chain() == (1, [])


def test_nested_batches_join_the_outer_one():
    with audit_batch():
        _record(1)
        with audit_batch(savepoint=False):
            _record(2)
        assert AuditEvent.objects.count() == 0
    assert [e.payload["i"] for e in AuditEvent.objects.order_by("seq")] == [1, 2]
    assert verify_chain() == (2, [])


@pytest.mark.django_db(transaction=True)
def test_a_write_run_on_commit_of_a_batch_is_audited_on_its_own():
    # An agency's decision tells the trader after commit; when the batch is the outermost
    # transaction its callbacks run as it commits, and their events must not be dropped.
    def after_commit() -> None:
        with transaction.atomic():
            _record(2)

    with audit_batch():
        _record(1)
        transaction.on_commit(after_commit)
    assert [e.payload["i"] for e in AuditEvent.objects.order_by("seq")] == [1, 2]
    assert verify_chain() == (2, [])
