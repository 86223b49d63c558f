"""Factories for notifications: organisations of the three audiences, endpoints."""

from __future__ import annotations

from typing import Any

import factory

from ventanilla.accounts.choices import OrganisationKind
from ventanilla.accounts.models import Organisation
from ventanilla.accounts.tests.factories import OrganisationFactory
from ventanilla.notifications.models import WebhookEndpoint
from ventanilla.notifications.signing import new_secret

REFERENCE = "26PE118000123456"


class WebhookEndpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookEndpoint

    organisation = factory.SubFactory(OrganisationFactory)
    url = "https://partner.example.com/hooks"
    secret = factory.LazyFunction(new_secret)
    kinds: list[str] = []


def release_params(**extra: Any) -> dict[str, Any]:
    return {
        "reference": REFERENCE,
        "released_at": "2026-11-27T15:30:00+00:00",
        "location": "Callao",
        **extra,
    }


def parties() -> tuple[Organisation, Organisation, Organisation]:
    """Trader, its broker and the carrier: who is told of a hold or a release."""
    return (
        OrganisationFactory(kind=OrganisationKind.TRADER),
        OrganisationFactory(kind=OrganisationKind.BROKER),
        OrganisationFactory(kind=OrganisationKind.CARRIER),
    )
