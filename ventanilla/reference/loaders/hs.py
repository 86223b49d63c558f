"""Harmonized System nomenclature from the public CSV (``section,hscode,description,
parent,level``, as published by datasets/harmonized-system from UN Comtrade) and the
sections file (``section,name``).

The public file carries pseudo-codes that are not HS codes (chapter 99, 9999, 999999:
"commodities not specified according to kind", and a ``TOTAL`` root row); they are
skipped and counted. An optional ``description_es`` column lets our own curated files
(the demo set) carry Spanish in the same format.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from ventanilla.reference.loaders.csvfile import header_index, read_text, records
from ventanilla.reference.loaders.errors import LoadError, Problem, Problems
from ventanilla.reference.loaders.progress import SILENT, Progress
from ventanilla.reference.loaders.report import LoadReport, write_audited
from ventanilla.reference.loaders.versioning import (
    Counts,
    RunDates,
    Spec,
    all_rows,
    apply_plan,
    plan_versions,
)
from ventanilla.reference.models import HSCode, HSEdition, HSSection

HS_COLUMNS = ("section", "hscode", "description", "parent", "level")
ROOT = "TOTAL"
LEVEL_NAMES = {2: "chapters", 4: "headings", 6: "subheadings"}
_ROMAN = re.compile(r"^(X{0,3})(IX|IV|V?I{0,3})$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}

HS_SPEC = Spec(
    model=HSCode,
    label="HS",
    key=("code",),
    compared=("level", "parent_code", "section", "description_en"),
    carried=("description_es",),
)


def roman_to_int(numeral: str) -> int | None:
    if not numeral or not _ROMAN.match(numeral):
        return None
    values = [_ROMAN_VALUES[c] for c in numeral]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def is_pseudo_code(code: str) -> bool:
    """99, 9999, 999999 and TOTAL: statistical placeholders, not HS codes."""
    return code == ROOT or (len(code) in (2, 4, 6) and set(code) == {"9"})


@dataclass
class HSSections:
    # number -> (position, name_en, name_es or None)
    rows: dict[str, tuple[int, str, str | None]] = field(default_factory=dict)


@dataclass
class HSInput:
    rows: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    by_level: Counter[int] = field(default_factory=Counter)
    sections: HSSections | None = None


def parse_sections(path: Path) -> HSSections:
    text = read_text(path)
    problems = Problems(path.name)
    result = HSSections()
    rows = records(path.name, text)
    header = next(rows, None)
    if header is None:
        raise LoadError([Problem(path.name, None, _("the file is empty"))])
    cols = header_index(path.name, header[1], ("section", "name"), ("name_es",))
    for line, fields in rows:
        if len(fields) != len(cols):
            problems.add(line, _wrong_columns(len(cols), len(fields)))
            continue
        number = fields[cols["section"]].strip()
        name = fields[cols["name"]].strip()
        name_es = fields[cols["name_es"]].strip() if "name_es" in cols else ""
        position = roman_to_int(number)
        if position is None:
            problems.add(line, _("section %(value)r is not a roman numeral") % {"value": number})
        elif number in result.rows:
            problems.add(line, _("duplicate section %(value)s") % {"value": number})
        elif not name:
            problems.add(line, _("the section name is empty"))
        else:
            # Published as "live animals; ..." in places: capitalise for display only.
            result.rows[number] = (position, name[0].upper() + name[1:], name_es or None)
    problems.raise_if_any()
    return result


def parse_hs(path: Path, *, sections: HSSections | None = None) -> HSInput:
    """Read and validate the whole file; refuse it with every problem found."""
    text = read_text(path)
    problems = Problems(path.name)
    result = HSInput(sections=sections)
    rows = records(path.name, text)
    header = next(rows, None)
    if header is None:
        raise LoadError([Problem(path.name, None, _("the file is empty"))])
    cols = header_index(path.name, header[1], HS_COLUMNS, ("description_es",))
    lines: dict[str, int] = {}
    parents: list[tuple[int, str, str]] = []
    for line, fields in rows:
        if len(fields) != len(cols):
            problems.add(line, _wrong_columns(len(cols), len(fields)))
            continue
        code = fields[cols["hscode"]].strip()
        if is_pseudo_code(code):
            result.skipped.append(code)
            continue
        row = _hs_row(line, fields, cols, problems, sections)
        if row is None:
            continue
        if code in lines:
            problems.add(
                line,
                _("duplicate code %(code)s (first on line %(first)d)")
                % {"code": code, "first": lines[code]},
            )
            continue
        lines[code] = line
        parents.append((line, code, row["parent_code"]))
        result.rows.append(row)
        result.by_level[row["level"]] += 1
    by_code = {r["code"]: r for r in result.rows}
    for line, code, parent in parents:
        if parent and parent not in by_code:
            problems.add(
                line,
                _("parent %(parent)s of %(code)s is not in the file")
                % {"parent": parent, "code": code},
            )
        elif parent and by_code[parent]["section"] != by_code[code]["section"]:
            problems.add(
                line,
                _("section %(section)s differs from its parent's (%(parent)s)")
                % {"section": by_code[code]["section"], "parent": by_code[parent]["section"]},
            )
    problems.raise_if_any()
    return result


def _hs_row(
    line: int,
    fields: list[str],
    cols: dict[str, int],
    problems: Problems,
    sections: HSSections | None,
) -> dict[str, Any] | None:
    code = fields[cols["hscode"]].strip()
    raw_level = fields[cols["level"]].strip()
    parent = fields[cols["parent"]].strip()
    section = fields[cols["section"]].strip()
    description = fields[cols["description"]].strip()
    description_es = fields[cols["description_es"]].strip() if "description_es" in cols else ""
    if raw_level not in ("2", "4", "6"):
        problems.add(line, _("level must be 2, 4 or 6, got %(value)r") % {"value": raw_level})
        return None
    level = int(raw_level)
    before = len(problems.items)
    if not (code.isdigit() and code.isascii() and len(code) == level):
        problems.add(
            line,
            _("code %(code)r must have %(level)d digits for level %(level)d")
            % {"code": code, "level": level},
        )
    expected_parent = ROOT if level == 2 else code[: level - 2]
    if parent != expected_parent:
        problems.add(
            line,
            _("parent of %(code)s must be %(expected)s, got %(value)r")
            % {"code": code, "expected": expected_parent, "value": parent},
        )
    if sections is not None and section not in sections.rows:
        problems.add(line, _("section %(value)r is not in the sections file") % {"value": section})
    elif roman_to_int(section) is None:
        problems.add(line, _("section %(value)r is not a roman numeral") % {"value": section})
    if not description:
        problems.add(line, _("the description is empty"))
    if len(problems.items) > before:
        return None
    return {
        "code": code,
        "level": level,
        "parent_code": "" if level == 2 else parent,
        "section": section,
        "description_en": description,
        "description_es": description_es or None,
    }


def _wrong_columns(expected: int, got: int) -> str:
    return _("expected %(expected)d columns, got %(got)d") % {"expected": expected, "got": got}


def edition_get_or_create(*, code: str, valid_from: dt.date | None) -> HSEdition:
    """A new edition starts on 1 January of its year unless told otherwise, and ends the
    edition it replaces (HS editions replace each other whole)."""
    edition = HSEdition.objects.filter(code=code).first()
    if edition is not None:
        return edition
    start = valid_from or dt.date(int(code), 1, 1)
    HSEdition.objects.filter(valid_to__isnull=True, valid_from__lt=start).update(valid_to=start)
    return HSEdition.objects.create(
        code=code, name_en=f"HS {code}", name_es=f"SA {code}", valid_from=start
    )


def write_hs(
    data: HSInput,
    *,
    edition: HSEdition,
    valid_from: dt.date | None,
    close_missing: bool = True,
    progress: Progress = SILENT,
) -> LoadReport:
    """Apply parsed HS data to ``edition``; inside the caller's transaction."""
    report = LoadReport()
    if data.sections is not None:
        report.add("hs_sections", _write_sections(edition, data.sections))
    scope = all_rows(HSCode).filter(edition=edition)
    dates = RunDates.resolve(valid_from, baseline=edition.valid_from)
    rows = [{**r, "edition_id": edition.pk} for r in data.rows]
    plan = plan_versions(
        spec=HS_SPEC, scope=scope, rows=rows, dates=dates, close_missing=close_missing
    )
    plan.counts.skipped = len(data.skipped)
    report.add("hs_codes", apply_plan(plan, progress=progress))
    levels = {LEVEL_NAMES[lv]: data.by_level.get(lv, 0) for lv in (2, 4, 6)}
    report.details.update(
        {"edition": edition.code, "levels": levels, "skipped_codes": data.skipped}
    )
    progress.line(
        _(
            "HS %(edition)s: %(chapters)d chapters, %(headings)d headings, %(subheadings)d "
            "subheadings read; %(skipped)d pseudo-codes skipped (%(codes)s)"
        )
        % {
            "edition": edition.code,
            **levels,
            "skipped": len(data.skipped),
            "codes": ", ".join(data.skipped) or "-",
        }
    )
    return report


