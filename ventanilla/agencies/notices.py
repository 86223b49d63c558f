"""Telling the trader, the declarant and the carrier what the agencies do (TFA 5.2: holds
and their end are communicated promptly; TFA 5.3: test results; TFA 10.4: results come
back through the single window).

``notice_send`` hands one notice to the notifications app (imported lazily); tests patch
it. Services call the builders below, which leave the notice to be sent once the change
is committed; inside ``sent_together()`` the notices of a whole batch are handed over in
one ``notify_many``. The params follow ``notifications.kinds``: ``reference`` and ``agency``
(its name) are plain text, labels go in both languages, and no param ever carries an
officer's internal reason or notes — the trader sees the agency and the category.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import Any

import structlog
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from ventanilla.accounts.models import Organisation
from ventanilla.agencies.choices import InspectionResult, ReasonCategory, ReviewStatus
from ventanilla.agencies.models import (
    AgencyReview,
    InformationRequest,
    Inspection,
    InspectionParticipant,
    SecondTestRequest,
)
from ventanilla.declarations.models import TRADE_PARTIES, Declaration

log = structlog.get_logger(__name__)
LANGUAGES = ("en", "es")


# Notices left inside ``sent_together()``: handed over in one after-commit callback.
_together: ContextVar[list[dict[str, Any]] | None] = ContextVar("agencies_notices", default=None)
# Inside that callback: ``notice_send`` gathers the notices for one ``notify_many``.
_handover: ContextVar[list[dict[str, Any]] | None] = ContextVar("agencies_handover", default=None)


def notice_send(
    *,
    organisations: list[Organisation],
    kind: str,
    declaration_id: int | None,
    params: dict[str, Any],
    by: Any | None,
) -> None:
    gathered = _handover.get()
    if gathered is not None:
        gathered.append(
            {
                "organisations": organisations,
                "kind": kind,
                "declaration_id": declaration_id,
                "params": params,
            }
        )
        return
    from ventanilla.notifications.services import notify  # lazily: see the module doc

    notify(
        organisations=organisations, kind=kind, declaration_id=declaration_id, params=params, by=by
    )


def _send(pending: list[dict[str, Any]]) -> None:
    """Hand the notices over once committed: through ``notice_send`` (looked up at call
    time so tests can patch it), in one ``notify_many`` for all of them."""
    token = _handover.set([])
    try:
        for notice in pending:
            notice_send(**notice, by=None)
        gathered = _handover.get() or []
    finally:
        _handover.reset(token)
    if gathered:
        from ventanilla.notifications.services import NoticeRequest, notify_many

        notify_many(notices=[NoticeRequest(**notice) for notice in gathered], by=None)


@contextmanager
def sent_together() -> Iterator[None]:
    """The notices left inside the block are sent after commit in one callback, for a
    fixed number of queries (ADR 0006: a batch of declarations routed at once). Nested
    blocks join the outer one. Only for blocks that let errors propagate."""
    if _together.get() is not None:
        yield
        return
    token = _together.set([])
    try:
        yield
        pending = _together.get() or []
    finally:
        _together.reset(token)
    if pending:
        # Robust: a notice that fails is logged by Django and never undoes the
        # committed decision.
        transaction.on_commit(partial(_send, pending), robust=True)


def _after_commit(
    organisations: Iterable[Organisation | None],
    kind: str,
    declaration: Declaration,
    params: dict[str, Any],
) -> None:
    notice = {
        "organisations": list({o.pk: o for o in organisations if o is not None}.values()),
        "kind": kind,
        "declaration_id": declaration.pk,
        "params": params,
    }
    pending = _together.get()
    if pending is not None:
        pending.append(notice)
    else:
        transaction.on_commit(partial(_send, [notice]), robust=True)


def _movement(declaration: Declaration) -> list[Organisation | None]:
    """Told when goods are held or freed: trader, declarant, carrier and the terminal
    operator holding them (TFA 5.2)."""
    return [getattr(declaration, party) for party in TRADE_PARTIES]


def _declarants(declaration: Declaration) -> list[Organisation | None]:
    """Told of decisions and questions: the trader and the declarant acting for it."""
    return [declaration.trader, declaration.declarant]


def iso(value: dt.datetime | None) -> str | None:
    """A time in the platform's zone, as the parties read it."""
    return timezone.localtime(value).isoformat() if value is not None else None


