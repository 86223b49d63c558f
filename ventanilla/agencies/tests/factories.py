"""Factories for the agencies app: requirement lines, and ``routed(...)`` — a declaration
with its reviews open — as the usual entry point of review tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory

from ventanilla.accounts.choices import AgencyFunction
from ventanilla.accounts.tests.factories import AgencyFactory
from ventanilla.agencies.models import RequirementLine


class RequirementLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequirementLine

    key = factory.Sequence(lambda n: f"LINE-{n:04d}")
    agency = factory.SubFactory(AgencyFactory, agency_function=AgencyFunction.PLANT_HEALTH)
    hs_prefix = "08"
    action = "permit"
    document_type_code = "N851"
    description_en = "Phytosanitary certificate for fresh fruit"
    description_es = "Certificado fitosanitario para fruta fresca"
    sequence = 0
    sla_hours = 24
    perishable_sla_hours = 4
    legal_basis = "Plant Health Law, art. 12"
    valid_from = dt.date(2020, 1, 1)


def line(**kwargs: Any) -> RequirementLine:
    return RequirementLineFactory(**kwargs)
