"""Checking the chain. Reads events in ``seq`` order and recomputes every hash."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

from ventanilla.audit.chain import digest, event_fields
from ventanilla.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent


@dataclass(frozen=True)
class Finding:
    seq: int
    code: str  # "edited", "deleted", "reordered", "truncated"
    message: str


def _rows() -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("seq").iterator(chunk_size=2000)


def verify_chain() -> tuple[int, list[Finding]]:
    """Return (events checked, findings). An empty list means the chain is intact.

    - edited: the stored hash no longer matches the event's own content;
    - deleted: a sequence number is missing (the next event's link points past it);
    - reordered: the event's link points at an event other than its predecessor;
    - truncated: events at the end of the chain are gone (the head remembers more).
    """
    findings: list[Finding] = []
    expected_prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    seen_hashes: dict[str, int] = {}
    for event in _rows():
        count += 1
        fields = event_fields(
            seq=event.seq,
            occurred_at=event.occurred_at.isoformat(),
            actor_id=event.actor_id,
            actor_label=event.actor_label,
            organisation_id=event.organisation_id,
            verb=event.verb,
            target_type=event.target_type,
            target_id=event.target_id,
            payload=event.payload,
            request_id=event.request_id,
        )
        if digest(event.prev_hash, fields) != event.hash:
            findings.append(
                Finding(
                    event.seq,
                    "edited",
                    _("Event %(seq)s was edited: its content no longer matches its hash.")
                    % {"seq": event.seq},
                )
            )
        if event.seq != expected_seq:
            findings.append(
                Finding(
                    event.seq,
                    "deleted",
                    _("Events %(first)s to %(last)s are missing before event %(seq)s.")
                    % {"first": expected_seq, "last": event.seq - 1, "seq": event.seq},
                )
            )
        elif event.prev_hash != expected_prev:
            code = "reordered" if event.prev_hash in seen_hashes else "edited"
            findings.append(
                Finding(
                    event.seq,
                    code,
                    _(
                        "Event %(seq)s does not follow event %(prev)s: the chain was reordered or "
                        "rewritten here."
                    )
                    % {"seq": event.seq, "prev": event.seq - 1},
                )
            )
        seen_hashes[event.hash] = event.seq
        expected_prev = event.hash
        expected_seq = event.seq + 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head and head.last_seq >= expected_seq:
        findings.append(
            Finding(
                head.last_seq,
                "truncated",
                _("Events %(first)s to %(last)s at the end of the chain are missing.")
                % {"first": expected_seq, "last": head.last_seq},
            )
        )
    return count, findings
