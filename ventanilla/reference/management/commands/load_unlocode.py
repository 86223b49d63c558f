"""``ventanilla load_unlocode <file or folder> [...]``: UNECE UN/LOCODE CSV files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ventanilla.reference.loaders.command import LoaderCommand
from ventanilla.reference.loaders.unlocode import unlocode_load


class Command(LoaderCommand):
    help = (
        "Load UN/LOCODE ports, airports, terminals and border crossings from UNECE CSV "
        "files; a folder means every .csv in it."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("paths", nargs="+", type=Path)
        self.add_valid_from(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        self.run_load(
            lambda: unlocode_load(
                paths=options["paths"],
                valid_from=options["valid_from"],
                progress=self.progress(options),
            ),
            options,
        )
