"""The requirement matrix: matching by prefix, origin and dates; maintenance by the owning
agency's supervisors only, never overwriting a version (TFA 10.1, 10.4, 1.1)."""

from __future__ import annotations

import datetime as dt

import pytest

from ventanilla.accounts.tests.factories import member
from ventanilla.agencies import selectors, services
from ventanilla.agencies.models import RequirementLine
from ventanilla.agencies.tests.factories import line
from ventanilla.audit.models import AuditEvent
from ventanilla.core.errors import BusinessError, ConflictError
from ventanilla.declarations.facts import declaration_facts

pytestmark = pytest.mark.django_db


def keys(lines) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(ln.key for ln in lines)


def test_tfa_10_4_match_by_hs_prefix_from_chapter_to_national_line(world):
    line(agency=world.plant, key="P-0804", hs_prefix="0804")
    line(agency=world.plant, key="P-080440", hs_prefix="080440")
    line(agency=world.plant, key="P-NATIONAL", hs_prefix="0804400000")
    line(agency=world.plant, key="P-0805", hs_prefix="0805")
    found = selectors.requirements_matching(hs_code="0804.40.00.00")
    assert keys(found) == ["AG-PLANT-0001", "P-0804", "P-080440", "P-NATIONAL"]
    assert keys(selectors.requirements_matching(hs_code="080440")) == [
        "AG-PLANT-0001",
        "P-0804",
        "P-080440",
    ]
    assert keys(selectors.requirements_matching(hs_code="x")) == []


def test_blank_origin_means_any_origin_and_a_set_origin_only_that_one(world):
    line(agency=world.plant, key="P-MX", hs_prefix="0804", origin_country="MX")
    line(agency=world.plant, key="P-CL", hs_prefix="0804", origin_country="CL")
    assert keys(selectors.requirements_matching(hs_code="080440", origin_country="mx")) == [
        "AG-PLANT-0001",
        "P-MX",
    ]
    # Without an origin the portal shows every line, each saying its origin.
    assert keys(selectors.requirements_matching(hs_code="080440")) == [
        "AG-PLANT-0001",
        "P-CL",
        "P-MX",
    ]


def test_declaration_type_and_procedure_filter_when_set(world):
    line(agency=world.plant, key="P-EX", hs_prefix="0804", declaration_type="EX")
    line(agency=world.plant, key="P-4000", hs_prefix="0804", procedure_code="4000")
    found = selectors.requirements_matching(
        hs_code="080440", declaration_type="IM", procedure_code="4000"
    )
    assert keys(found) == ["AG-PLANT-0001", "P-4000"]


def test_effective_dates_past_declarations_read_the_matrix_of_their_day(world):
    line(
        agency=world.plant,
        key="P-OLD",
        hs_prefix="0804",
        valid_from=dt.date(2024, 1, 1),
        valid_to=dt.date(2025, 1, 1),
    )
    line(agency=world.plant, key="P-NEXT", hs_prefix="0804", valid_from=dt.date(2027, 1, 1))
    assert keys(selectors.requirements_matching(hs_code="080440", day=dt.date(2024, 6, 1))) == [
        "AG-PLANT-0001",
        "P-OLD",
    ]
    assert keys(selectors.requirements_matching(hs_code="080440")) == ["AG-PLANT-0001"]
    assert keys(selectors.requirements_matching(hs_code="080440", day=dt.date(2027, 1, 1))) == [
        "AG-PLANT-0001",
        "P-NEXT",
    ]


def test_requirements_for_facts_any_item_matches_once(world):
    declaration = world.declaration(n=2)
    fish = declaration.items.last()
    fish.hs_code, fish.tariff_line, fish.origin_country = "030617", "0306171000", "EC"
    fish.save()
    line(agency=world.food, key="F-EC-ONLY", hs_prefix="0306", origin_country="CL")
    line(agency=world.plant, key="P-EXPORT", hs_prefix="08", declaration_type="EX")
    line(agency=world.plant, key="P-FROM-MX", hs_prefix="08", export_country="MX")
    found = selectors.requirements_for_facts(facts=declaration_facts(declaration))
    assert keys(found) == ["AG-FOOD-0001", "AG-PLANT-0001", "P-FROM-MX"]


