"""UN/LOCODE from the UNECE CSV release (no header; columns Change, Country, Location,
Name, NameWoDiacritics, Subdivision, Function, Status, Date, IATA, Coordinates, Remarks).

Only places that matter for moving goods are kept: a port, rail or road terminal,
airport, multimodal/inland depot or border crossing (Function positions 1, 2, 3, 4, 6
and 8). Besides those, a release holds country header rows (".PERU"), reference rows
without a code of their own ("Antwerp = Antwerpen"), entries marked for deletion
(Change "X") and alternative names of one code (Belgium lists "Brussel (Bruxelles)"
and "Bruxelles (Brussel)" under BEBRU): all skipped and counted, the first listed name
of a code being the one kept.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from ventanilla.reference.loaders.csvfile import read_text, records
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
from ventanilla.reference.models import Location

COLUMNS = 12
CHANGE, COUNTRY, LOCATION, NAME, NAME_ASCII, SUBDIVISION, FUNCTION, STATUS = range(8)
IATA, COORDINATES = 9, 10
# Function position (0-based) -> the character it holds when it applies -> our flag.
KEPT_FUNCTIONS = {
    0: ("1", "is_seaport"),
    1: ("2", "is_rail"),
    2: ("3", "is_road"),
    3: ("4", "is_airport"),
    5: ("6", "is_multimodal"),
    7: ("B", "is_border_crossing"),
}
FLAGS = tuple(flag for _char, flag in KEPT_FUNCTIONS.values())
# Position 1 may also hold 0: "function not known, to be specified".
_ALLOWED = ["-01", "-2", "-3", "-4", "-5", "-6", "-7", "-B"]
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_LOCATION = re.compile(r"^[A-Z0-9]{3}$")
MAX_LENGTHS = {NAME: 200, NAME_ASCII: 200, SUBDIVISION: 5, STATUS: 2, IATA: 3, COORDINATES: 20}
WITHDRAWN = ("X", "x")

LOCATION_SPEC = Spec(
    model=Location,
    label="UN/LOCODE",
    key=("unlocode",),
    compared=(
        "country",
        "name",
        "name_ascii",
        "subdivision",
        "function",
        "status",
        "iata",
        "coordinates",
        *FLAGS,
    ),
)


@dataclass
class UnlocodeInput:
    rows: list[dict[str, Any]] = field(default_factory=list)
    countries: set[str] = field(default_factory=set)
    read: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    functions: Counter[str] = field(default_factory=Counter)


def csv_files(paths: list[Path]) -> list[Path]:
    """Files as given; a directory stands for every ``*.csv`` in it, in name order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.glob("*.csv") if p.is_file())
            if not found:
                raise LoadError([Problem(str(path), None, _("no .csv files in this folder"))])
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise LoadError([Problem(str(path), None, _("no such file or folder"))])
    return files


def parse_unlocode(paths: list[Path], *, progress: Progress = SILENT) -> UnlocodeInput:
    """Read and validate every file before anything is written; one bad row in any file
    refuses the whole load."""
    result = UnlocodeInput()
    seen: set[str] = set()
    problems: list[Problem] = []
    files = csv_files(paths)
    for path in progress.bar(files, total=len(files), desc="UN/LOCODE"):
        file_problems = Problems(path.name)
        read, kept = 0, 0
        for line, fields in records(path.name, read_text(path)):
            read += 1
            row = _location_row(line, fields, file_problems, result)
            if row is None:
                continue
            if row["unlocode"] in seen:
                result.skipped["alternative_name"] += 1
                continue
            seen.add(row["unlocode"])
            result.rows.append(row)
            kept += 1
            for flag in FLAGS:
                result.functions[flag] += row[flag]
        result.read += read
        problems.extend(file_problems.items)
        progress.line(
            _("%(file)s: %(read)d rows read, %(kept)d kept")
            % {"file": path.name, "read": read, "kept": kept}
        )
    if problems:
        raise LoadError(problems)
    return result


