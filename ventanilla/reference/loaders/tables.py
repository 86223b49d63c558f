"""National and UN/ECE code lists kept as small CSV tables with a header row: tariff
lines, customs offices, units of measure (Rec 20), package types (Rec 21) and document
types. Each has a ``name_en``/``name_es`` (or ``description_*``) pair; an empty Spanish
cell keeps the Spanish text of the version in force."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from ventanilla.reference.loaders.csvfile import header_index, read_text, records
from ventanilla.reference.loaders.errors import LoadError, Problem, Problems
from ventanilla.reference.loaders.progress import SILENT, Progress
from ventanilla.reference.loaders.report import LoadReport, write_audited
from ventanilla.reference.loaders.versioning import (
    RunDates,
    Spec,
    all_rows,
    apply_plan,
    model_baseline,
    plan_versions,
)
from ventanilla.reference.models import (
    CustomsOffice,
    DocumentType,
    HSCode,
    HSEdition,
    PackageType,
    TariffLine,
    UnitOfMeasure,
)

# Who issues or checks a document: the routing key for the agencies of the single window.
AGENCY_FUNCTIONS = ("customs", "plant_health", "animal_health", "food_safety", "health")
_TRUE, _FALSE = ("1", "yes", "true", "y"), ("0", "no", "false", "n", "")

Check = Callable[[str], None]
Convert = Callable[[dict[str, str], Check], dict[str, Any]]


def _pattern(value: str, regex: str, what: str, complain: Check) -> None:
    if not re.fullmatch(regex, value):
        complain(_("%(what)s %(value)r is not valid") % {"what": what, "value": value})


def _names(
    row: dict[str, str], complain: Check, limit: int, prefix: str = "name"
) -> dict[str, Any]:
    english, spanish = row[f"{prefix}_en"], row.get(f"{prefix}_es", "")
    if not english:
        complain(_("%(column)s is empty") % {"column": f"{prefix}_en"})
    for column, value in ((f"{prefix}_en", english), (f"{prefix}_es", spanish)):
        if len(value) > limit:
            complain(
                _("%(column)s is longer than %(limit)d characters")
                % {"column": column, "limit": limit}
            )
    return {f"{prefix}_en": english, f"{prefix}_es": spanish or None}


def _unit(row: dict[str, str], complain: Check) -> dict[str, Any]:
    _pattern(row["code"], r"[A-Z0-9]{2,3}", _("unit code"), complain)
    if len(row.get("symbol", "")) > 10:
        complain(_("symbol is longer than 10 characters"))
    return {"code": row["code"], "symbol": row.get("symbol", ""), **_names(row, complain, 100)}


def _package(row: dict[str, str], complain: Check) -> dict[str, Any]:
    _pattern(row["code"], r"[A-Z0-9]{2}", _("package code"), complain)
    bulk = row.get("is_bulk", "").lower()
    if bulk not in _TRUE + _FALSE:
        complain(_("is_bulk must be 1 or 0, got %(value)r") % {"value": row["is_bulk"]})
    return {"code": row["code"], "is_bulk": bulk in _TRUE, **_names(row, complain, 100)}


def _document(row: dict[str, str], complain: Check) -> dict[str, Any]:
    _pattern(row["code"], r"[A-Z0-9]{1,6}", _("document code"), complain)
    agency = row.get("agency_function", "")
    if agency and agency not in AGENCY_FUNCTIONS:
        complain(
            _("agency_function must be one of %(allowed)s, got %(value)r")
            % {"allowed": ", ".join(AGENCY_FUNCTIONS), "value": agency}
        )
    return {"code": row["code"], "agency_function": agency, **_names(row, complain, 200)}


def _office(row: dict[str, str], complain: Check) -> dict[str, Any]:
    code, unlocode, country = row["code"], row.get("unlocode", ""), row["country"]
    _pattern(code, r"[A-Z0-9]{2,17}", _("office code"), complain)
    _pattern(country, r"[A-Z]{2}", _("country"), complain)
    if unlocode:
        _pattern(unlocode, r"[A-Z]{2}[A-Z0-9]{3}", _("UN/LOCODE"), complain)
        if not code.startswith(unlocode) or unlocode[:2] != country:
            complain(
                _(
                    "office code %(code)s must start with its UN/LOCODE %(unlocode)s, in "
                    "country %(country)s"
                )
                % {"code": code, "unlocode": unlocode, "country": country}
            )
    return {"code": code, "unlocode": unlocode, "country": country, **_names(row, complain, 200)}


def _tariff(row: dict[str, str], complain: Check) -> dict[str, Any]:
    code, hs_code, unit = row["code"], row["hs_code"], row.get("supplementary_unit", "")
    _pattern(code, r"\d{8}|\d{10}", _("national code (8 or 10 digits)"), complain)
    if hs_code != code[:6]:
        complain(
            _("hs_code must be the first 6 digits of %(code)s, got %(value)r")
            % {"code": code, "value": hs_code}
        )
    if unit:
        _pattern(unit, r"[A-Z0-9]{2,3}", _("supplementary unit"), complain)
    if not row["description_en"]:
        complain(_("description_en is empty"))
    return {
        "code": code,
        "hs_code": hs_code,
        "supplementary_unit": unit,
        "description_en": row["description_en"],
        "description_es": row.get("description_es") or None,
    }


@dataclass(frozen=True)
class Table:
    spec: Spec
    required: tuple[str, ...]
    optional: tuple[str, ...]
    convert: Convert


TABLES: dict[str, Table] = {
    "units": Table(
        Spec(UnitOfMeasure, "UN/ECE Rec 20", ("code",), ("symbol", "name_en"), ("name_es",)),
        ("code", "name_en"),
        ("symbol", "name_es"),
        _unit,
    ),
    "package_types": Table(
        Spec(PackageType, "UN/ECE Rec 21", ("code",), ("is_bulk", "name_en"), ("name_es",)),
        ("code", "name_en"),
        ("is_bulk", "name_es"),
        _package,
    ),
    "document_types": Table(
        Spec(
            DocumentType, "document type", ("code",), ("agency_function", "name_en"), ("name_es",)
        ),
        ("code", "name_en"),
        ("agency_function", "name_es"),
        _document,
    ),
    "customs_offices": Table(
        Spec(
            CustomsOffice,
            "customs office",
            ("code",),
            ("unlocode", "country", "name_en"),
            ("name_es",),
        ),
        ("code", "country", "name_en"),
        ("unlocode", "name_es"),
        _office,
    ),
    "tariff_lines": Table(
        Spec(
            TariffLine,
            "tariff line",
            ("code",),
            ("hs_code", "supplementary_unit", "description_en"),
            ("description_es",),
        ),
        ("code", "hs_code", "description_en"),
        ("description_es", "supplementary_unit"),
        _tariff,
    ),
}


@dataclass
class TableInput:
    kind: str
    file: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)


def parse_table(kind: str, path: Path) -> TableInput:
    table = TABLES[kind]
    problems = Problems(path.name)
    result = TableInput(kind=kind, file=path.name)
    rows = records(path.name, read_text(path))
    header = next(rows, None)
    if header is None:
        raise LoadError([Problem(path.name, None, _("the file is empty"))])
    cols = header_index(path.name, header[1], table.required, table.optional)
    for line, fields in rows:
        if len(fields) != len(cols):
            problems.add(
                line,
                _("expected %(expected)d columns, got %(got)d")
                % {"expected": len(cols), "got": len(fields)},
            )
            continue
        before = len(problems.items)
        raw = {name: fields[i].strip() for name, i in cols.items()}
        row = table.convert(raw, partial(problems.add, line))
        if row["code"] in result.lines:
            problems.add(
                line,
                _("duplicate code %(code)s (first on line %(first)d)")
                % {"code": row["code"], "first": result.lines[row["code"]]},
            )
        if len(problems.items) == before:
            result.lines[row["code"]] = line
            result.rows.append(row)
    problems.raise_if_any()
    return result


def write_table(
    data: TableInput,
    *,
    valid_from: dt.date | None,
    edition: HSEdition | None = None,
    close_missing: bool = True,
    progress: Progress = SILENT,
) -> LoadReport:
    """Apply one parsed table. Tariff lines belong to an HS edition and must hang from a
    subheading of it that is in force."""
    table = TABLES[data.kind]
    model = table.spec.model
    scope = all_rows(model)
    rows = data.rows
    if data.kind == "tariff_lines":
        if edition is None:
            raise LoadError([Problem(data.file, None, _("no HS edition to attach lines to"))])
        _check_subheadings(data, edition)
        scope = scope.filter(edition=edition)
        rows = [{**r, "edition_id": edition.pk} for r in rows]
    dates = RunDates.resolve(valid_from, baseline=model_baseline(model))
    plan = plan_versions(
        spec=table.spec, scope=scope, rows=rows, dates=dates, close_missing=close_missing
    )
    report = LoadReport()
    report.add(data.kind, apply_plan(plan, progress=progress))
    return report


def _check_subheadings(data: TableInput, edition: HSEdition) -> None:
    wanted = {r["hs_code"] for r in data.rows}
    found = set(
        all_rows(HSCode)
        .filter(edition=edition, level=6, code__in=wanted)
        .filter(valid_to__isnull=True)
        .values_list("code", flat=True)
    )
    problems = [
        Problem(
            data.file,
            data.lines[r["code"]],
            _("HS subheading %(hs)s is not in HS %(edition)s")
            % {"hs": r["hs_code"], "edition": edition.code},
        )
        for r in data.rows
        if r["hs_code"] not in found
    ]
    if problems:
        raise LoadError(problems)


def table_load(
    *,
    kind: str,
    path: Path,
    valid_from: dt.date | None = None,
    edition: str | None = None,
    close_missing: bool = True,
    by: Any | None = None,
    progress: Progress = SILENT,
) -> LoadReport:
    if kind not in TABLES:
        raise LoadError(
            [
                Problem(
                    "",
                    None,
                    _("unknown table %(kind)s; choose one of %(kinds)s")
                    % {"kind": kind, "kinds": ", ".join(TABLES)},
                )
            ]
        )
    data = parse_table(kind, path)
    progress.line(_("%(file)s: %(count)d rows read") % {"file": path.name, "count": len(data.rows)})

    def write() -> LoadReport:
        hs_edition = None
        if kind == "tariff_lines":
            hs_edition = (
                HSEdition.objects.filter(code=edition).first()
                if edition
                else HSEdition.objects.order_by("-valid_from").first()
            )
        return write_table(
            data,
            valid_from=valid_from,
            edition=hs_edition,
            close_missing=close_missing,
            progress=progress,
        )

    model = TABLES[kind].spec.model
    return write_audited(
        write=write, verb=f"reference.{kind}_loaded", target=(model._meta.label_lower, kind), by=by
    )
