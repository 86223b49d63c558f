"""``ventanilla load_iso``: ISO 3166-1 countries and ISO 4217 currencies, in both languages."""

from __future__ import annotations

from typing import Any

from ventanilla.reference.loaders.command import LoaderCommand
from ventanilla.reference.loaders.iso import iso_load


class Command(LoaderCommand):
    help = "Load ISO 3166-1 countries and ISO 4217 currencies (English and Spanish names)."

    def add_arguments(self, parser: Any) -> None:
        self.add_valid_from(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        self.run_load(
            lambda: iso_load(valid_from=options["valid_from"], progress=self.progress(options)),
            options,
        )
