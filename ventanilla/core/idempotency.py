"""Idempotent writes for the APIs: a retried request with the same ``Idempotency-Key``
returns the first response and changes nothing (developers' guide: every retried write
is idempotent). The record is written in the same transaction as the write it guards,
so a crash leaves neither or both.

That transaction is all or nothing: an error leaving the view rolls it back whole, and no
idempotent view catches a service's error to carry on. So a block nested in it needs no
savepoint of its own to be undone alone; blocks whose callers never catch their errors
ask ``nested_savepoint()`` and save the SAVEPOINT/RELEASE round trips. (Should a view
ever catch such an error, the next query fails loudly and nothing is committed.)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from contextvars import ContextVar
from functools import wraps
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.request import Request
from rest_framework.response import Response

from ventanilla.core import bulk
from ventanilla.core.errors import BusinessError, ErrorItem

HEADER = "Idempotency-Key"
MAX_KEY = 100

_all_or_nothing: ContextVar[bool] = ContextVar("idempotent_write", default=False)


def nested_savepoint() -> bool:
    """Whether an atomic block opened now needs its own savepoint: not inside an
    idempotent write (see the module's description); always elsewhere. For
    ``transaction.atomic(savepoint=nested_savepoint())``."""
    return not _all_or_nothing.get()


class IdempotencyRecord(models.Model):
    # Scoped by caller: two organisations may choose the same key.
    owner = models.CharField(max_length=100)
    key = models.CharField(max_length=MAX_KEY)
    scope = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)  # for the purge

    class Meta:
        app_label = "core"
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="idempotency_owner_key")
        ]

    def __str__(self) -> str:
        return f"{self.owner} {self.key}"


def _owner(request: Request) -> str:
    org = getattr(request.user, "token_organisation_id", None)
    return f"u{request.user.pk}:o{org or '-'}"


def _hash_request(request: Request, scope: str) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str)
    return hashlib.sha256(f"{scope}\n{request.method}\n{request.path}\n{body}".encode()).hexdigest()


def idempotent(scope: str) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Decorate a DRF view method. Without the header the call runs normally."""

    def decorator(view: Callable[..., Response]) -> Callable[..., Response]:
        @wraps(view)
        def wrapper(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
            key = request.headers.get(HEADER, "").strip()
            if not key:
                return view(self, request, *args, **kwargs)
            if len(key) > MAX_KEY:
                raise BusinessError(
                    [
                        ErrorItem(
                            "idempotency_key_too_long",
                            _("The Idempotency-Key header may be at most %(n)s characters.")
                            % {"n": MAX_KEY},
                            "Idempotency-Key",
                        )
                    ]
                )
            owner, digest = _owner(request), _hash_request(request, scope)
            found = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
            if found is not None:
                return _replay(found, digest)
            try:
                with transaction.atomic():
                    # Only while the view runs: not in callbacks run on commit.
                    whole = _all_or_nothing.set(True)
                    try:
                        response = view(self, request, *args, **kwargs)
                    finally:
                        _all_or_nothing.reset(whole)
                    if response.status_code < 500:
                        record = IdempotencyRecord(
                            owner=owner,
                            key=key,
                            scope=scope,
                            request_hash=digest,
                            status_code=response.status_code,
                            body=getattr(response, "replay_data", response.data),
                        )
                        bulk.create_many(IdempotencyRecord, [record])
                    if response.status_code >= 400:
                        # Keep the refusal on record but write nothing else.
                        return response
            except IntegrityError:
                # A concurrent retry won the race: answer as it did.
                found = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
                if found is None:
                    raise
                return _replay(found, digest)
            return response

        return wrapper

    return decorator


def _replay(found: IdempotencyRecord, digest: str) -> Response:
    if found.request_hash != digest:
        raise BusinessError(
            [
                ErrorItem(
                    "idempotency_key_reused",
                    _("This Idempotency-Key was already used for a different request."),
                    "Idempotency-Key",
                )
            ],
            http_status=422,
        )
    response = Response(found.body, status=found.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


def form_token_spend(*, user: Any, token: str, scope: str) -> bool:
    """Spend a web form's one-time token in the caller's transaction: ``False`` when it
    was already spent. The session says at once whether a form was sent; this row makes
    it certain when two submissions of the same form arrive together: the second insert
    waits on the unique key until the first transaction ends, and fails if it
    committed. The caller's rollback (a refused form) gives the token back."""
    try:
        with transaction.atomic():
            IdempotencyRecord.objects.create(
                owner=f"u{user.pk}:web",
                key=f"form:{token}"[:MAX_KEY],
                scope=scope,
                request_hash="",
                status_code=200,
                body={},
            )
    except IntegrityError:
        return False
    return True


def idempotency_purge(
    *,
    older_than: dt.timedelta,
    batch: int = 5000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Delete the records older than ``older_than``, ``batch`` rows per transaction (no
    long lock on a busy table); ``progress`` is told the running count. A retry after
    that window is treated as a new request, so the window must be longer than any
    client's retries (the API documentation says how long keys are kept)."""
    cutoff = timezone.now() - older_than
    done = 0
    while True:
        with transaction.atomic():
            ids = list(
                IdempotencyRecord.objects.filter(created_at__lt=cutoff)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch]
            )
            if not ids:
                return done
            IdempotencyRecord.objects.filter(pk__in=ids).delete()
        done += len(ids)
        if progress is not None:
            progress(done)
