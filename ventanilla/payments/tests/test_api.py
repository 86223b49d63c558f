"""Payments API: who may pay, follow, see guarantees and use them; denied calls change
nothing (TFA 7.2, 7.3)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse
from rest_framework.test import APIClient

from ventanilla.accounts.tests.factories import member
from ventanilla.payments.models import GuaranteeMovement, Payment
from ventanilla.payments.tests.factories import assessed_case, guarantee, signed_callback

pytestmark = pytest.mark.django_db


def _client(user=None) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _snapshot() -> dict[str, int]:
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.managed and not m._meta.proxy
    }


def test_tfa_7_2_start_payment_follow_it_and_get_the_receipt(django_capture_on_commit_callbacks):
    case = assessed_case("1234.56")
    url = reverse("api-payments-declaration", args=[case.declaration.pk])
    client = _client(case.trader)

    with django_capture_on_commit_callbacks() as callbacks:
        created = client.post(url, HTTP_IDEMPOTENCY_KEY="pay-1")
        replayed = client.post(url, HTTP_IDEMPOTENCY_KEY="pay-1")
    pending = client.get(reverse("api-payments-detail", args=[created.json()["id"]])).json()
    for callback in callbacks:
        callback()
    confirmed = client.get(reverse("api-payments-detail", args=[created.json()["id"]])).json()
    state = client.get(reverse("api-payments-financial-state", args=[case.declaration.pk]))

    assert (created.status_code, replayed.status_code, replayed["Idempotent-Replayed"]) == (
        201,
        200,
        "true",
    )
    assert replayed.json()["id"] == created.json()["id"]
    assert (pending["status"], pending["amount"], pending["receipt"]) == (
        "pending",
        "1234.56",
        None,
    )
    assert confirmed["status"] == "confirmed"
    assert {k: confirmed["receipt"][k] for k in ("reference", "amount", "currency")} == {
        "reference": confirmed["reference"],
        "amount": "1234.56",
        "currency": "PEN",
    }
    assert state.json() == {
        "amount_due": "1234.56",
        "currency": "PEN",
        "paid": "1234.56",
        "guaranteed": "0.00",
        "outstanding": "0.00",
        "settled_for_release": True,
        "payment_status": "confirmed",
        "assessment_status": "provisional",
        "closed": False,
    }
    listed = client.get(url).json()
    assert [p["reference"] for p in listed] == [confirmed["reference"]]


def test_tfa_7_2_start_needs_an_idempotency_key():
    case = assessed_case()

    response = _client(case.trader).post(
        reverse("api-payments-declaration", args=[case.declaration.pk])
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "idempotency_key_required",
            "field": "Idempotency-Key",
            "message": "An Idempotency-Key header (1 to 100 characters) is required to start a "
            "payment.",
        }
    ]


@pytest.mark.parametrize(
    ("who", "expected"), [("carrier", 403), ("stranger", 404), ("anonymous", 401)]
)
def test_tfa_7_2_others_may_not_pay_and_nothing_changes(who, expected):
    case = assessed_case()
    guarantee(case)
    users = {
        "carrier": member("carrier_operator", case.declaration.carrier),
        "stranger": member("trader_admin"),
        "anonymous": None,
    }
    client = _client(users[who])
    before = _snapshot()

    responses = [
        client.post(
            reverse("api-payments-declaration", args=[case.declaration.pk]),
            HTTP_IDEMPOTENCY_KEY="k",
        ),
        client.post(
            reverse("api-payments-guarantee-use", args=[case.declaration.pk]), {}, format="json"
        ),
    ]

    assert [r.status_code for r in responses] == [expected, expected]
    assert all("errors" in r.json() for r in responses)
    assert _snapshot() == before


def test_tfa_7_3_use_the_guarantee_then_see_balance_and_movements():
    case = assessed_case("22572.00")
    account = guarantee(case, "200000.00")
    viewer = case.trader  # trader_declarant: pays and sees its guarantees
    use = reverse("api-payments-guarantee-use", args=[case.declaration.pk])

    first = _client(case.broker).post(use, {}, format="json")  # the broker, for its client
    second = _client(case.trader).post(use, {"amount": "10.00"}, format="json")
    accounts = _client(viewer).get(reverse("api-payments-guarantees")).json()
    movements = (
        _client(viewer).get(reverse("api-payments-guarantee-movements", args=[account.pk])).json()
    )

    assert (first.status_code, first.json()["amount"], first.json()["kind"]) == (
        201,
        "22572.00",
        "reserve",
    )
    assert (second.status_code, second.json()["id"]) == (200, first.json()["id"])
    assert [(a["reference"], a["balance"]) for a in accounts["results"]] == [
        (
            account.reference,
            {
                "limit": "200000.00",
                "topped_up": "0.00",
                "reserved": "22572.00",
                "drawn": "0.00",
                "available": "177428.00",
            },
        )
    ]
    assert [(m["kind"], m["amount"], m["declaration"]) for m in movements["results"]] == [
        ("reserve", "22572.00", case.declaration.pk)
    ]


def test_tfa_7_3_guarantee_accounts_are_seen_by_their_holder_only():
    case = assessed_case()
    account = guarantee(case)
    stranger = member("trader_declarant")  # may view guarantees, not this one
    movements = reverse("api-payments-guarantee-movements", args=[account.pk])

    assert _client(stranger).get(reverse("api-payments-guarantees")).json()["results"] == []
    assert _client(stranger).get(movements).status_code == 404
    assert _client(case.broker).get(reverse("api-payments-guarantees")).json()["results"] == []
    assert _client(case.broker).get(movements).status_code == 404


def test_tfa_7_3_insufficient_guarantee_is_a_409_with_its_code():
    case = assessed_case("1000.00")
    guarantee(case, "10.00")

    response = _client(case.trader).post(
        reverse("api-payments-guarantee-use", args=[case.declaration.pk]),
        {"amount": "abc"},
        format="json",
    )
    insufficient = _client(case.trader).post(
        reverse("api-payments-guarantee-use", args=[case.declaration.pk]), {}, format="json"
    )

    assert (
        response.status_code,
        response.json()["errors"][0]["code"],
        response.json()["errors"][0]["field"],
    ) == (400, "invalid", "amount")
    assert insufficient.status_code == 409
    assert insufficient.json()["errors"][0]["code"] == "guarantee_insufficient"
    assert GuaranteeMovement.objects.count() == 0


def test_tfa_7_3_customs_sees_the_financial_state(customs_officer):
    case = assessed_case("50.00")

    response = _client(customs_officer).get(
        reverse("api-payments-financial-state", args=[case.declaration.pk])
    )
    pay = _client(customs_officer).post(
        reverse("api-payments-declaration", args=[case.declaration.pk]), HTTP_IDEMPOTENCY_KEY="k"
    )

    assert (response.status_code, response.json()["outstanding"]) == (200, "50.00")
    assert pay.status_code == 403


def test_tfa_7_2_callback_endpoint_refuses_garbage_with_the_error_shape(settings):
    settings.VENTANILLA_PAYMENT_SANDBOX_OUTCOME = "silent"
    case = assessed_case()
    url = reverse("api-payments-callback", args=["sandbox"])
    client = _client()
    payment_id = (
        _client(case.trader)
        .post(
            reverse("api-payments-declaration", args=[case.declaration.pk]),
            HTTP_IDEMPOTENCY_KEY="k",
        )
        .json()["id"]
    )
    payment = Payment.objects.get(pk=payment_id)
    headers, body = signed_callback(payment)
    before = _snapshot()

    garbage = [
        client.post(url, data, content_type=ct)
        for data, ct in (
            (b"\x00\xff", "application/octet-stream"),
            ("{}", "application/json"),
            ("[1, 2", "application/json"),
            ("x" * 10_000, "text/plain"),
        )
    ]
    unknown = client.post(
        reverse("api-payments-callback", args=["acme"]), body, content_type="application/json"
    )
    method = client.get(url)

    assert [(r.status_code, r.json()["errors"][0]["code"]) for r in garbage] == [
        (400, "bad_signature")
    ] * 4
    assert (unknown.status_code, unknown.json()["errors"][0]["code"]) == (404, "unknown_provider")
    assert (method.status_code, method.json()["errors"][0]["code"]) == (405, "method_not_allowed")
    assert _snapshot() == before

    ok = client.post(
        url,
        body,
        content_type="application/json",
        HTTP_X_SANDBOX_SIGNATURE=headers["X-Sandbox-Signature"],
    )
    assert (ok.status_code, ok.json()) == (
        200,
        {"received": True, "reference": payment.reference, "status": "confirmed"},
    )
    assert Decimal(Payment.objects.get(pk=payment_id).amount) == Decimal("1234.56")
