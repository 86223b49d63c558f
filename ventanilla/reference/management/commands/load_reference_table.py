"""``ventanilla load_reference_table <kind> <file.csv>``: a national or UN/ECE code list
(tariff lines, customs offices, units, package types, document types)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ventanilla.reference.loaders.command import LoaderCommand
from ventanilla.reference.loaders.tables import TABLES, table_load


class Command(LoaderCommand):
    help = "Load a reference code list from a CSV file with a header row."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kind", choices=sorted(TABLES))
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--edition", default=None, help=("HS edition of tariff lines (default: latest).")
        )
        self.add_valid_from(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        self.run_load(
            lambda: table_load(
                kind=options["kind"],
                path=options["path"],
                edition=options["edition"],
                valid_from=options["valid_from"],
                progress=self.progress(options),
            ),
            options,
        )
