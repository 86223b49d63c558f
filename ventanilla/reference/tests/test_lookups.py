"""Look-ups remember codes per process (core.snapshots): a change must never hide."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from ventanilla.core.snapshots import clear_all
from ventanilla.reference import lookups
from ventanilla.reference.models import Country, HSEdition, TariffLine

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 28)


@pytest.fixture
def edition() -> HSEdition:
    return HSEdition.objects.create(code="HS2022", name="HS 2022", valid_from=dt.date(2022, 1, 1))


def test_a_second_look_up_of_the_same_codes_costs_no_query(
    edition: HSEdition, django_assert_num_queries
) -> None:
    TariffLine.objects.create(code="0804400000", edition=edition, hs_code="080440", description="a")
    clear_all()  # as once the set-up has committed
    with django_assert_num_queries(1):
        first = lookups.tariff_lines_in_force(["0804400000", "0101210000"], TODAY)
    with django_assert_num_queries(0):
        second = lookups.tariff_lines_in_force(["0804400000", "0101210000"], TODAY)
    assert set(first) == set(second) == {"0804400000"}


def test_a_code_added_after_it_was_looked_up_as_unknown_is_found(edition: HSEdition) -> None:
    assert lookups.tariff_lines_in_force(["0804400000"], TODAY) == {}
    TariffLine.objects.create(code="0804400000", edition=edition, hs_code="080440", description="a")
    assert set(lookups.tariff_lines_in_force(["0804400000"], TODAY)) == {"0804400000"}


def test_a_closed_code_is_no_longer_in_force() -> None:
    country = Country.objects.create(code="ZZ", name="Testland", valid_from=dt.date(2000, 1, 1))
    assert lookups.countries_in_force(["ZZ"], TODAY) == {"ZZ"}
    country.valid_to = TODAY
    country.save()
    assert lookups.countries_in_force(["ZZ"], TODAY) == set()


def test_answers_are_per_day() -> None:
    Country.objects.create(code="ZZ", name="Testland", valid_from=TODAY)
    assert lookups.countries_in_force(["ZZ"], TODAY - dt.timedelta(days=1)) == set()
    assert lookups.countries_in_force(["ZZ"], TODAY) == {"ZZ"}


def test_an_uncommitted_change_is_never_remembered(django_assert_num_queries) -> None:
    """While the writing transaction is open every read goes to the database; a
    rolled-back row must not be served afterwards."""

    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), transaction.atomic():
        Country.objects.create(code="ZZ", name="Testland", valid_from=dt.date(2000, 1, 1))
        assert lookups.countries_in_force(["ZZ"], TODAY) == {"ZZ"}
        raise Rollback
    assert lookups.countries_in_force(["ZZ"], TODAY) == set()
