"""ISO 3166-1 countries and ISO 4217 currencies from the packaged standards."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pycountry
import pytest
from django.core.management import call_command

from ventanilla.audit.models import AuditEvent
from ventanilla.reference.loaders.iso import iso_load
from ventanilla.reference.models import Country, Currency

pytestmark = pytest.mark.django_db


def test_iso_load_counts_names_and_minor_units() -> None:
    report = iso_load()

    assert report.kinds["countries"].created == len(pycountry.countries) == Country.objects.count()
    assert report.kinds["currencies"].created == len(pycountry.currencies)
    peru = Country.objects.get(code="PE")
    assert (peru.alpha3, peru.numeric, peru.name_en, peru.name_es) == ("PER", "604", "Peru", "Perú")
    assert peru.valid_from == dt.date(1900, 1, 1)  # first load: in force since always
    assert peru.search_text == "pe per peru peru"
    sol = Currency.objects.get(code="PEN")
    assert (sol.numeric, sol.name_en, sol.minor_units) == ("604", "Sol", 2)
    assert Currency.objects.get(code="CLP").minor_units == 0
    assert Currency.objects.get(code="XAU").minor_units is None
    assert Currency.objects.exclude(name_es__isnull=True).count() > 100
    event = AuditEvent.objects.get(verb="reference.iso_loaded")
    assert event.actor_label == "system"
    assert event.payload["counts"]["countries"]["created"] == len(pycountry.countries)


def test_second_run_changes_nothing_and_keeps_spanish_written_by_hand() -> None:
    iso_load()
    # Chile has no distinct Spanish name in the catalogue; an editor wrote one.
    Country.objects.filter(code="CL").update(name_es="Chile (República de)")

    out = StringIO()
    call_command("load_iso", stdout=out)

    assert "Countries: 0 created, 0 changed, 0 closed" in out.getvalue()
    assert "Currencies: 0 created, 0 changed, 0 closed" in out.getvalue()
    assert Country.objects.get(code="CL").name_es == "Chile (República de)"
