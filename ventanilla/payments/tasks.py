"""Background work of the payments app. Tasks take ids and are idempotent."""

from __future__ import annotations

from django_tasks import task

from ventanilla.payments.models import Payment
from ventanilla.payments.providers import sandbox


@task()
def sandbox_callback_deliver(payment_id: int) -> str:
    """The sandbox provider tells us the outcome of a payment, as a gateway's webhook
    would: a signed callback to the service behind the HTTP callback endpoint. Running
    it twice delivers the same event twice, which the service records as a duplicate."""
    from ventanilla.payments.services import payment_callback_handle

    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None:
        return "unknown payment"
    outcome, _deliveries = sandbox.outcome_for(payment)
    if outcome == "silent":
        return "silent"
    body = sandbox.callback_body(payment, outcome)
    payment = payment_callback_handle(
        provider_code=sandbox.CODE,
        headers={sandbox.SIGNATURE_HEADER: sandbox.sign(body)},
        body=body,
    )
    return payment.status


@task()
def payments_expire_stale_task() -> int:
    """Expire payments left open at the provider longer than the expiry delay."""
    from ventanilla.payments.services import payments_expire_stale

    return payments_expire_stale(by=None)
