"""The provider callback over real HTTP (a live server, a real socket): a signed callback
confirms the payment; a forged one gets a 400 with the error shape and changes nothing."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from django.urls import reverse

from ventanilla.declarations.models import MilestoneEvent
from ventanilla.payments import services
from ventanilla.payments.models import Payment, PaymentEvent
from ventanilla.payments.providers import sandbox
from ventanilla.payments.tests.factories import assessed_case, signed_callback


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
    # The live test server's http:// URL, never a user-supplied one.
    request = urllib.request.Request(  # noqa: S310
        url, data=body, method="POST", headers={"Content-Type": "application/json", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.django_db(transaction=True)
def test_tfa_7_2_signed_callback_over_http_confirms_forged_one_is_refused(live_server, settings):
    settings.VENTANILLA_PAYMENT_SANDBOX_OUTCOME = "silent"
    case = assessed_case("2500.00")
    payment = services.payment_start(
        declaration=case.declaration, by=case.trader, idempotency_key="http-1"
    )
    url = live_server.url + reverse("api-payments-callback", args=["sandbox"])
    headers, body = signed_callback(payment)

    forged = _post(url, body, {sandbox.SIGNATURE_HEADER: sandbox.sign(b"other body")})
    payment.refresh_from_db()
    assert forged == (
        400,
        {
            "errors": [
                {
                    "code": "bad_signature",
                    "field": None,
                    "message": "The callback's signature is missing or invalid.",
                }
            ]
        },
    )
    assert payment.status == "pending"

    first = _post(url, body, headers)
    duplicate = _post(url, body, headers)

    payment.refresh_from_db()
    assert first == (200, {"received": True, "reference": payment.reference, "status": "confirmed"})
    assert duplicate == first
    assert payment.status == "confirmed"
    assert list(
        PaymentEvent.objects.order_by("pk").values_list("signature_valid", "duplicate", "applied")
    ) == [(False, False, False), (True, False, True), (True, True, False)]
    assert (
        MilestoneEvent.objects.filter(declaration=case.declaration, milestone="payment").count()
        == 1
    )
    assert Payment.objects.count() == 1