def _location_row(
    line: int, fields: list[str], problems: Problems, result: UnlocodeInput
) -> dict[str, Any] | None:
    """The row to keep, or ``None`` (skipped and counted, or a problem recorded)."""
    if len(fields) != COLUMNS:
        problems.add(
            line,
            _("expected %(expected)d columns, got %(got)d")
            % {"expected": COLUMNS, "got": len(fields)},
        )
        return None
    fields = [f.strip() for f in fields]
    country, location, name = fields[COUNTRY], fields[LOCATION], fields[NAME]
    if not _COUNTRY.match(country):
        problems.add(
            line, _("country %(value)r is not an ISO 3166 alpha-2 code") % {"value": country}
        )
        return None
    result.countries.add(country)
    if not location:
        if name.startswith("."):
            result.skipped["country_header"] += 1
        elif fields[CHANGE] == "=" or " = " in name:  # "Cayenne = GF CAY" points elsewhere
            result.skipped["reference_entry"] += 1
        else:
            problems.add(line, _("the Location column is empty"))
        return None
    before = len(problems.items)
    if not _LOCATION.match(location):
        problems.add(
            line, _("location %(value)r must be 3 letters or digits") % {"value": location}
        )
    if not name:
        problems.add(line, _("the name is empty"))
    _check_function(line, fields[FUNCTION], problems)
    for index, limit in MAX_LENGTHS.items():
        if len(fields[index]) > limit:
            problems.add(
                line,
                _("column %(column)d is longer than %(limit)d characters")
                % {"column": index + 1, "limit": limit},
            )
    if len(problems.items) > before:
        return None
    if fields[CHANGE] in WITHDRAWN:
        result.skipped["marked_for_deletion"] += 1
        return None
    function = fields[FUNCTION]
    flags = {flag: function[pos] == char for pos, (char, flag) in KEPT_FUNCTIONS.items()}
    if not any(flags.values()):
        result.skipped["no_trade_function"] += 1
        return None
    return {
        "unlocode": country + location,
        "country": country,
        "name": name,
        "name_ascii": fields[NAME_ASCII] or name,
        "subdivision": fields[SUBDIVISION],
        "function": function,
        "status": fields[STATUS],
        "iata": fields[IATA],
        "coordinates": fields[COORDINATES],
        **flags,
    }


def _check_function(line: int, function: str, problems: Problems) -> None:
    if len(function) != 8:
        problems.add(line, _("function %(value)r must have 8 positions") % {"value": function})
        return
    for pos, char in enumerate(function):
        if char not in _ALLOWED[pos]:
            problems.add(
                line,
                _("function %(value)r: position %(pos)d must be %(allowed)s, got %(char)r")
                % {
                    "value": function,
                    "pos": pos + 1,
                    "char": char,
                    "allowed": " or ".join(repr(c) for c in reversed(_ALLOWED[pos])),
                },
            )
            return


def write_unlocode(
    data: UnlocodeInput,
    *,
    valid_from: dt.date | None,
    close_missing: bool = True,
    progress: Progress = SILENT,
) -> LoadReport:
    """Apply parsed locations; the scope is the countries present in the files, so
    loading PE.csv alone never closes Chilean locations."""
    report = LoadReport()
    scope = all_rows(Location).filter(country__in=sorted(data.countries))
    dates = RunDates.resolve(valid_from, baseline=model_baseline(Location))
    plan = plan_versions(
        spec=LOCATION_SPEC, scope=scope, rows=data.rows, dates=dates, close_missing=close_missing
    )
    plan.counts.skipped = sum(data.skipped.values())
    report.add("locations", apply_plan(plan, progress=progress))
    report.details.update(
        {
            "rows_read": data.read,
            "countries": len(data.countries),
            "kept": len(data.rows),
            "kept_by_function": {flag.removeprefix("is_"): data.functions[flag] for flag in FLAGS},
            "skipped_by_reason": dict(sorted(data.skipped.items())),
        }
    )
    progress.line(
        _(
            "UN/LOCODE: %(read)d rows read in %(countries)d countries, %(kept)d kept; skipped: "
            "%(skipped)s"
        )
        % {
            "read": data.read,
            "countries": len(data.countries),
            "kept": len(data.rows),
            "skipped": ", ".join(f"{k} {v}" for k, v in sorted(data.skipped.items())) or "0",
        }
    )
    return report


def unlocode_load(
    *,
    paths: list[Path],
    valid_from: dt.date | None = None,
    close_missing: bool = True,
    by: Any | None = None,
    progress: Progress = SILENT,
) -> LoadReport:
    data = parse_unlocode(paths, progress=progress)
    return write_audited(
        write=lambda: write_unlocode(
            data, valid_from=valid_from, close_missing=close_missing, progress=progress
        ),
        verb="reference.unlocode_loaded",
        target=("reference.location", "unlocode"),
        by=by,
    )
