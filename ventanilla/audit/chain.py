"""The hash chain: the canonical form of an event and its digest."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder


def canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(
        fields, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


def event_fields(
    *,
    seq: int,
    occurred_at: str,
    actor_id: int | None,
    actor_label: str,
    organisation_id: int | None,
    verb: str,
    target_type: str,
    target_id: str,
    payload: Any,
    request_id: str,
) -> dict[str, Any]:
    return {
        "seq": seq,
        "occurred_at": occurred_at,
        "actor_id": actor_id,
        "actor_label": actor_label,
        "organisation_id": organisation_id,
        "verb": verb,
        "target_type": target_type,
        "target_id": target_id,
        "payload": payload,
        "request_id": request_id,
    }


def digest(prev_hash: str, fields: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical(fields)).hexdigest()