def test_supervisor_adds_a_line_with_a_key_and_an_audit_event(world):
    created = services.requirement_line_add(
        agency=world.plant,
        hs_prefix="0901",
        action="review",
        description_en="Coffee beans",
        description_es="Café en grano",
        sla_hours=48,
        perishable_sla_hours=48,
        origin_country="br",
        by=world.plant_supervisor,
    )
    assert created.key == "AG-PLANT-0002"
    assert (created.origin_country, created.valid_from, created.valid_to) == (
        "BR",
        dt.date(2026, 12, 1),
        None,
    )
    assert (created.description_en, created.description_es) == ("Coffee beans", "Café en grano")
    event = AuditEvent.objects.get(verb="requirement_line.added")
    assert (event.target_id, event.organisation_id) == (str(created.pk), world.plant.pk)


def test_only_supervisors_of_the_owning_agency_maintain_its_lines(world):
    food_supervisor = member("agency_supervisor", world.food)
    for user in (world.plant_officer, food_supervisor, world.trader_user):
        with pytest.raises(BusinessError) as err:
            services.requirement_line_add(
                agency=world.plant,
                hs_prefix="0901",
                action="review",
                description_en="Coffee",
                by=user,
            )
        assert (err.value.http_status, err.value.items[0].code) == (403, "forbidden")
        with pytest.raises(BusinessError):
            services.requirement_line_change(
                line=world.plant_line, changes={"sla_hours": 8}, by=user
            )
    assert RequirementLine.objects.count() == 2
    assert not AuditEvent.objects.filter(verb__startswith="requirement_line").exists()


def test_invalid_line_lists_every_problem_and_writes_nothing(world):
    with pytest.raises(BusinessError) as err:
        services.requirement_line_add(
            agency=world.plant,
            hs_prefix="0804x",
            action="permit",
            description_en=" ",
            origin_country="MEX",
            declaration_type="XX",
            procedure_code="40",
            sla_hours=4,
            perishable_sla_hours=8,
            valid_from=dt.date(2026, 11, 30),
            by=world.plant_supervisor,
        )
    assert sorted((i.code, i.field) for i in err.value.items) == [
        ("country_invalid", "origin_country"),
        ("declaration_type_invalid", "declaration_type"),
        ("description_required", "description_en"),
        ("document_type_required", "document_type_code"),
        ("hs_prefix_invalid", "hs_prefix"),
        ("procedure_invalid", "procedure_code"),
        ("sla_invalid", "perishable_sla_hours"),
        ("valid_from_past", "valid_from"),
    ]
    assert RequirementLine.objects.count() == 2


def test_change_closes_the_version_in_force_and_adds_the_next(world, clock):
    old = world.plant_line
    new = services.requirement_line_change(
        line=old,
        changes={"perishable_sla_hours": 2, "legal_basis": "Decree 5/2026"},
        by=world.plant_supervisor,
    )
    old.refresh_from_db()
    assert (old.valid_to, old.perishable_sla_hours) == (dt.date(2026, 12, 1), 4)
    assert (new.key, new.valid_from, new.valid_to) == (old.key, dt.date(2026, 12, 1), None)
    assert (new.perishable_sla_hours, new.legal_basis, new.hs_prefix) == (2, "Decree 5/2026", "08")
    assert [ln.pk for ln in selectors.requirements_matching(hs_code="080440")] == [new.pk]
    day_before = selectors.requirements_matching(hs_code="080440", day=dt.date(2026, 11, 30))
    assert [ln.pk for ln in day_before] == [old.pk]
    event = AuditEvent.objects.get(verb="requirement_line.changed")
    assert event.payload["changes"] == {"perishable_sla_hours": 2, "legal_basis": "Decree 5/2026"}
    # The old version is closed: it cannot be changed again.
    with pytest.raises(ConflictError) as err:
        services.requirement_line_change(
            line=old, changes={"sla_hours": 12}, by=world.plant_supervisor
        )
    assert err.value.items[0].code == "line_not_current"


