"""``load_reference_demo``: the curated demo set in ``ventanilla/reference/demo/``, read
by the same loaders as official files.

The demo adds and updates, it never closes: it is a sample, so running it over a full
HS or UN/LOCODE load must not close the thousands of rows it does not ship. Its English
HS texts and UN/LOCODE rows are copied from the public releases, so a full load after
the demo finds them unchanged and keeps the Spanish texts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from ventanilla.reference.loaders.hs import (
    edition_get_or_create,
    parse_hs,
    parse_sections,
    write_hs,
)
from ventanilla.reference.loaders.iso import parse_iso, write_iso
from ventanilla.reference.loaders.progress import SILENT, Progress
from ventanilla.reference.loaders.report import LoadReport, write_audited
from ventanilla.reference.loaders.tables import parse_table, write_table
from ventanilla.reference.loaders.unlocode import parse_unlocode, write_unlocode

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"
DEMO_EDITION = "2022"
# Order matters: tariff lines hang from HS subheadings loaded just before them.
DEMO_TABLES = ("units", "package_types", "document_types", "customs_offices", "tariff_lines")


def reference_demo_load(
    *, by: Any | None = None, progress: Progress = SILENT, directory: Path = DEMO_DIR
) -> LoadReport:
    """Parse every demo file first, then write them all in one transaction with one
    audit event: the demo is all there or not at all."""
    sections = parse_sections(directory / "hs_sections.csv")
    hs = parse_hs(directory / "hs.csv", sections=sections)
    locations = parse_unlocode([directory / "unlocode.csv"], progress=progress)
    tables = [parse_table(kind, directory / f"{kind}.csv") for kind in DEMO_TABLES]
    iso = parse_iso()
    progress.line(
        _(
            "Demo files read: %(codes)d HS codes, %(locations)d locations, "
            "%(rows)d rows in code lists"
        )
        % {
            "codes": len(hs.rows),
            "locations": len(locations.rows),
            "rows": sum(len(t.rows) for t in tables),
        }
    )

    def write() -> LoadReport:
        report = LoadReport()
        edition = edition_get_or_create(code=DEMO_EDITION, valid_from=None)
        report.merge(
            write_hs(hs, edition=edition, valid_from=None, close_missing=False, progress=progress)
        )
        report.merge(write_iso(iso, valid_from=None, progress=progress))
        report.merge(
            write_unlocode(locations, valid_from=None, close_missing=False, progress=progress)
        )
        for table in tables:
            report.merge(
                write_table(
                    table, valid_from=None, edition=edition, close_missing=False, progress=progress
                )
            )
        return report

    return write_audited(
        write=write,
        verb="reference.demo_loaded",
        target=("reference.hsedition", DEMO_EDITION),
        by=by,
    )


def load_demo_reference() -> dict[str, int]:
    """For the ``load_demo`` steps: totals of what the demo created or changed."""
    return reference_demo_load().total.as_dict()
