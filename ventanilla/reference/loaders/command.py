"""What every ``load_*`` command shares: dates, progress, the report, and turning a
refused input into a CommandError (non-zero exit, nothing written)."""

from __future__ import annotations

import datetime as dt
import time
from argparse import ArgumentParser, ArgumentTypeError
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ventanilla.reference.loaders.errors import LoadError
from ventanilla.reference.loaders.progress import Progress
from ventanilla.reference.loaders.report import LoadReport


def iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ArgumentTypeError(
            _("%(value)r is not a date (YYYY-MM-DD)") % {"value": value}
        ) from exc


class LoaderCommand(BaseCommand):
    def add_valid_from(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--valid-from",
            type=iso_date,
            default=None,
            help=(
                "Date the changes take effect (YYYY-MM-DD); old versions end that day. "
                "Default: today, and rows never loaded before are in force from the start."
            ),
        )

    def progress(self, options: dict[str, Any]) -> Progress:
        verbose = options.get("verbosity", 1) >= 1
        return Progress(write=self.stdout.write if verbose else None)

    def run_load(self, load: Callable[[], LoadReport], options: dict[str, Any]) -> LoadReport:
        started = time.monotonic()
        try:
            report = load()
        except LoadError as exc:
            raise CommandError(_("Refused, nothing was written:") + "\n" + str(exc)) from exc
        if options.get("verbosity", 1) >= 1:
            for line in report.lines():
                self.stdout.write(line)
            self.stdout.write(
                self.style.SUCCESS(
                    _("Done in %(seconds).1f s.") % {"seconds": time.monotonic() - started}
                )
            )
        return report
