"""``ventanilla idempotency_purge``: forget idempotency keys older than the kept window.

Run it daily (cron or a systemd timer). A request retried with a key older than the
window is treated as a new request; the default window, 30 days, is far longer than any
client's retries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ventanilla.core.idempotency import idempotency_purge


class Command(BaseCommand):
    help = "Delete idempotency records (API keys and web form tokens) older than --days."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=30, help="Keep this many days (30).")
        parser.add_argument("--batch", type=int, default=5000, help="Rows per transaction.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["days"] < 1 or options["batch"] < 1:
            raise CommandError("--days and --batch must be at least 1.")
        deleted = idempotency_purge(
            older_than=dt.timedelta(days=options["days"]),
            batch=options["batch"],
            progress=lambda n: self.stderr.write(f"  {n} deleted so far"),
        )
        self.stdout.write(
            f"deleted {deleted} idempotency record(s) older than {options['days']} days"
        )