def both(*labels: Any, sep: str = "; ") -> dict[str, str]:
    """Labels in every language, joined: ``{"en": "...", "es": "..."}``."""
    out = {}
    for code in LANGUAGES:
        with translation.override(code):
            out[code] = sep.join(str(label) for label in labels)
    return out


def _category(code: str) -> Any:
    return ReasonCategory(code or ReasonCategory.OTHER).label


def agency_names(agencies: list[Organisation]) -> dict[str, str]:
    """The agencies' names in every language, joined: ``{"en": "...", "es": "..."}``."""
    return {code: ", ".join(a.name_in(code) for a in agencies) for code in LANGUAGES}


def _base(declaration: Declaration, agencies: list[Organisation]) -> dict[str, Any]:
    return {
        "reference": str(declaration),
        "agency": agency_names(agencies),
        "agency_codes": [a.code for a in agencies],
    }


def inspection_selected(review: AgencyReview, *, expected_at: dt.datetime | None) -> None:
    """TFA 5.2: an agency holds the goods for inspection — who, why, when and where."""
    declaration = review.declaration
    location = (
        declaration.discharge_location or declaration.loading_location or declaration.office_code
    )
    _after_commit(
        _movement(declaration),
        "inspection_selected",
        declaration,
        {
            **_base(declaration, [review.agency]),
            "review_id": review.pk,
            "reason_category": both(_category(review.reason_category)),
            "reason_category_code": review.reason_category or ReasonCategory.OTHER,
            "expected_at": iso(expected_at or review.due_at or timezone.now()),
            "location": location,
        },
    )


def goods_detained(inspection: Inspection, participants: list[InspectionParticipant]) -> None:
    """The joint appointment is booked: the goods are held until it ends (TFA 5.2, 8)."""
    declaration = inspection.declaration
    end = inspection.scheduled_at + dt.timedelta(minutes=inspection.duration_minutes)
    categories = [_category(p.review.reason_category) for p in participants]
    _after_commit(
        _movement(declaration),
        "goods_detained",
        declaration,
        {
            **_base(declaration, [p.agency for p in participants]),
            "reason_category": both(*categories),
            "expected_at": iso(end),
            "inspection_id": inspection.pk,
            "scheduled_at": iso(inspection.scheduled_at),
            "location": inspection.location,
            "place": inspection.place,
        },
    )


def inspection_ended(inspection: Inspection, participants: list[InspectionParticipant]) -> None:
    """Once, when the last agency has recorded its result (TFA 5.1, 5.2)."""
    declaration = inspection.declaration
    results: dict[str, str] = {}
    for code in LANGUAGES:
        with translation.override(code):
            results[code] = "; ".join(
                f"{p.agency.name_in(code)}: {InspectionResult(p.result).label}"
                for p in participants
            )
    _after_commit(
        _movement(declaration),
        "inspection_ended",
        declaration,
        {
            **_base(declaration, [p.agency for p in participants]),
            "result": results,
            "inspection_id": inspection.pk,
            "ended_at": iso(inspection.ended_at),
            "results": [{"agency_code": p.agency.code, "result": p.result} for p in participants],
        },
    )


def information_requested(review: AgencyReview, request: InformationRequest) -> None:
    declaration = review.declaration
    _after_commit(
        _declarants(declaration),
        "information_requested",
        declaration,
        {
            **_base(declaration, [review.agency]),
            "review_id": review.pk,
            "request_id": request.pk,
            "message": request.message,
        },
    )


def review_decided(review: AgencyReview, *, second_test_available: bool) -> None:
    """TFA 4, 10.4: the decision and its category, never the officer's words."""
    declaration = review.declaration
    params = {
        **_base(declaration, [review.agency]),
        "review_id": review.pk,
        "decision": both(ReviewStatus(review.status).label),
        "decision_code": review.status,
        "second_test_available": second_test_available,
    }
    if review.reason_category:
        params["reason_category"] = both(_category(review.reason_category))
        params["reason_category_code"] = review.reason_category
    _after_commit(_declarants(declaration), "review_decided", declaration, params)


def second_test_result(request: SecondTestRequest, review: AgencyReview) -> None:
    declaration = review.declaration
    label = _("Adverse result") if request.adverse else _("Favourable result")
    _after_commit(
        _declarants(declaration),
        "second_test_result",
        declaration,
        {
            **_base(declaration, [request.sample.participant.agency]),
            "review_id": review.pk,
            "result": both(label),
            "adverse": bool(request.adverse),
            "second_test_id": request.pk,
            "sample_reference": request.sample.reference,
        },
    )
