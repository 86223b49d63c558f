"""The full public HS 2022 file: exact counts, idempotence, versioning of a change."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from ventanilla.audit.models import AuditEvent
from ventanilla.reference.loaders.hs import hs_load
from ventanilla.reference.models import HSCode, HSEdition, HSSection

pytestmark = pytest.mark.django_db

PSEUDO = {"99", "9999", "999999", "TOTAL"}


def expected_from_file(path: Path) -> tuple[Counter[str], int]:
    """Counted with the csv module, independently of the loader's parser."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    real = [r for r in rows if r["hscode"] not in PSEUDO]
    return Counter(r["level"] for r in real), len(rows) - len(real)


def test_full_load_counts_and_second_run_changes_nothing(hs_csv: Path, sections_csv: Path) -> None:
    levels, skipped = expected_from_file(hs_csv)
    # What the 2022 file gives (5,613 subheadings in the file, one being 999999).
    assert (levels["2"], levels["4"], levels["6"], skipped) == (96, 1228, 5612, 4)
    total = levels["2"] + levels["4"] + levels["6"]

    first = hs_load(path=hs_csv, sections_path=sections_csv)

    assert first.kinds["hs_codes"].as_dict() == {
        "created": total,
        "changed": 0,
        "closed": 0,
        "unchanged": 0,
        "skipped": skipped,
    }
    assert first.kinds["hs_sections"].created == 21
    assert first.details["levels"] == {
        "chapters": levels["2"],
        "headings": levels["4"],
        "subheadings": levels["6"],
    }
    assert sorted(first.details["skipped_codes"]) == sorted(PSEUDO)
    edition = HSEdition.objects.get(code="2022")
    assert (edition.name_en, edition.valid_from) == ("HS 2022", dt.date(2022, 1, 1))
    codes = HSCode.objects.filter(edition=edition)
    assert codes.count() == total
    assert {lv: codes.filter(level=lv).count() for lv in (2, 4, 6)} == {
        2: 96,
        4: 1228,
        6: 5612,
    }
    assert not codes.filter(code__in=PSEUDO).exists()
    assert HSSection.objects.filter(edition=edition).count() == 21
    avocado = codes.get(code="080440")
    assert (avocado.level, avocado.parent_code, avocado.section) == (6, "0804", "II")
    assert avocado.description_en == "Fruit, edible; avocados, fresh or dried"
    assert avocado.search_text == "080440 fruit edible avocados fresh or dried"
    assert avocado.valid_from == dt.date(2022, 1, 1) and avocado.valid_to is None
    assert codes.get(code="08").parent_code == ""

    second = hs_load(path=hs_csv, sections_path=sections_csv)

    assert second.kinds["hs_codes"].as_dict() == {
        "created": 0,
        "changed": 0,
        "closed": 0,
        "unchanged": total,
        "skipped": skipped,
    }
    assert second.kinds["hs_sections"].unchanged == 21
    assert HSCode.objects.count() == total
    events = AuditEvent.objects.filter(verb="reference.hs_loaded").order_by("seq")
    assert [(e.target_type, e.target_id) for e in events] == [("reference.hsedition", "2022")] * 2
    assert events[1].payload["counts"]["hs_codes"]["unchanged"] == total


def test_command_prints_counts(hs_csv: Path) -> None:
    out = StringIO()
    call_command("load_hs", str(hs_csv), stdout=out)
    call_command("load_hs", str(hs_csv), stdout=(out := StringIO()))
    text = out.getvalue()
    assert "HS codes: 0 created, 0 changed, 0 closed, 6936 unchanged, 4 skipped" in text
    assert "96 chapters, 1228 headings, 5612 subheadings" in text
    assert "HS sections: 0 created" in text  # sections.csv found beside the file


def test_changed_description_opens_a_version_and_keeps_the_old_one(
    hs_csv: Path, tmp_path: Path
) -> None:
    hs_load(path=hs_csv)
    old = HSCode.objects.get(code="080440")
    # A Spanish text written by hand (admin) must survive an English-only release.
    HSCode.objects.filter(pk=old.pk).update(description_es="Aguacates (paltas)")
    changed = tmp_path / "harmonized-system.csv"
    changed.write_text(
        hs_csv.read_text(encoding="utf-8").replace(
            "Fruit, edible; avocados, fresh or dried", "Fruit, edible; avocados (Persea americana)"
        ),
        encoding="utf-8",
    )

    report = hs_load(path=changed, valid_from=dt.date(2030, 1, 1))

    assert report.kinds["hs_codes"].as_dict() == {
        "created": 0,
        "changed": 1,
        "closed": 0,
        "unchanged": 6935,
        "skipped": 4,
    }
    versions = list(HSCode.objects.filter(code="080440").order_by("valid_from"))
    assert len(versions) == 2
    before, after = versions
    assert before.pk == old.pk
    assert before.description_en == "Fruit, edible; avocados, fresh or dried"
    assert (before.valid_from, before.valid_to) == (dt.date(2022, 1, 1), dt.date(2030, 1, 1))
    assert after.description_en == "Fruit, edible; avocados (Persea americana)"
    assert after.description_es == "Aguacates (paltas)"
    assert (after.valid_from, after.valid_to) == (dt.date(2030, 1, 1), None)
    assert "aguacates" in after.search_text and "persea" in after.search_text
    # A declaration dated before the change still reads the old text.
    assert HSCode.objects.as_of(dt.date(2029, 12, 31)).get(code="080440").pk == before.pk
    assert HSCode.objects.as_of(dt.date(2030, 1, 1)).get(code="080440").pk == after.pk


def test_code_missing_from_a_new_file_is_closed_not_deleted(hs_csv: Path, tmp_path: Path) -> None:
    hs_load(path=hs_csv)
    lines = hs_csv.read_text(encoding="utf-8").splitlines(keepends=True)
    shorter = tmp_path / "hs.csv"
    shorter.write_text("".join(ln for ln in lines if ",080440," not in ln), encoding="utf-8")

    report = hs_load(path=shorter, valid_from=dt.date(2030, 1, 1))

    assert (report.kinds["hs_codes"].closed, report.kinds["hs_codes"].unchanged) == (1, 6935)
    avocado = HSCode.objects.get(code="080440")
    assert avocado.valid_to == dt.date(2030, 1, 1)
    assert not HSCode.objects.as_of(dt.date(2030, 1, 1)).filter(code="080440").exists()
