"""Electronic payment of duties through a provider (TFA 7.2).

``payment_start`` never holds a database transaction across the call to the provider:
one transaction records the payment (initiated), the provider is called, a second
transaction records the session (pending) or the failed attempt. Each transaction has
its audit event. The outcome arrives by callback, through ``payment_callback_handle``
(the HTTP endpoint and the sandbox's task alike).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ventanilla.accounts.models import Organisation
from ventanilla.accounts.selectors import acting_organisation_ids
from ventanilla.audit.services import audit_record
from ventanilla.declarations.choices import Milestone, MilestoneSource
from ventanilla.declarations.models import Declaration
from ventanilla.declarations.status import milestone_record
from ventanilla.duties.selectors import assessment_latest
from ventanilla.payments import rules
from ventanilla.payments.choices import OPEN_STATUSES, PAYMENT_TRANSITIONS, PaymentStatus
from ventanilla.payments.models import Payment, PaymentEvent
from ventanilla.payments.providers import default_provider_code, provider_get
from ventanilla.payments.providers.base import CallbackData, CallbackRejected
from ventanilla.payments.selectors import financial_state
from ventanilla.payments.services.guarantee import reconcile_in_transaction
from ventanilla.payments.signals import payment_state_changed

log = logging.getLogger(__name__)
PAY = "payments.pay_duties"
MAX_BODY = 65_536
KEPT_HEADERS = ("content-type", "user-agent", "x-")  # never cookies nor authorization


def _expiry() -> dt.timedelta:
    return dt.timedelta(minutes=int(getattr(settings, "VENTANILLA_PAYMENT_EXPIRY_MINUTES", 30)))


def _payer(by: Any, declaration: Declaration) -> Organisation:
    """The trader or its declarant (broker) that ``by`` acts for, with the permission."""
    ids = set(acting_organisation_ids(user=by))
    for org in (declaration.trader, declaration.declarant):
        if org.pk in ids and by.has_perm(PAY, org):
            return org
    raise rules.Forbidden.refuse()


def _expire(payment: Payment, by: Any | None, now: dt.datetime) -> None:
    payment.status = PaymentStatus.EXPIRED
    payment.expired_at = now
    payment.save(update_fields=["status", "expired_at", "updated_at"])
    audit_record(
        verb="payment.expired",
        target=payment,
        by=by,
        organisation=payment.payer,
        payload={"reference": payment.reference},
    )


def _expire_stale(declaration: Declaration, by: Any | None, now: dt.datetime) -> None:
    stale = Payment.objects.select_for_update().filter(
        declaration=declaration, status__in=OPEN_STATUSES, initiated_at__lt=now - _expiry()
    )
    for payment in stale:
        _expire(payment, by, now)


@transaction.atomic
def _initiate(
    *, declaration: Declaration, by: Any, idempotency_key: str, provider_code: str
) -> Payment:
    declaration = (
        Declaration.objects.select_for_update()
        .select_related("trader", "declarant")
        .get(pk=declaration.pk)
    )
    payer = _payer(by, declaration)
    existing = Payment.objects.filter(payer=payer, idempotency_key=idempotency_key).first()
    if existing is not None:
        if existing.declaration_id != declaration.pk:
            raise rules.IdempotencyKeyReused.refuse("Idempotency-Key")
        existing.replayed = True
        return existing
    now = timezone.now()
    _expire_stale(declaration, by, now)
    assessment = assessment_latest(declaration=declaration)
    if assessment is None:
        raise rules.NotAssessed.refuse()
    if assessment.payments.filter(status=PaymentStatus.CONFIRMED).exists():
        raise rules.AlreadyPaid.refuse()
    state = financial_state(declaration=declaration, assessment=assessment)
    if state.outstanding <= 0:
        raise rules.NothingDue.refuse()
    if Payment.objects.filter(declaration=declaration, status__in=OPEN_STATUSES).exists():
        raise rules.PaymentInProgress.refuse()
    reference = f"PAY-{secrets.token_hex(6).upper()}"
    payment = Payment.objects.create(
        reference=reference,
        declaration=declaration,
        assessment=assessment,
        payer=payer,
        amount=state.outstanding,
        currency=state.currency,
        provider_code=provider_code,
        idempotency_key=idempotency_key,
        initiated_at=now,
        created_by=by,
        request_payload={
            "reference": reference,
            "amount": str(state.outstanding),
            "currency": state.currency,
            "declaration": str(declaration),
        },
    )
    audit_record(
        verb="payment.initiated",
        target=payment,
        by=by,
        organisation=payer,
        payload={
            "reference": reference,
            "declaration": declaration.pk,
            "assessment": assessment.number,
            "amount": str(payment.amount),
            "currency": payment.currency,
            "provider": provider_code,
        },
    )
    return payment


def payment_start(
    *, declaration: Declaration, by: Any, idempotency_key: str, provider_code: str | None = None
) -> Payment:
    """Start paying what is due on the declaration (the trader or its broker). The same
    key returns the same payment (``payment.replayed``); refused when nothing is due, a
    confirmed payment of the current assessment exists or another payment is open."""
    key = (idempotency_key or "").strip()
    if not key or len(key) > 100:
        raise rules.IdempotencyKeyRequired.refuse("Idempotency-Key")
    code = provider_code or default_provider_code()
    provider = provider_get(code)
    if provider is None:
        raise rules.UnknownProvider.refuse("provider")
    payment = _initiate(declaration=declaration, by=by, idempotency_key=key, provider_code=code)
    replayed = payment.replayed
    if payment.status != PaymentStatus.INITIATED or payment.provider_reference:
        return payment
    try:
        session = provider.start(payment)
    except Exception as exc:  # any adapter failure: record it, the caller may retry
        log.warning(
            "payment provider start failed", extra={"payment": payment.reference, "provider": code}
        )
        with transaction.atomic():
            payment = Payment.objects.select_for_update().get(pk=payment.pk)
            payment.attempts += 1
            payment.last_error = f"{type(exc).__name__}: {exc}"[:300]
            payment.save(update_fields=["attempts", "last_error", "updated_at"])
            audit_record(
                verb="payment.start_failed",
                target=payment,
                by=by,
                organisation=payment.payer,
                payload={"reference": payment.reference, "attempts": payment.attempts},
            )
        raise rules.ProviderUnavailable.refuse() from exc
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        payment.attempts += 1
        payment.provider_reference = payment.provider_reference or session.reference
        payment.redirect_url = session.redirect_url
        payment.last_error = ""
        if payment.status == PaymentStatus.INITIATED:  # a fast callback may have come first
            payment.status = PaymentStatus.PENDING
            payment.pending_at = timezone.now()
        payment.save()
        audit_record(
            verb="payment.pending",
            target=payment,
            by=by,
            organisation=payment.payer,
            payload={
                "reference": payment.reference,
                "provider_reference": payment.provider_reference,
                "status": payment.status,
            },
        )
    payment.replayed = replayed
    return payment


# --- callbacks -----------------------------------------------------------------------------


def _kept_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {
        str(k): str(v)[:500] for k, v in headers.items() if str(k).lower().startswith(KEPT_HEADERS)
    }


def _rejected(
    provider_code: str, headers: Mapping[str, str], body: bytes, exc: CallbackRejected
) -> None:
    """Keep a rejected callback only when it names one of our payments (a forgery
    attempt worth investigating); anonymous garbage writes nothing, only a log line."""

    log.warning(
        "payment callback rejected",
        extra={"provider": provider_code, "code": exc.code, "length": len(body)},
    )
    try:
        reference = str(json.loads(body).get("merchant_reference", ""))[:24]
    except (ValueError, TypeError, AttributeError, RecursionError):
        return
    payment = Payment.objects.filter(provider_code=provider_code, reference=reference).first()
    if payment is None:
        return
    with transaction.atomic():
        PaymentEvent.objects.create(
            payment=payment,
            provider_code=provider_code,
            headers=_kept_headers(headers),
            body=body.decode("utf-8", errors="replace")[:MAX_BODY],
            signature_valid=exc.code != "bad_signature",
            error_code=exc.code,
        )


def _apply(payment: Payment, data: CallbackData, event: PaymentEvent) -> None:
    declaration = payment.declaration
    if data.outcome == PaymentStatus.CONFIRMED:
        payment.status = PaymentStatus.CONFIRMED
        payment.confirmed_at = data.occurred_at
    else:
        payment.status = PaymentStatus.FAILED
        payment.failed_at = data.occurred_at
        payment.last_error = data.reason[:300]
    payment.provider_reference = payment.provider_reference or data.provider_reference
    payment.save()
    event.applied = True
    event.save()  # the partial unique index makes a concurrent second application fail
    audit_record(
        verb=f"payment.{payment.status}",
        target=payment,
        by=None,
        organisation=payment.payer,
        payload={
            "reference": payment.reference,
            "event": data.event_id,
            "amount": str(payment.amount),
            "currency": payment.currency,
        },
    )
    if payment.status == PaymentStatus.CONFIRMED:
        # TFA 7.3.4: a guarantee is discharged when no longer required.
        reconcile_in_transaction(declaration, by=None)
        if financial_state(declaration=declaration).settled_for_release:
            milestone_record(
                declaration=declaration,
                milestone=Milestone.PAYMENT,
                at=payment.confirmed_at,
                source=MilestoneSource.PAYMENTS,
            )
    payment_state_changed.send(sender=Payment, payment=payment, declaration=declaration)


def payment_callback_handle(
    *, provider_code: str, headers: Mapping[str, str], body: bytes
) -> Payment:
    """Verify, record and apply a provider's callback. A bad signature is refused
    (``bad_signature``) and changes nothing; a duplicate is recorded and changes
    nothing; a callback that the transition table refuses is recorded, not applied."""
    provider = provider_get(provider_code)
    if provider is None:
        raise rules.UnknownProvider.refuse()
    try:
        data = provider.verify_callback(headers, body)
    except CallbackRejected as exc:
        _rejected(provider_code, headers, body, exc)
        rule = rules.BadSignature if exc.code == "bad_signature" else rules.BadPayload
        raise rule.refuse() from exc
    found = Payment.objects.filter(
        provider_code=provider_code, reference=data.merchant_reference
    ).first()
    refusal = None
    with transaction.atomic():
        payment = None
        if found is not None:  # lock order: declaration, then payment
            Declaration.objects.select_for_update().filter(pk=found.declaration_id).first()
            payment = (
                Payment.objects.select_for_update()
                .select_related("declaration", "payer")
                .get(pk=found.pk)
            )
        event = PaymentEvent(
            payment=payment,
            provider_code=provider_code,
            event_id=data.event_id,
            outcome=data.outcome,
            headers=_kept_headers(headers),
            body=body.decode("utf-8", errors="replace")[:MAX_BODY],
            signature_valid=True,
        )
        if payment is None:
            event.error_code = rules.UnknownPayment.code
            refusal = rules.UnknownPayment.refuse()
        elif data.amount != payment.amount or data.currency != payment.currency:
            event.error_code = rules.AmountMismatch.code
            refusal = rules.AmountMismatch.refuse()
        elif (
            payment.status == data.outcome
            or PaymentEvent.objects.filter(
                provider_code=provider_code, event_id=data.event_id, applied=True
            ).exists()
        ):
            event.duplicate = True
        elif data.outcome not in PAYMENT_TRANSITIONS[PaymentStatus(payment.status)]:
            event.error_code = "transition_refused"
        else:
            _apply(payment, data, event)
        if event.pk is None:
            event.save()
    if refusal is not None:
        raise refusal
    assert payment is not None
    return payment


# --- expiry ----------------------------------------------------------------------------


@transaction.atomic
def payment_expire(*, payment: Payment, by: Any | None) -> Payment:
    """Close a payment left open at the provider (a late confirmation is still taken)."""
    payment = Payment.objects.select_for_update().select_related("payer").get(pk=payment.pk)
    if PaymentStatus.EXPIRED in PAYMENT_TRANSITIONS[PaymentStatus(payment.status)]:
        _expire(payment, by, timezone.now())
    return payment


def payments_expire_stale(*, by: Any | None, now: dt.datetime | None = None) -> int:
    """Expire every payment open longer than ``VENTANILLA_PAYMENT_EXPIRY_MINUTES``."""
    cutoff = (now or timezone.now()) - _expiry()
    ids = list(
        Payment.objects.filter(status__in=OPEN_STATUSES, initiated_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
    for pk in ids:
        payment_expire(payment=Payment(pk=pk), by=by)
    return len(ids)
