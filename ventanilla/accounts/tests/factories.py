"""Factories for users, organisations and memberships. ``member(...)`` is the usual
entry point: a user holding one role in one organisation."""

from __future__ import annotations

import datetime as dt

import factory

from ventanilla.accounts.choices import AgencyFunction, MandateKind, OrganisationKind
from ventanilla.accounts.models import Mandate, Membership, Organisation, Role, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", "pass-Word-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.TRADER
    name = factory.Sequence(lambda n: f"Organisation {n} S.A.C.")
    code = factory.Sequence(lambda n: f"20{n:09d}")
    country = "PE"


class AgencyFactory(OrganisationFactory):
    kind = OrganisationKind.AGENCY
    agency_function = AgencyFunction.CUSTOMS


def member(role_code: str, organisation: Organisation | None = None, **user_kwargs) -> User:  # type: ignore[no-untyped-def]
    """A user holding ``role_code`` in ``organisation`` (made to fit the role if omitted)."""
    role = Role.objects.get(code=role_code)
    if organisation is None:
        kind = role.organisation_kinds[0]
        factory_cls = AgencyFactory if kind == OrganisationKind.AGENCY else OrganisationFactory
        organisation = factory_cls(kind=kind)
    user = UserFactory(**user_kwargs)
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


class MandateFactory(factory.django.DjangoModelFactory):
    """A trader's representation mandate to a customs broker, in force since 2020."""

    class Meta:
        model = Mandate

    trader = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.TRADER)
    broker = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.BROKER)
    kind = MandateKind.DIRECT
    valid_from = dt.date(2020, 1, 1)
    valid_to = None
