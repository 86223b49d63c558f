"""Shared fixtures: a small world of agencies, officers and trade parties; a clock that
tests move by hand; the notices and signals the services send."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from ventanilla.accounts.models import Organisation, User
from ventanilla.accounts.tests.factories import AgencyFactory, OrganisationFactory, member
from ventanilla.agencies import notices
from ventanilla.agencies.models import RequirementLine
from ventanilla.agencies.signals import review_changed
from ventanilla.agencies.tests.factories import line
from ventanilla.declarations.models import Declaration
from ventanilla.declarations.tests.factories import declaration_with_items
from ventanilla.reference.models import Country, DocumentType

START = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))  # Lima


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


@pytest.fixture(autouse=True)
def reference_codes(db: None) -> None:
    """The reference codes the requirement lines of these tests cite: a line may only name
    a country or a document type in force in the reference lists."""
    since = dt.date(2000, 1, 1)
    Country.objects.bulk_create(
        Country(code=code, name=name, valid_from=since)
        for code, name in (
            ("BR", "Brazil"),
            ("CL", "Chile"),
            ("CN", "China"),
            ("EC", "Ecuador"),
            ("MX", "Mexico"),
            ("PE", "Peru"),
            ("US", "United States"),
        )
    )
    DocumentType.objects.bulk_create(
        DocumentType(code=code, name_en=en, name_es=es, valid_from=since)
        for code, en, es in (
            ("N851", "Phytosanitary certificate", "Certificado fitosanitario"),
            ("N852", "Sanitary certificate", "Certificado sanitario"),
            ("N853", "Veterinary certificate", "Certificado zoosanitario"),
            ("N911", "Import permit", "Permiso de importación"),
        )
    )


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock(START)
    monkeypatch.setattr(timezone, "now", lambda: c.now)
    return c


@dataclass
class World:
    customs: Organisation
    plant: Organisation
    food: Organisation
    customs_officer: User
    plant_officer: User
    food_officer: User
    plant_supervisor: User
    trader: Organisation
    broker: Organisation
    carrier: Organisation
    trader_user: User
    broker_user: User
    carrier_user: User
    other_trader_user: User
    plant_line: RequirementLine
    food_line: RequirementLine

    def declaration(self, **kwargs: Any) -> Declaration:
        kwargs.setdefault("trader", self.trader)
        kwargs.setdefault("declarant", self.broker)
        kwargs.setdefault("carrier", self.carrier)
        kwargs.setdefault("status", "accepted")
        return declaration_with_items(**kwargs)


@pytest.fixture
def world(clock: Clock) -> World:
    customs = AgencyFactory(code="AG-CUSTOMS", name="Customs", agency_function="customs")
    plant = AgencyFactory(code="AG-PLANT", name="Plant Health", agency_function="plant_health")
    food = AgencyFactory(code="AG-FOOD", name="Food Safety", agency_function="food_safety")
    trader = OrganisationFactory(kind="trader", name="Andes Fresh")
    broker = OrganisationFactory(kind="broker", name="Callao Brokers")
    carrier = OrganisationFactory(kind="carrier", name="Pacific Lines")
    return World(
        customs=customs,
        plant=plant,
        food=food,
        customs_officer=member("agency_officer", customs),
        plant_officer=member("agency_officer", plant),
        food_officer=member("agency_officer", food),
        plant_supervisor=member("agency_supervisor", plant),
        trader=trader,
        broker=broker,
        carrier=carrier,
        trader_user=member("trader_declarant", trader),
        broker_user=member("broker_declarant", broker),
        carrier_user=member("carrier_operator", carrier),
        other_trader_user=member("trader_declarant"),
        plant_line=line(agency=plant, key="AG-PLANT-0001", hs_prefix="08"),
        food_line=line(
            agency=food,
            key="AG-FOOD-0001",
            hs_prefix="03",
            document_type_code="N853",
            description_en="Health certificate for fish",
            sla_hours=48,
            perishable_sla_hours=6,
        ),
    )


@pytest.fixture(autouse=True)
def _agencies_alone() -> Any:
    """This app is tested alone (ADR 0005): the orchestrator's receivers of
    ``review_changed`` are set aside; the clearance app's tests cover the whole story."""
    saved = review_changed.receivers
    review_changed.receivers = []
    review_changed.sender_receivers_cache.clear()
    yield
    review_changed.receivers = saved
    review_changed.sender_receivers_cache.clear()


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Notices handed to the notifications app (after commit)."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(notices, "notice_send", lambda **kw: calls.append(kw))
    return calls


@pytest.fixture
def signals() -> Any:
    """(review id, status) for every ``review_changed`` sent."""
    received: list[tuple[int, str, int]] = []

    def receiver(sender: Any, review: Any, declaration: Any, **kwargs: Any) -> None:
        received.append((review.pk, review.status, declaration.pk))

    review_changed.connect(receiver, dispatch_uid="agencies-tests")
    yield received
    review_changed.disconnect(dispatch_uid="agencies-tests")


def client_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client
