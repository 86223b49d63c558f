"""``ventanilla load_reference_demo``: the curated demo reference data (idempotent)."""

from __future__ import annotations

from typing import Any

from ventanilla.reference.loaders.command import LoaderCommand
from ventanilla.reference.loaders.demo import reference_demo_load


class Command(LoaderCommand):
    help = "Load the demo reference data: HS extract, tariff lines, places, code lists."

    def handle(self, *args: Any, **options: Any) -> None:
        self.run_load(lambda: reference_demo_load(progress=self.progress(options)), options)
