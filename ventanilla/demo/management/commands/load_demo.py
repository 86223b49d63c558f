"""``ventanilla load_demo``: the demo organisations, users and reference data."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from ventanilla.demo.steps import STEPS, resolve


class Command(BaseCommand):
    help = "Load the demo data set (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("load_reference_demo", verbosity=options["verbosity"])
        for label, target in STEPS:
            counts = resolve(target)()
            summary = ", ".join(f"{v} {k}" for k, v in counts.items())
            self.stdout.write(f"{label}: {summary} created")
