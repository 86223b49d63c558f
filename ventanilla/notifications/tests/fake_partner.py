"""A partner's webhook receiver for tests: a real HTTP server on 127.0.0.1 (random port)
in a thread. It checks signatures exactly as docs/webhooks.md tells partners to, records
what it receives, and can be told to fail the first N requests or to answer too late.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ventanilla.notifications.signing import verify_signature


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    signature_valid: bool
    answered: int

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class FakePartner:
    secret: str = ""
    fail_next: int = 0  # answer this many requests with fail_status
    fail_status: int = 503
    delay_s: float = 0.0  # sleep before answering (to make the sender time out)
    requests: list[Received] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/hooks/ventanilla"

    @property
    def accepted(self) -> list[Received]:
        """Requests answered 2xx with a valid signature: what the partner processed."""
        return [r for r in self.requests if r.signature_valid and 200 <= r.answered < 300]

    def start(self) -> FakePartner:
        partner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                valid = verify_signature(
                    partner.secret, self.headers.get("X-Ventanilla-Signature", ""), body
                )
                with partner._lock:
                    if not valid:
                        answer = 401
                    elif partner.fail_next > 0:
                        partner.fail_next -= 1
                        answer = partner.fail_status
                    else:
                        answer = 200
                    partner.requests.append(
                        Received(self.path, dict(self.headers.items()), body, valid, answer)
                    )
                if partner.delay_s:
                    time.sleep(partner.delay_s)
                try:
                    payload = b'{"ok": true}' if answer == 200 else b'{"error": "try later"}'
                    self.send_response(answer)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender gave up waiting

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self._server = server
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
