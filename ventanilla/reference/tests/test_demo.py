"""The curated demo set: complete, bilingual, idempotent, and safe over a full load."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pycountry
import pytest
from django.core.management import call_command

from ventanilla.audit.models import AuditEvent
from ventanilla.reference import models as m
from ventanilla.reference.loaders.demo import reference_demo_load

pytestmark = pytest.mark.django_db

EXPECTED = {
    "hs_sections": 7,
    "hs_codes": 97,
    "countries": len(pycountry.countries),
    "currencies": len(pycountry.currencies),
    "locations": 43,
    "units": 16,
    "package_types": 19,
    "document_types": 14,
    "customs_offices": 12,
    "tariff_lines": 24,
}


def test_demo_loads_everything_once_and_second_run_changes_nothing() -> None:
    first = reference_demo_load()
    assert {kind: c.created for kind, c in first.kinds.items()} == EXPECTED
    assert first.total.changed == first.total.closed == 0

    second = reference_demo_load()

    assert {kind: c.unchanged for kind, c in second.kinds.items()} == EXPECTED
    assert second.total.writes == 0
    assert AuditEvent.objects.filter(verb="reference.demo_loaded").count() == 2
    assert m.HSCode.objects.count() == 97


def test_command_runs_twice(db: None) -> None:
    call_command("load_reference_demo", stdout=StringIO())
    out = StringIO()
    call_command("load_reference_demo", stdout=out)
    assert "HS codes: 0 created, 0 changed, 0 closed, 97 unchanged, 0 skipped" in out.getvalue()
    assert "National tariff lines: 0 created, 0 changed, 0 closed, 24 unchanged" in out.getvalue()


def test_demo_content_is_bilingual_and_complete(db: None) -> None:
    reference_demo_load()
    codes = m.HSCode.objects.all()
    assert not codes.filter(description_es__isnull=True).exists()
    assert {c.level for c in codes} == {2, 4, 6}
    known = set(codes.values_list("code", flat=True))
    assert all(c.parent_code in known for c in codes if c.level > 2)  # full parent chains
    assert codes.get(code="080440").description_es == "Aguacates (paltas), frescos o secos"
    assert codes.get(code="080440").valid_from == dt.date(2022, 1, 1)
    for code in (
        "080610",
        "081040",
        "070920",
        "090111",
        "260300",
        "740311",
        "611019",
        "870323",
        "870421",
        "847130",
        "851713",
        "030743",
    ):
        assert code in known
    for model in (m.CustomsOffice, m.UnitOfMeasure, m.PackageType, m.DocumentType):
        assert not model._default_manager.filter(name_es__isnull=True).exists()
    assert set(m.PackageType.objects.filter(is_bulk=True).values_list("code", flat=True)) == {
        "VG",
        "VL",
        "VO",
        "VQ",
        "VR",
        "VS",
        "VY",
    }
    lines = m.TariffLine.objects.all()
    assert all(len(t.code) == 10 and t.code.startswith(t.hs_code) for t in lines)
    assert all(t.hs_code in known for t in lines)
    offices = m.CustomsOffice.objects.all()
    places = set(m.Location.objects.values_list("unlocode", flat=True))
    assert all(o.unlocode in places and o.code.startswith(o.unlocode) for o in offices)
    assert m.DocumentType.objects.get(code="N851").agency_function == "plant_health"
    chacalluta = m.Location.objects.get(unlocode="CLCCD")
    assert chacalluta.is_border_crossing and chacalluta.is_road
    assert m.Location.objects.get(unlocode="MXLZC").name == "Lázaro Cárdenas"
    assert m.Country.objects.get(code="PE").name_es == "Perú"
