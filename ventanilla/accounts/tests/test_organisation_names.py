"""A public body's official name in each language (TFA 1.1: published information in the
languages traders read); a company's legal name in every language."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation

from ventanilla.accounts import services
from ventanilla.accounts.models import Organisation
from ventanilla.accounts.tests.factories import AgencyFactory, OrganisationFactory
from ventanilla.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PLANT = {"en": "National Plant Health Service", "es": "Servicio Nacional de Sanidad Vegetal"}


def test_an_agency_is_named_in_the_active_language():
    agency = AgencyFactory(name="SENASA", names=PLANT)
    with translation.override("es"):
        assert (agency.label, str(agency)) == (PLANT["es"], PLANT["es"])
    with translation.override("en"):
        assert (agency.label, str(agency)) == (PLANT["en"], PLANT["en"])
    with translation.override("es-pe"):
        assert agency.label == PLANT["es"]
    assert (agency.name_in("en"), agency.name_in("es"), agency.name_in("fr")) == (
        PLANT["en"],
        PLANT["es"],
        "SENASA",
    )


def test_a_company_keeps_its_legal_name_in_every_language():
    company = OrganisationFactory(name="Andes Fresh Produce S.A.C.")
    for language in ("en", "es"):
        with translation.override(language):
            assert company.label == "Andes Fresh Produce S.A.C."


def _plant_health(names: object) -> Organisation:
    return services.organisation_create(
        kind="agency",
        name="Plant Health Service",
        code="AG-PLANT",
        agency_function="plant_health",
        names=names,  # type: ignore[arg-type]
        by=None,
    )


def test_the_service_stores_the_names_and_sorting_stays_on_the_registered_name():
    _plant_health(PLANT)
    services.organisation_create(kind="trader", name="Andes Fresh", code="20999", by=None)
    assert Organisation.objects.get(code="AG-PLANT").names == PLANT
    with translation.override("es"):
        assert [o.code for o in Organisation.objects.all()] == ["20999", "AG-PLANT"]


@pytest.mark.parametrize(
    "names",
    [
        {"fr": "Service national"},
        {"es": ""},
        {"es": "   "},
        {"es": 12},
        {"es": "x" * 201},
        ["es", "Servicio"],
    ],
)
def test_names_are_one_text_per_known_language(names):
    with pytest.raises(ValidationError) as refused:
        _plant_health(names)
    assert [e.code for e in refused.value.error_dict["names"]] == ["invalid_names"]
    assert not Organisation.objects.filter(code="AG-PLANT").exists()


def test_names_are_set_once_with_an_audit_event_and_a_repeat_changes_nothing():
    agency = AgencyFactory(code="AG-PLANT", name="SENASA")
    services.organisation_names_set(organisation=agency, names=PLANT, by=None)
    services.organisation_names_set(organisation=agency, names=PLANT, by=None)
    agency.refresh_from_db()
    assert agency.names == PLANT
    events = AuditEvent.objects.filter(verb="organisation.names_set", target_id=str(agency.pk))
    assert [e.payload for e in events] == [{"before": {}, "after": PLANT}]


def test_the_command_sets_clears_and_refuses_with_a_message():
    AgencyFactory(code="AG-PLANT", name="SENASA")
    out = StringIO()
    call_command(
        "organisation_names",
        "AG-PLANT",
        "--name",
        f"es={PLANT['es']}",
        "--name",
        f"en={PLANT['en']}",
        stdout=out,
    )
    assert Organisation.objects.get(code="AG-PLANT").names == PLANT
    assert out.getvalue().strip() == f"AG-PLANT is shown as en: {PLANT['en']}, es: {PLANT['es']}"
    for args, message in [
        (["AG-PLANT", "--name", "fr=Service"], "each language code among: en, es."),
        (["AG-PLANT", "--name", "es"], "write LANG=NAME"),
        (["AG-NONE", "--clear"], "No organisation has the identifier AG-NONE."),
        (["AG-PLANT"], "Give --name LANG=NAME (one or more) or --clear."),
    ]:
        with pytest.raises(CommandError, match=re.escape(message)):
            call_command("organisation_names", *args)
    assert Organisation.objects.get(code="AG-PLANT").names == PLANT
    call_command("organisation_names", "AG-PLANT", "--clear", stdout=StringIO())
    assert Organisation.objects.get(code="AG-PLANT").names == {}
