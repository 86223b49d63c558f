"""``ventanilla audit verify``: checks the tamper-evident audit chain."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ventanilla.audit.verify import verify_chain


class Command(BaseCommand):
    help = "Audit trail tools. 'verify' recomputes the hash chain and reports tampering."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        count, findings = verify_chain()
        if not findings:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Audit chain intact: %(count)s events verified.") % {"count": count}
                )
            )
            return
        for finding in findings:
            self.stderr.write(f"[{finding.code}] {finding.message}")
        raise CommandError(
            _("Audit chain broken: %(n)s problem(s) in %(count)s events.")
            % {
                "n": len(findings),
                "count": count,
            }
        )