def test_change_with_nothing_new_adds_no_version(world):
    same = services.requirement_line_change(
        line=world.plant_line, changes={"hs_prefix": "08"}, by=world.plant_supervisor
    )
    assert same.pk == world.plant_line.pk
    assert RequirementLine.objects.count() == 2


def test_change_refuses_unknown_fields_and_same_day_versions(world):
    with pytest.raises(BusinessError) as err:
        services.requirement_line_change(
            line=world.plant_line, changes={"agency": 1, "key": "x"}, by=world.plant_supervisor
        )
    assert [(i.code, i.field) for i in err.value.items] == [
        ("field_not_editable", "agency"),
        ("field_not_editable", "key"),
    ]
    today = services.requirement_line_add(
        agency=world.plant,
        hs_prefix="0901",
        action="review",
        description_en="Coffee",
        by=world.plant_supervisor,
    )
    with pytest.raises(BusinessError) as err:
        services.requirement_line_change(
            line=today, changes={"sla_hours": 12}, by=world.plant_supervisor
        )
    assert err.value.items[0].code == "valid_from_not_after_version"
    tomorrow = services.requirement_line_change(
        line=today,
        changes={"sla_hours": 12},
        valid_from=dt.date(2026, 12, 2),
        by=world.plant_supervisor,
    )
    assert tomorrow.valid_from == dt.date(2026, 12, 2)


def test_end_drops_a_requirement_from_a_day(world):
    ended = services.requirement_line_end(
        line=world.plant_line, valid_to=dt.date(2026, 12, 2), by=world.plant_supervisor
    )
    assert ended.valid_to == dt.date(2026, 12, 2)
    assert keys(selectors.requirements_matching(hs_code="08", day=dt.date(2026, 12, 2))) == []
    assert keys(selectors.requirements_matching(hs_code="08")) == ["AG-PLANT-0001"]


def test_a_line_names_only_countries_and_documents_of_the_reference_lists(world):
    """TFA 1.1: the portal shows each line with the document's name; a code nobody can
    look up is refused with its field, and nothing is written."""
    with pytest.raises(BusinessError) as err:
        services.requirement_line_add(
            agency=world.plant,
            hs_prefix="0804",
            action="permit",
            document_type_code="n999",
            description_en="Certificate",
            origin_country="ZZ",
            destination_country="pe",
            by=world.plant_supervisor,
        )
    assert sorted((i.code, i.field) for i in err.value.items) == [
        ("country_unknown", "origin_country"),
        ("document_type_unknown", "document_type_code"),
    ]
    assert RequirementLine.objects.count() == 2
    assert not AuditEvent.objects.filter(verb__startswith="requirement_line").exists()


def test_a_document_type_withdrawn_since_may_stay_but_not_be_chosen_anew(world):
    from ventanilla.reference.models import DocumentType

    DocumentType.objects.filter(code="N851").update(valid_to=dt.date(2026, 6, 1))
    kept = services.requirement_line_change(
        line=world.plant_line,
        changes={"sla_hours": 12},
        valid_from=dt.date(2026, 12, 2),
        by=world.plant_supervisor,
    )
    assert (kept.document_type_code, kept.sla_hours) == ("N851", 12)
    with pytest.raises(BusinessError) as err:
        services.requirement_line_change(
            line=world.food_line,
            changes={"document_type_code": "N851"},
            valid_from=dt.date(2026, 12, 2),
            by=member("agency_supervisor", world.food),
        )
    assert [(i.code, i.field) for i in err.value.items] == [
        ("document_type_unknown", "document_type_code")
    ]
    assert RequirementLine.objects.count() == 3
