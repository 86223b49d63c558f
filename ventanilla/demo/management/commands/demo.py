"""``ventanilla demo``: migrate, load the demo data, run the web server and a task
worker, and print where to sign in. Stops both on Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from ventanilla.accounts.demo import DEMO_PASSWORD, USERS


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


class Command(BaseCommand):
    help = "Run the platform with demo data: web server and task worker."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--no-worker", action="store_true")
        parser.add_argument(
            "--no-serve", action="store_true", help="Prepare the database and exit."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        if not options["no_serve"] and not _port_free(host, port):
            raise CommandError(f"Port {port} on {host} is in use: set PORT to another port.")
        db = settings.DATABASES["default"]
        if db["ENGINE"].endswith("sqlite3"):
            os.makedirs(os.path.dirname(str(db["NAME"])), exist_ok=True)
        self.stdout.write("1/3 Migrating the database...")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("2/3 Loading demo data...")
        call_command("load_demo", verbosity=1)
        if options["no_serve"]:
            return
        worker = None
        if not options["no_worker"]:
            self.stdout.write("3/3 Starting the task worker and the web server...")
            worker = subprocess.Popen(
                [sys.executable, "-m", "ventanilla.cli", "worker"], env=os.environ.copy()
            )
        self._banner(host, port)
        try:
            call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)
        finally:
            if worker is not None:
                worker.send_signal(signal.SIGTERM)
                worker.wait(timeout=10)

    def _banner(self, host: str, port: int) -> None:
        url = f"http://{host}:{port}/"
        width = max(len(u.email) for u in USERS)
        lines = [
            "",
            f"Ventanilla is running at {url}",
            f"Admin: {url}admin/   API docs: {url}api/docs/",
            f"Demo sign-ins (password for all: {DEMO_PASSWORD}):",
            *[f"  {u.email.ljust(width)}  {u.label}" for u in USERS],
            "Press Ctrl-C to stop.",
            "",
        ]
        self.stdout.write(self.style.SUCCESS("\n".join(lines)))
