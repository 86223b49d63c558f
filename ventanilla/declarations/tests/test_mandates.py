"""TFA 10.6 (customs brokers): a broker lodges in a trader's name only while the trader's
representation mandate to it is in force (WCO Agent 05A)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ventanilla.accounts.models import Mandate
from ventanilla.accounts.tests.factories import MandateFactory, OrganisationFactory
from ventanilla.core.errors import BusinessError
from ventanilla.declarations import services
from ventanilla.declarations.api.serializers import DeclarationInput
from ventanilla.declarations.models import Declaration
from ventanilla.declarations.tests.conftest import payload

pytestmark = pytest.mark.django_db

MESSAGE = "This customs broker holds no representation mandate in force from this trader."


def valid(data: dict[str, Any]) -> dict[str, Any]:
    serializer = DeclarationInput(data=data)
    assert serializer.is_valid(), serializer.errors
    return serializer.validated_data


def _refusal(err: pytest.ExceptionInfo[BusinessError]) -> list[tuple[str, str | None, str]]:
    return [(e.code, e.field, str(e.message)) for e in err.value.items]


def test_tfa_10_6_broker_lodges_only_with_a_mandate(reference, parties):
    broker, trader = parties["broker"], parties["trader"]
    # With the fixture's mandate in force: lodged.
    lodged = services.declaration_lodge(data=valid(payload(lrn="M-1")), declarant=broker, by=None)
    assert lodged.created and lodged.declaration.trader == trader
    # Without it: refused as forbidden, on the importer's identifier, and nothing written.
    Mandate.objects.all().delete()
    with pytest.raises(BusinessError) as err:
        services.declaration_lodge(data=valid(payload(lrn="M-2")), declarant=broker, by=None)
    assert err.value.http_status == 403
    assert _refusal(err) == [("no_representation_mandate", "parties.0.identifier", MESSAGE)]
    assert list(Declaration.objects.values_list("lrn", flat=True)) == ["M-1"]


def test_bulk_without_mandate_names_each_declaration_in_one_query(reference, parties):
    broker = parties["broker"]
    other = OrganisationFactory(kind="trader", code="20100000009", name="No Mandate S.A.")
    rows = [valid(payload(lrn=f"MB-{n}")) for n in range(3)]
    rows[1]["parties"][0]["identifier"] = other.code
    with CaptureQueriesContext(connection) as queries, pytest.raises(BusinessError) as err:
        services.declarations_lodge(rows=rows, declarant=broker, by=None)
    assert err.value.http_status == 403
    assert _refusal(err) == [
        ("no_representation_mandate", "declarations.1.parties.0.identifier", MESSAGE)
    ]
    mandate_queries = [q for q in queries.captured_queries if "accounts_mandate" in q["sql"]]
    assert len(mandate_queries) == 1
    assert Declaration.objects.count() == 0
    # Once the other trader gives the broker a mandate, the same batch is lodged whole.
    MandateFactory(trader=other, broker=broker)
    lodged = services.declarations_lodge(rows=rows, declarant=broker, by=None)
    assert [x.created for x in lodged] == [True, True, True]


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "revoked"),
    [
        (1, None, False),  # not yet in force (begins tomorrow)
        (-30, 0, False),  # expired (valid_to is exclusive: ended yesterday)
        (-30, -5, False),  # expired long ago
        (-30, 0, True),  # revoked today
    ],
    ids=["not-yet-in-force", "ends-today", "expired", "revoked"],
)
def test_a_mandate_not_in_force_today_refuses(reference, parties, valid_from, valid_to, revoked):
    today = timezone.localdate()
    Mandate.objects.update(
        valid_from=today + dt.timedelta(days=valid_from),
        valid_to=None if valid_to is None else today + dt.timedelta(days=valid_to),
        revoked_at=timezone.now() if revoked else None,
    )
    with pytest.raises(BusinessError) as err:
        services.declaration_lodge(
            data=valid(payload(lrn="M-3")), declarant=parties["broker"], by=None
        )
    assert err.value.http_status == 403
    assert _refusal(err) == [("no_representation_mandate", "parties.0.identifier", MESSAGE)]


def test_a_mandate_from_another_trader_or_to_another_broker_does_not_count(reference, parties):
    Mandate.objects.all().delete()
    MandateFactory(trader=parties["trader"])  # to another broker
    MandateFactory(broker=parties["broker"])  # from another trader
    with pytest.raises(BusinessError) as err:
        services.declaration_lodge(
            data=valid(payload(lrn="M-4")), declarant=parties["broker"], by=None
        )
    assert [e.code for e in err.value.items] == ["no_representation_mandate"]


def test_a_trader_lodging_its_own_needs_no_mandate(reference, parties):
    Mandate.objects.all().delete()
    data = payload(lrn="OWN-1")
    data["parties"][1] = {
        "role": "declarant",
        "name": "Andes Fresh",
        "identifier": "20100000001",
        "country": "PE",
    }
    lodged = services.declaration_lodge(data=valid(data), declarant=parties["trader"], by=None)
    assert lodged.created and lodged.declaration.declarant == parties["trader"]


def test_the_declarant_that_lodged_may_amend_after_the_mandate_ends(reference, parties):
    original = payload(lrn="M-5")
    d = services.declaration_lodge(
        data=valid(original), declarant=parties["broker"], by=None
    ).declaration
    Mandate.objects.update(valid_to=timezone.localdate())
    changed = {**original, "items": [dict(original["items"][0])]}
    changed["items"][0]["customs_value"] = "25000.00"
    amended = services.declaration_amend(
        declaration=d, data=valid(changed), reason="Corrected invoice value", by=None
    )
    assert amended.version == 2


def test_an_ended_mandate_still_lets_the_broker_cancel_but_a_revoked_one_does_not(
    reference, parties
):
    broker, trader = parties["broker"], parties["trader"]
    first = services.declaration_lodge(
        data=valid(payload(lrn="M-6")), declarant=broker, by=None
    ).declaration
    second = services.declaration_lodge(
        data=valid(payload(lrn="M-7")), declarant=broker, by=None
    ).declaration
    Mandate.objects.update(valid_to=timezone.localdate())  # reached its end date
    cancelled = services.declaration_cancel(
        declaration=first, reason="Buyer cancelled", by=None, organisation=broker
    )
    assert cancelled.status == "cancelled"
    Mandate.objects.update(revoked_at=timezone.now())  # the trader withdrew it
    with pytest.raises(BusinessError) as err:
        services.declaration_cancel(
            declaration=second, reason="Buyer cancelled", by=None, organisation=broker
        )
    assert _refusal(err) == [("no_representation_mandate", "organisation", MESSAGE)]
    second.refresh_from_db()
    assert (second.status, second.trader) == ("accepted", trader)