def _write_sections(edition: HSEdition, sections: HSSections) -> Counts:
    """Sections belong to one edition and carry no dates of their own: a corrected name
    is updated in place (and the Spanish name kept when the file has none)."""
    counts = Counts()
    stored = {s.number: s for s in HSSection.objects.filter(edition=edition)}
    for number, (position, name_en, name_es) in sections.rows.items():
        section = stored.get(number)
        if section is None:
            HSSection.objects.create(
                edition=edition, number=number, position=position, name_en=name_en, name_es=name_es
            )
            counts.created += 1
            continue
        # name_en/name_es are added by modeltranslation, hence getattr/setattr.
        new_es = name_es if name_es is not None else getattr(section, "name_es", None)
        old = (section.position, getattr(section, "name_en", ""), getattr(section, "name_es", None))
        if old == (position, name_en, new_es):
            counts.unchanged += 1
            continue
        section.position = position
        setattr(section, "name_en", name_en)  # noqa: B010
        setattr(section, "name_es", new_es)  # noqa: B010
        section.save()
        counts.changed += 1
    return counts


def hs_load(
    *,
    path: Path,
    sections_path: Path | None = None,
    edition: str = "2022",
    valid_from: dt.date | None = None,
    close_missing: bool = True,
    by: Any | None = None,
    progress: Progress = SILENT,
) -> LoadReport:
    """Load (or reload) one HS edition: all-or-nothing, idempotent, one audit event."""
    if not (edition.isdigit() and len(edition) == 4):
        raise LoadError([Problem("", None, _("the edition must be a year such as 2022"))])
    sections = parse_sections(sections_path) if sections_path is not None else None
    if sections is not None:
        progress.line(
            _("%(file)s: %(count)d sections read")
            % {"file": sections_path.name if sections_path else "", "count": len(sections.rows)}
        )
    data = parse_hs(path, sections=sections)
    progress.line(
        _("%(file)s: %(count)d codes read, %(skipped)d skipped")
        % {"file": path.name, "count": len(data.rows), "skipped": len(data.skipped)}
    )

    def write() -> LoadReport:
        hs_edition = edition_get_or_create(code=edition, valid_from=valid_from)
        return write_hs(
            data,
            edition=hs_edition,
            valid_from=valid_from,
            close_missing=close_missing,
            progress=progress,
        )

    return write_audited(
        write=write, verb="reference.hs_loaded", target=("reference.hsedition", edition), by=by
    )
