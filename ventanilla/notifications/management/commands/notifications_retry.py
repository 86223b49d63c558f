"""``ventanilla notifications_retry``: send the e-mails and webhooks that are due.

Run it every minute (cron or a systemd timer). It catches retries when the task
backend cannot defer a task, and messages whose enqueue was lost.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ventanilla.notifications.tasks import retry_due


class Command(BaseCommand):
    help = "Send the notification e-mails and webhook deliveries that are due."

    def handle(self, *args: Any, **options: Any) -> None:
        emails, webhooks = retry_due()
        self.stdout.write(f"enqueued {emails} e-mail(s), {webhooks} webhook delivery(ies)")
