"""``ventanilla load_hs harmonized-system.csv [--sections sections.csv] [--edition 2022]``"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ventanilla.reference.loaders.command import LoaderCommand
from ventanilla.reference.loaders.hs import hs_load


class Command(LoaderCommand):
    help = "Load an HS edition from the public CSV (section,hscode,description,parent,level)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--sections",
            type=Path,
            default=None,
            help=("Sections CSV (section,name). Default: sections.csv beside the HS file."),
        )
        parser.add_argument("--edition", default="2022", help=("HS edition (year)."))
        self.add_valid_from(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        sections: Path | None = options["sections"]
        if sections is None and (path.parent / "sections.csv").is_file():
            sections = path.parent / "sections.csv"
        self.run_load(
            lambda: hs_load(
                path=path,
                sections_path=sections,
                edition=options["edition"],
                valid_from=options["valid_from"],
                progress=self.progress(options),
            ),
            options,
        )
