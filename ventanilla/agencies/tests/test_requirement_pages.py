"""The supervisor's pages of the requirement matrix (TFA 8: each agency maintains its own
lines; TFA 10.1: configuration that is versioned, never rewritten). The clock of
``conftest`` says 1 December 2026 in Lima."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from ventanilla.accounts.models import Membership, Role
from ventanilla.accounts.tests.factories import AgencyFactory, member
from ventanilla.agencies.models import RequirementLine
from ventanilla.agencies.services.requirements import EDITABLE
from ventanilla.agencies.tests.factories import line
from ventanilla.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)
LIST = reverse("agencies:requirements")
ADD = reverse("agencies:requirement_add")
VALUES = ("key", "agency_id", *EDITABLE, "valid_from", "valid_to")


def client_for(user: Any, language: str = "") -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def errors_in(html: str) -> list[str]:
    summary = re.search(r"data-error-summary.*?</ul>", html, re.S)
    return re.findall(r'href="([^"]+)"', summary.group(0)) if summary else []


def keys_listed(html: str) -> list[str]:
    return re.findall(r'<tr id="line-\d+" data-key="([^"]+)"', html)


def token_of(html: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def rows() -> list[tuple[Any, ...]]:
    return list(RequirementLine.objects.order_by("pk").values_list(*VALUES))


@pytest.fixture
def food_supervisor(world: Any) -> Any:
    return member("agency_supervisor", world.food)


def new_line(**changes: Any) -> dict[str, Any]:
    """The add form as a supervisor fills it in (every field)."""
    data = {
        "hs_prefix": "0804.40",
        "origin_country": "mx",
        "export_country": "",
        "destination_country": "PE",
        "declaration_type": "IM",
        "procedure_code": "4000",
        "action": "permit",
        "document_type_code": "N851",
        "description_en": "Phytosanitary certificate for avocados",
        "description_es": "Certificado fitosanitario para paltas",
        "legal_basis": "Plant Health Law, art. 14",
        "sequence": "1",
        "sla_hours": "36",
        "perishable_sla_hours": "6",
        "valid_from": "2026-12-10",
    }
    return {**data, **changes}


# --- the list ------------------------------------------------------------------------------------


def test_the_list_shows_the_own_agencys_lines_in_force_and_to_come(world):
    line(agency=world.plant, key="P-SOON", hs_prefix="07", valid_from=dt.date(2027, 1, 1))
    ended = line(
        agency=world.plant,
        key="P-OLD",
        hs_prefix="06",
        valid_from=dt.date(2020, 1, 1),
        valid_to=dt.date(2026, 6, 1),
    )
    client = client_for(world.plant_supervisor)
    response = client.get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    # Plant health's own lines only (food safety's AG-FOOD-0001 is not listed).
    assert keys_listed(html) == ["P-SOON", "AG-PLANT-0001"]
    assert "Scheduled" in html and "In force" in html and "Ended" not in html
    assert (
        f'id="change-{world.plant_line.pk}"' in html and f'id="end-{world.plant_line.pk}"' in html
    )
    assert "Phytosanitary certificate for fresh fruit" in html
    assert "N851</span> Phytosanitary certificate" in html and "Any country" in html
    assert "Legal basis: Plant Health Law, art. 12" in html and "24 h<br>perishables 4 h" in html
    assert "Sequence: 0 means" in html and "(WTO TFA 7.9)" in html  # the hints
    history = client.get(LIST, {"history": "1"}).content.decode()
    assert keys_listed(history) == ["P-OLD", "P-SOON", "AG-PLANT-0001"]
    assert "Ended" in history and f'id="change-{ended.pk}"' not in history
    assert f'id="end-{ended.pk}"' not in history


def test_an_agency_without_lines_sees_the_empty_state(world):
    supervisor = member("agency_supervisor", AgencyFactory(code="AG-FISH", name="Fisheries"))
    html = client_for(supervisor).get(LIST).content.decode()
    assert 'id="no-lines"' in html and keys_listed(html) == []
    assert "has no requirement line in force or to come" in html


def test_the_navigation_links_the_matrix_for_supervisors_only(world):
    home = reverse("core:home")
    assert 'id="nav-requirements"' in client_for(world.plant_supervisor).get(home).content.decode()
    assert 'id="nav-requirements"' not in client_for(world.plant_officer).get(home).content.decode()
    assert 'id="nav-requirements"' not in client_for(world.trader_user).get(home).content.decode()


# --- add -----------------------------------------------------------------------------------------


def test_add_creates_exactly_one_line_and_a_second_submission_none(world):
    client = client_for(world.plant_supervisor)
    page = client.get(ADD).content.decode()
    assert 'name="agency"' not in page  # one agency: not asked
    assert 'value="2026-12-01"' in page  # valid from: today
    assert '<option value="N851">N851 Phytosanitary certificate</option>' in page
    data = {**new_line(), "form_token": token_of(page)}
    before = RequirementLine.objects.count()
    response = client.post(ADD, data)
    assert response.status_code == 302 and response["Location"] == LIST
    assert RequirementLine.objects.count() == before + 1
    added = RequirementLine.objects.latest("pk")
    assert [getattr(added, name) for name in VALUES] == [
        "AG-PLANT-0002",
        world.plant.pk,
        "080440",
        "MX",
        "",
        "PE",
        "IM",
        "4000",
        "permit",
        "N851",
        "Phytosanitary certificate for avocados",
        "Certificado fitosanitario para paltas",
        1,
        36,
        6,
        "Plant Health Law, art. 14",
        dt.date(2026, 12, 10),
        None,
    ]
    assert added.created_by == world.plant_supervisor
    assert AuditEvent.objects.filter(verb="requirement_line.added").count() == 1
    listed = client.get(LIST).content.decode()
    assert "Line AG-PLANT-0002 is added: Phytosanitary certificate for avocados" in listed
    # The same form sent again (a double click, the back button): nothing more is added.
    again = client.post(ADD, data)
    assert again.status_code == 302 and again["Location"] == LIST
    assert RequirementLine.objects.count() == before + 1
    assert "This form was already sent" in client.get(LIST).content.decode()


def test_a_submission_arriving_with_another_of_the_same_form_adds_nothing(world):
    """Two submissions of one form at the same moment both find the token open in the
    session; the database lets one spend it. Here the other has just committed."""
    from ventanilla.agencies.views_requirements import ADD_SCOPE
    from ventanilla.core.idempotency import form_token_spend

    client = client_for(world.plant_supervisor)
    token = token_of(client.get(ADD).content.decode())
    assert form_token_spend(user=world.plant_supervisor, token=token, scope=ADD_SCOPE)
    before = rows()
    response = client.post(ADD, {**new_line(), "form_token": token})
    assert response.status_code == 302 and response["Location"] == LIST
    assert rows() == before
    assert not AuditEvent.objects.filter(verb="requirement_line.added").exists()
    assert "This form was already sent" in client.get(LIST).content.decode()


def test_a_refused_form_gives_its_token_back_for_the_corrected_one(world):
    from ventanilla.core.idempotency import IdempotencyRecord

    client = client_for(world.plant_supervisor)
    token = token_of(client.get(ADD).content.decode())
    refused = client.post(ADD, {**new_line(valid_from="2026-11-30"), "form_token": token})
    assert refused.status_code == 400
    assert "cannot take effect in the past" in refused.content.decode()  # the service's
    assert not IdempotencyRecord.objects.filter(key=f"form:{token}").exists()
    added = client.post(ADD, {**new_line(), "form_token": token})
    assert added.status_code == 302
    assert IdempotencyRecord.objects.filter(key=f"form:{token}").count() == 1
    assert RequirementLine.objects.filter(hs_prefix="080440").count() == 1


def test_invalid_input_is_shown_beside_each_field_and_nothing_is_written(world):
    client = client_for(world.plant_supervisor)
    token = token_of(client.get(ADD).content.decode())
    before = rows()
    response = client.post(
        ADD,
        {
            **new_line(hs_prefix="", document_type_code="ZZZZ", description_en=""),
            "form_token": token,
        },
    )
    html = response.content.decode()
    assert response.status_code == 400 and rows() == before
    assert errors_in(html) == ["#id_hs_prefix", "#id_document_type_code", "#id_description_en"]
    assert "Give the HS or tariff prefix." in html
    assert "Choose a document type from the list." in html
    assert "Describe the requirement in English at least." in html
    assert "Certificado fitosanitario para paltas" in html  # what was typed is kept
    # The services' rules, each message beside its input, all at once.
    response = client.post(
        ADD,
        {
            **new_line(
                hs_prefix="8x",
                origin_country="M1",
                procedure_code="40",
                document_type_code="",
                perishable_sla_hours="48",
                valid_from="2026-11-30",
            ),
            "form_token": token,
        },
    )
    html = response.content.decode()
    assert response.status_code == 400 and rows() == before
    assert errors_in(html) == [
        "#id_hs_prefix",
        "#id_origin_country",
        "#id_procedure_code",
        "#id_document_type_code",
        "#id_perishable_sla_hours",
        "#id_valid_from",
    ]
    assert "The HS prefix must have 2 to 6 digits" in html
    assert "A permit line must name the document type required." in html
    assert "A version cannot take effect in the past" in html
    # Nonsense never answers 500: numbers, dates, choices, lengths.
    response = client.post(
        ADD,
        {
            **new_line(sequence="x", sla_hours="-1", valid_from="31/31/2026", action="grant"),
            "legal_basis": "x" * 301,
            "form_token": token,
        },
    )
    assert response.status_code == 400 and rows() == before
    assert errors_in(response.content.decode()) == [
        "#id_action",
        "#id_legal_basis",
        "#id_sequence",
        "#id_sla_hours",
        "#id_valid_from",
    ]
    # Corrected, the same form adds the line: a refusal did not use up its token.
    assert client.post(ADD, {**new_line(), "form_token": token}).status_code == 302
    assert len(rows()) == len(before) + 1


def test_a_form_without_a_known_token_is_shown_again_not_saved(world):
    client = client_for(world.plant_supervisor)
    before = rows()
    response = client.post(ADD, {**new_line(), "form_token": "made-up"})
    html = response.content.decode()
    assert response.status_code == 400 and rows() == before
    assert "This form has expired" in html and token_of(html) != "made-up"


def test_a_supervisor_of_several_agencies_chooses_one(world):
    both = member("agency_supervisor", world.plant)
    Membership.objects.create(
        user=both, organisation=world.food, role=Role.objects.get(code="agency_supervisor")
    )
    client = client_for(both)
    html = client.get(LIST).content.decode()
    assert keys_listed(html) == ["AG-FOOD-0001", "AG-PLANT-0001"] and "Food Safety" in html
    token = token_of(client.get(ADD).content.decode())
    response = client.post(ADD, {**new_line(), "form_token": token})
    assert response.status_code == 400 and errors_in(response.content.decode()) == ["#id_agency"]
    response = client.post(ADD, {**new_line(), "agency": world.food.pk, "form_token": token})
    assert response.status_code == 302
    assert RequirementLine.objects.latest("pk").agency == world.food


# --- change and end ------------------------------------------------------------------------------


def test_change_closes_the_version_in_force_and_adds_the_next(world):
    client = client_for(world.plant_supervisor)
    url = reverse("agencies:requirement_change", args=[world.plant_line.pk])
    page = client.get(url).content.decode()
    assert 'id="versioning"' in page and "is never rewritten" in page
    assert 'value="Phytosanitary certificate for fresh fruit"' not in page  # a textarea
    assert ">\nPhytosanitary certificate for fresh fruit</textarea>" in page
    assert 'name="form_token"' not in page and 'value="2026-12-01"' in page
    form = {
        **new_line(
            hs_prefix="08",
            origin_country="",
            destination_country="",
            declaration_type="",
            procedure_code="",
            description_en="Phytosanitary certificate for fresh fruit",
            description_es="Certificado fitosanitario para fruta fresca",
            legal_basis="Plant Health Law, art. 12",
            sequence="0",
            sla_hours="24",
            perishable_sla_hours="4",
        ),
        "valid_from": "2026-12-15",
    }
    # Nothing differs: nothing is written.
    before = rows()
    response = client.post(url, form)
    assert response.status_code == 302 and rows() == before
    assert "Nothing was changed" in client.get(LIST).content.decode()
    response = client.post(url, {**form, "sla_hours": "36"})
    assert response.status_code == 302 and response["Location"] == LIST
    old = RequirementLine.objects.get(pk=world.plant_line.pk)
    new = RequirementLine.objects.filter(key="AG-PLANT-0001").latest("valid_from")
    assert old.valid_to == dt.date(2026, 12, 15) and old.sla_hours == 24  # never rewritten
    assert (new.valid_from, new.valid_to, new.sla_hours) == (dt.date(2026, 12, 15), None, 36)
    assert [getattr(new, n) for n in VALUES[:12]] == [getattr(old, n) for n in VALUES[:12]]
    event = AuditEvent.objects.get(verb="requirement_line.changed")
    assert event.payload["changes"] == {"sla_hours": 36}
    listed = client.get(LIST).content.decode()
    assert "Line AG-PLANT-0001 is changed from" in listed
    assert keys_listed(listed) == ["AG-PLANT-0001", "AG-PLANT-0001"]  # in force, then to come
    # The closed version is changed no more: its form leads back to the matrix.
    again = client.post(url, {**form, "sla_hours": "48"})
    assert again.status_code == 302 and again["Location"] == LIST
    assert RequirementLine.objects.filter(key="AG-PLANT-0001").count() == 2


def test_a_refused_change_is_shown_beside_its_field(world):
    client = client_for(world.plant_supervisor)
    url = reverse("agencies:requirement_change", args=[world.plant_line.pk])
    before = rows()
    response = client.post(url, {**new_line(perishable_sla_hours="100", valid_from="2026-11-01")})
    assert response.status_code == 400 and rows() == before
    assert errors_in(response.content.decode()) == ["#id_perishable_sla_hours", "#id_valid_from"]


def test_end_sets_the_last_day_and_asks_first(world):
    client = client_for(world.plant_supervisor)
    url = reverse("agencies:requirement_end", args=[world.plant_line.pk])
    page = client.get(url).content.decode()
    assert 'id="end-warning"' in page and "cannot be undone" in page
    assert 'value="2026-12-01"' in page
    response = client.post(url, {"valid_to": "2026-11-30"})
    assert response.status_code == 400 and errors_in(response.content.decode()) == ["#id_valid_to"]
    assert RequirementLine.objects.get(pk=world.plant_line.pk).valid_to is None
    response = client.post(url, {"valid_to": "2026-12-20"})
    assert response.status_code == 302 and response["Location"] == LIST
    assert RequirementLine.objects.get(pk=world.plant_line.pk).valid_to == dt.date(2026, 12, 20)
    assert AuditEvent.objects.filter(verb="requirement_line.ended").count() == 1
    # Sent again: refused by the service, shown on the matrix, nothing changed.
    again = client.post(url, {"valid_to": "2026-12-25"})
    assert again.status_code == 302
    assert RequirementLine.objects.get(pk=world.plant_line.pk).valid_to == dt.date(2026, 12, 20)
    assert (
        "Only the version in force or to come can be changed." in client.get(LIST).content.decode()
    )


# --- who may ------------------------------------------------------------------------------------


def test_authorization_matrix_and_a_denied_call_writes_nothing(world, food_supervisor):
    pk = world.plant_line.pk
    change = reverse("agencies:requirement_change", args=[pk])
    end = reverse("agencies:requirement_end", args=[pk])
    posts = {ADD: new_line(), change: new_line(), end: {"valid_to": "2026-12-20"}}
    before = rows()
    for url in (LIST, *posts):
        response = client_for(None).get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    for url, data in posts.items():
        assert client_for(None).post(url, data).status_code == 302
    for user in (world.trader_user, world.broker_user, world.plant_officer, world.customs_officer):
        client = client_for(user)
        for url in (LIST, *posts):
            assert client.get(url).status_code == 403, (user, url)
        for url, data in posts.items():
            assert client.post(url, data).status_code == 403, (user, url)
    # Another agency's supervisor: this line does not exist for it.
    client = client_for(food_supervisor)
    for url in (change, end):
        assert client.get(url).status_code == 404
        assert client.post(url, posts[url]).status_code == 404
    assert keys_listed(client.get(LIST).content.decode()) == ["AG-FOOD-0001"]
    assert rows() == before
    assert not AuditEvent.objects.filter(verb__startswith="requirement_line.").exists()


# --- in Spanish ---------------------------------------------------------------------------------


def test_the_pages_in_spanish(world):
    line(
        agency=world.plant,
        key="P-EN",
        hs_prefix="07",
        origin_country="MX",
        description_en="Certificate for vegetables",
        description_es="",
    )
    client = client_for(world.plant_supervisor, language="es")
    html = client.get(LIST).content.decode()
    assert '<html lang="es">' in html and "<h1>Matriz de requisitos</h1>" in html
    assert "Certificado fitosanitario para fruta fresca" in html  # description_es
    assert "Phytosanitary certificate for fresh fruit" not in html
    assert "Se requiere permiso o certificado" in html and "Vigente" in html
    # No Spanish description: the English one.
    row = re.search(r'data-key="P-EN".*?</tr>', html, re.S)
    assert row is not None and "Certificate for vegetables" in row.group(0)
    assert "Origen: <span" in row.group(0) and "Cualquier país" in html
    page = client.get(ADD).content.decode()
    assert "Agregar una línea de requisito" in page and "Prefijo del SA o de la subpartida" in page
    token = token_of(page)
    response = client.post(ADD, {**new_line(description_en=""), "form_token": token})
    assert "Describa el requisito al menos en inglés." in response.content.decode()
    end = client.get(reverse("agencies:requirement_end", args=[world.plant_line.pk]))
    assert "no se puede deshacer" in end.content.decode()
