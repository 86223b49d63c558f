"""notify(): one notice per organisation, one moment, nothing written on bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import translation

from ventanilla.accounts.choices import OrganisationKind
from ventanilla.accounts.tests.factories import OrganisationFactory, member
from ventanilla.audit.models import AuditEvent
from ventanilla.core.errors import BusinessError
from ventanilla.notifications.kinds import KINDS
from ventanilla.notifications.models import Notice, OutboundEmail, OutboundWebhook
from ventanilla.notifications.rendering import render_notice
from ventanilla.notifications.services import notify
from ventanilla.notifications.tests.factories import (
    REFERENCE,
    WebhookEndpointFactory,
    parties,
    release_params,
)

pytestmark = pytest.mark.django_db


def _nothing_written() -> None:
    assert Notice.objects.count() == 0
    assert OutboundEmail.objects.count() == 0
    assert OutboundWebhook.objects.count() == 0
    assert AuditEvent.objects.filter(verb__startswith="notice.").count() == 0


def test_release_reaches_trader_broker_and_carrier_at_the_same_moment():
    trader, broker, carrier = parties()
    notices = notify(
        organisations=[trader, broker, carrier],
        kind="released",
        declaration_id=42,
        params=release_params(),
        by=None,
    )
    assert [n.organisation_id for n in notices] == [trader.pk, broker.pk, carrier.pk]
    stored = list(Notice.objects.order_by("pk"))
    assert len(stored) == 3
    assert len({n.created_at for n in stored}) == 1
    assert {(n.kind, n.declaration_id, n.reference) for n in stored} == {
        ("released", 42, REFERENCE)
    }
    assert AuditEvent.objects.filter(verb="notice.created").count() == 3


def test_the_same_organisation_twice_is_told_once():
    trader = OrganisationFactory(kind=OrganisationKind.TRADER)
    notify(
        organisations=[trader, trader],  # trader lodging its own declaration
        kind="declaration_accepted",
        declaration_id=7,
        params={"reference": "LRN-1"},
        by=None,
    )
    assert Notice.objects.filter(organisation=trader).count() == 1


def test_params_are_stored_as_json_and_rendered_for_the_reader():
    trader = OrganisationFactory(kind=OrganisationKind.TRADER)
    (notice,) = notify(
        organisations=[trader],
        kind="duties_due",
        declaration_id=1,
        params={"reference": "LRN-9", "amount": Decimal("1234.50"), "currency": "USD"},
        by=None,
    )
    notice.refresh_from_db()
    assert notice.params == {"reference": "LRN-9", "amount": "1234.50", "currency": "USD"}
    with translation.override("en"):
        assert render_notice(notice).body == (
            "Duties and taxes of 1,234.50 USD are due for declaration LRN-9."
        )
    with translation.override("es"):
        rendered = render_notice(notice)
    assert rendered.title == "Tributos por pagar: declaración LRN-9"
    assert rendered.body == "Debe pagar tributos por 1\xa0234,50 USD por la declaración LRN-9."
    assert rendered.severity == "warning"


def test_translated_labels_and_moments_follow_the_reader_language():
    carrier = OrganisationFactory(kind=OrganisationKind.CARRIER)
    (notice,) = notify(
        organisations=[carrier],
        kind="goods_detained",
        declaration_id=3,
        params={
            "reference": REFERENCE,
            "agency": "SENASA",
            "reason_category": {"en": "Plant health", "es": "Sanidad vegetal"},
            "expected_at": dt.datetime(2026, 11, 28, 14, 0, tzinfo=dt.UTC),
        },
        by=None,
    )
    assert render_notice(notice, "es").body == (
        f"SENASA retiene las mercancías de la declaración {REFERENCE} (motivo: Sanidad "
        "vegetal; fin previsto de la retención: 28 de noviembre de 2026 a las 09:00)."
    )
    assert render_notice(notice, "en").body == (
        f"SENASA is holding the goods of declaration {REFERENCE} (reason: Plant health; "
        "expected end of the hold: Nov. 28, 2026, 9 a.m.)."
    )


def test_every_kind_renders_in_both_languages():
    sample = {
        "reference": "R1",
        "agency": "SUNAT",
        "reason_category": "Documentary",
        "expected_at": "2026-11-28T14:00:00+00:00",
        "location": "Callao",
        "result": "OK",
        "decision": "Approved",
        "amount": "10",
        "currency": "PEN",
        "released_at": "2026-11-28T14:00:00+00:00",
    }
    for code, kind in KINDS.items():
        params = {name: sample[name] for name in kind.required}
        en = render_notice(Notice(kind=code, params=params), "en")
        es = render_notice(Notice(kind=code, params=params), "es")
        assert "%(" not in en.body + en.title and "—" not in en.body + en.title, code
        assert es.title != en.title and es.body != en.body, code
        assert kind.severity in ("info", "warning", "success"), code


def test_unknown_kind_is_refused_and_nothing_written():
    trader = OrganisationFactory(kind=OrganisationKind.TRADER)
    with pytest.raises(BusinessError) as caught:
        notify(
            organisations=[trader],
            kind="goods_teleported",
            declaration_id=1,
            params={"reference": "X"},
            by=None,
        )
    assert caught.value.as_rows() == [
        {
            "code": "notice_kind_unknown",
            "field": "kind",
            "message": "This kind of notice does not exist.",
        }
    ]
    _nothing_written()


def test_missing_params_are_all_listed_and_nothing_written():
    trader = OrganisationFactory(kind=OrganisationKind.TRADER)
    with pytest.raises(BusinessError) as caught:
        notify(
            organisations=[trader],
            kind="inspection_selected",
            declaration_id=1,
            params={"reference": "X", "agency": "SENASA", "location": "  "},
            by=None,
        )
    rows = caught.value.as_rows()
    assert [(r["code"], r["field"]) for r in rows] == [
        ("notice_params_missing", "params.reason_category"),
        ("notice_params_missing", "params.expected_at"),
        ("notice_params_missing", "params.location"),
    ]
    assert rows[0]["message"] == "The notice needs the parameter “reason_category”."
    _nothing_written()


def test_a_carrier_is_not_told_the_duties_and_nothing_is_written():
    trader, _broker, carrier = parties()
    with pytest.raises(BusinessError) as caught:
        notify(
            organisations=[trader, carrier],
            kind="duties_due",
            declaration_id=1,
            params={"reference": "X", "amount": "1", "currency": "USD"},
            by=None,
        )
    assert [r["code"] for r in caught.value.as_rows()] == ["notice_recipient_not_allowed"]
    _nothing_written()


def test_params_that_are_not_json_are_refused():
    trader = OrganisationFactory(kind=OrganisationKind.TRADER)
    with pytest.raises(BusinessError) as caught:
        notify(
            organisations=[trader],
            kind="declaration_accepted",
            declaration_id=1,
            params={"reference": "X", "extra": object()},
            by=None,
        )
    assert caught.value.as_rows()[0]["code"] == "notice_params_invalid"
    _nothing_written()


def test_nothing_is_sent_when_the_caller_transaction_rolls_back(
    django_capture_on_commit_callbacks, mailoutbox
):
    trader = OrganisationFactory(kind=OrganisationKind.TRADER, email="ops@trader.test")
    member("trader_declarant", trader)
    WebhookEndpointFactory(organisation=trader)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(
            organisations=[trader],
            kind="declaration_accepted",
            declaration_id=1,
            params={"reference": "X"},
            by=None,
        )
        raise RuntimeError("the caller's own step failed")
    assert callbacks == []
    assert mailoutbox == []
    _nothing_written()


def test_inactive_organisation_keeps_the_notice_but_gets_no_messages(
    django_capture_on_commit_callbacks,
):
    trader = OrganisationFactory(kind=OrganisationKind.TRADER, email="x@t.test", is_active=False)
    member("trader_declarant", trader)
    WebhookEndpointFactory(organisation=trader)
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            organisations=[trader],
            kind="declaration_accepted",
            declaration_id=1,
            params={"reference": "X"},
            by=None,
        )
    assert Notice.objects.count() == 1
    assert OutboundEmail.objects.count() == 0
    assert OutboundWebhook.objects.count() == 0
