"""Electronic payment through the sandbox provider (TFA 7.2): asynchronous confirmation,
failure, duplicate callbacks, forged callbacks, idempotent start."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from ventanilla.accounts.tests.factories import member
from ventanilla.audit.models import AuditEvent
from ventanilla.core.errors import BusinessError
from ventanilla.declarations.models import MilestoneEvent
from ventanilla.payments import services
from ventanilla.payments.models import Payment, PaymentEvent
from ventanilla.payments.providers import sandbox
from ventanilla.payments.providers.base import ProviderSession, ProviderUnavailable
from ventanilla.payments.selectors import financial_state, payment_receipt
from ventanilla.payments.tests.factories import assessed_case, signed_callback

pytestmark = pytest.mark.django_db
D = Decimal


def _codes(exc: pytest.ExceptionInfo[BusinessError]) -> list[tuple[str, str | None, int]]:
    return [(e.code, e.field, exc.value.http_status) for e in exc.value.items]


def _verbs() -> list[str]:
    return list(
        AuditEvent.objects.filter(verb__startswith="payment.")
        .order_by("seq")
        .values_list("verb", flat=True)
    )


def test_tfa_7_2_sandbox_confirms_asynchronously(django_capture_on_commit_callbacks, signals):
    case = assessed_case("1234.56")

    with django_capture_on_commit_callbacks() as callbacks:
        payment = services.payment_start(
            declaration=case.declaration, by=case.trader, idempotency_key="k-1"
        )
    # The provider answered "pending"; its confirmation is a task run after commit.
    assert (payment.status, payment.attempts, payment.amount, payment.currency) == (
        "pending",
        1,
        D("1234.56"),
        "PEN",
    )
    assert payment.provider_reference == sandbox.provider_reference(payment)
    assert payment.redirect_url.endswith(payment.provider_reference)
    assert (len(callbacks), PaymentEvent.objects.count(), signals) == (1, 0, [])

    callbacks[0]()  # the immediate task backend delivers the signed callback now

    payment.refresh_from_db()
    state = financial_state(declaration=case.declaration)
    receipt = payment_receipt(payment=payment)
    assert payment.status == "confirmed"
    assert [
        (e.signature_valid, e.duplicate, e.applied, e.outcome) for e in payment.events.all()
    ] == [(True, False, True, "confirmed")]
    assert signals == [(payment, case.declaration)]
    assert (
        state.amount_due,
        state.paid,
        state.outstanding,
        state.settled_for_release,
        state.payment_status,
    ) == (D("1234.56"), D("1234.56"), D("0"), True, "confirmed")
    assert receipt is not None
    assert (receipt.reference, receipt.amount, receipt.confirmed_at) == (
        payment.reference,
        D("1234.56"),
        payment.confirmed_at,
    )
    assert (
        MilestoneEvent.objects.filter(declaration=case.declaration, milestone="payment").count()
        == 1
    )
    assert _verbs() == ["payment.initiated", "payment.pending", "payment.confirmed"]


def test_tfa_7_2_failed_payment_is_recorded_and_a_new_one_may_start(
    django_capture_on_commit_callbacks, signals
):
    case = assessed_case("500.13")  # the sandbox refuses amounts ending in .13

    with django_capture_on_commit_callbacks(execute=True):
        payment = services.payment_start(
            declaration=case.declaration, by=case.broker, idempotency_key="k-1"
        )
    payment.refresh_from_db()

    assert (payment.status, payment.last_error, payment.payer) == (
        "failed",
        "card declined (sandbox)",
        case.declaration.declarant,
    )
    assert payment.failed_at is not None
    assert signals == [(payment, case.declaration)]
    assert financial_state(declaration=case.declaration).settled_for_release is False
    assert not MilestoneEvent.objects.filter(milestone="payment").exists()
    retry = services.payment_start(
        declaration=case.declaration, by=case.broker, idempotency_key="k-2"
    )
    assert retry.pk != payment.pk


def test_tfa_7_2_duplicate_callback_confirms_once(django_capture_on_commit_callbacks, signals):
    case = assessed_case("980.42")  # the sandbox delivers .42 callbacks twice

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        payment = services.payment_start(
            declaration=case.declaration, by=case.trader, idempotency_key="k-1"
        )
    payment.refresh_from_db()

    assert len(callbacks) == 2
    assert payment.status == "confirmed"
    assert [(e.applied, e.duplicate) for e in payment.events.all()] == [
        (True, False),
        (False, True),
    ]
    assert len(signals) == 1
    assert _verbs().count("payment.confirmed") == 1
    assert financial_state(declaration=case.declaration).paid == D("980.42")


def test_tfa_7_2_bad_signature_is_refused_and_changes_nothing(silent_sandbox, signals):
    case = assessed_case()
    payment = services.payment_start(
        declaration=case.declaration, by=case.trader, idempotency_key="k-1"
    )
    _headers, body = signed_callback(payment)
    audit_before = AuditEvent.objects.count()

    for headers in ({sandbox.SIGNATURE_HEADER: "0" * 64}, {}):
        with pytest.raises(BusinessError) as refused:
            services.payment_callback_handle(provider_code="sandbox", headers=headers, body=body)
        assert _codes(refused) == [("bad_signature", None, 400)]
    with pytest.raises(BusinessError) as garbage:
        services.payment_callback_handle(
            provider_code="sandbox", headers={}, body=b"\xff\x00not json"
        )
    assert _codes(garbage) == [("bad_signature", None, 400)]

    payment.refresh_from_db()
    assert payment.status == "pending"
    assert AuditEvent.objects.count() == audit_before
    assert signals == []
    # The forged callbacks naming our payment are kept for investigation; garbage is not.
    assert [(e.signature_valid, e.applied, e.error_code) for e in PaymentEvent.objects.all()] == [
        (False, False, "bad_signature"),
        (False, False, "bad_signature"),
    ]


def test_tfa_7_2_callback_with_another_amount_is_refused(silent_sandbox):
    case = assessed_case("100.00")
    payment = services.payment_start(
        declaration=case.declaration, by=case.trader, idempotency_key="k-1"
    )
    payment.amount = D("1.00")  # what a tampered gateway message would say
    headers, body = signed_callback(payment)

    with pytest.raises(BusinessError) as refused:
        services.payment_callback_handle(provider_code="sandbox", headers=headers, body=body)

    payment.refresh_from_db()
    assert _codes(refused) == [("amount_mismatch", None, 400)]
    assert (payment.status, payment.amount) == ("pending", D("100.00"))
    assert list(PaymentEvent.objects.values_list("signature_valid", "applied", "error_code")) == [
        (True, False, "amount_mismatch")
    ]


def test_tfa_7_2_same_idempotency_key_returns_the_same_payment(silent_sandbox):
    case = assessed_case()
    other = assessed_case(trader=case.declaration.trader)

    first = services.payment_start(
        declaration=case.declaration, by=case.trader, idempotency_key="k-1"
    )
    again = services.payment_start(
        declaration=case.declaration, by=case.trader, idempotency_key="k-1"
    )
    with pytest.raises(BusinessError) as reused:
        services.payment_start(declaration=other.declaration, by=case.trader, idempotency_key="k-1")
    with pytest.raises(BusinessError) as missing:
        services.payment_start(declaration=case.declaration, by=case.trader, idempotency_key=" ")

    assert (again.pk, first.replayed, again.replayed) == (first.pk, False, True)
    assert Payment.objects.count() == 1
    assert _verbs() == ["payment.initiated", "payment.pending"]
    assert _codes(reused) == [("idempotency_key_reused", "Idempotency-Key", 422)]
    assert _codes(missing) == [("idempotency_key_required", "Idempotency-Key", 400)]


def test_tfa_7_2_refused_when_nothing_is_due_or_already_paid_or_in_progress(
    django_capture_on_commit_callbacks, settings
):
    zero = assessed_case("0.00")
    unassessed = assessed_case()
    unassessed.assessment.delete()
    busy = assessed_case()
    paid = assessed_case()

    refusals = {}
    for name, case in (("zero", zero), ("unassessed", unassessed)):
        with pytest.raises(BusinessError) as refused:
            services.payment_start(
                declaration=case.declaration, by=case.trader, idempotency_key="k"
            )
        refusals[name] = _codes(refused)
    settings.VENTANILLA_PAYMENT_SANDBOX_OUTCOME = "silent"
    services.payment_start(declaration=busy.declaration, by=busy.trader, idempotency_key="k")
    with pytest.raises(BusinessError) as in_progress:
        services.payment_start(declaration=busy.declaration, by=busy.broker, idempotency_key="k")
    settings.VENTANILLA_PAYMENT_SANDBOX_OUTCOME = None
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_start(declaration=paid.declaration, by=paid.trader, idempotency_key="k")
    with pytest.raises(BusinessError) as already:
        services.payment_start(declaration=paid.declaration, by=paid.trader, idempotency_key="k2")

    assert refusals == {
        "zero": [("nothing_due", None, 409)],
        "unassessed": [("not_assessed", None, 409)],
    }
    assert _codes(in_progress) == [("payment_in_progress", None, 409)]
    assert _codes(already) == [("already_paid", None, 409)]
    assert Payment.objects.count() == 2


def test_tfa_7_2_only_the_trader_or_its_broker_may_pay():
    case = assessed_case()
    carrier = member("carrier_operator", case.declaration.carrier)
    stranger = member("trader_admin")

    for user in (carrier, stranger):
        with pytest.raises(BusinessError) as refused:
            services.payment_start(declaration=case.declaration, by=user, idempotency_key="k")
        assert _codes(refused) == [("forbidden", None, 403)]
    assert Payment.objects.count() == 0
    assert _verbs() == []


def test_tfa_7_2_stale_payment_expires_and_a_late_confirmation_is_still_taken(silent_sandbox):
    case = assessed_case()
    payment = services.payment_start(
        declaration=case.declaration, by=case.trader, idempotency_key="k-1"
    )
    Payment.objects.filter(pk=payment.pk).update(
        initiated_at=timezone.now() - dt.timedelta(minutes=31)
    )

    assert services.payments_expire_stale(by=None) == 1
    payment.refresh_from_db()
    assert payment.status == "expired"
    headers, body = signed_callback(payment)
    services.payment_callback_handle(provider_code="sandbox", headers=headers, body=body)

    payment.refresh_from_db()
    assert payment.status == "confirmed"  # the money was taken: recorded, not lost
    assert services.payments_expire_stale(by=None) == 0


class BrokenProvider:
    code = "sandbox"
    calls = 0

    def start(self, payment):  # type: ignore[no-untyped-def]
        BrokenProvider.calls += 1
        if BrokenProvider.calls == 1:
            raise ProviderUnavailable("connection reset")
        return ProviderSession(reference="BRK-1", redirect_url="https://pay.example/BRK-1")

    def verify_callback(self, headers, body):  # type: ignore[no-untyped-def]
        raise NotImplementedError


def test_tfa_7_2_provider_outage_is_recorded_and_the_same_key_retries(settings):
    settings.VENTANILLA_PAYMENT_PROVIDERS = {
        "sandbox": "ventanilla.payments.tests.test_payments.BrokenProvider"
    }
    case = assessed_case()

    with pytest.raises(BusinessError) as outage:
        services.payment_start(declaration=case.declaration, by=case.trader, idempotency_key="k-1")
    payment = Payment.objects.get()
    assert _codes(outage) == [("provider_unavailable", None, 503)]
    assert (payment.status, payment.attempts, payment.last_error) == (
        "initiated",
        1,
        "ProviderUnavailable: connection reset",
    )

    retried = services.payment_start(
        declaration=case.declaration, by=case.trader, idempotency_key="k-1"
    )

    assert (retried.pk, retried.status, retried.attempts, retried.provider_reference) == (
        payment.pk,
        "pending",
        2,
        "BRK-1",
    )
