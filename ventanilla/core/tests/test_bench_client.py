"""The benchmark's HTTP client (benchmarks/common.py) against servers that keep the
connection open and servers that close it after each answer (gunicorn's sync workers)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from benchmarks.common import load


def _server(close: bool) -> tuple[ThreadingHTTPServer, list[int]]:
    connections: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            connections.append(1)

        def do_POST(self) -> None:  # the name http.server calls
            body = self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(201)
            self.send_header("Content-Length", str(len(body)))
            if close:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, connections


@pytest.mark.parametrize(("close", "expected_connections"), [(False, 2), (True, 6)])
def test_every_request_is_answered_and_timed_whether_or_not_the_server_closes(
    close, expected_connections
):
    server, connections = _server(close)
    try:
        requests = [("POST", "/x", f"body {n}".encode(), {}) for n in range(6)]
        seen: list[bytes] = []

        def check(status: int, body: bytes) -> bool:
            seen.append(body)
            return status == 201

        result = load(server.server_address[1], requests, 2, check)
    finally:
        server.shutdown()
        server.server_close()
    assert (len(result.latencies_ms), result.errors) == (6, 0)
    assert sorted(seen) == sorted(f"body {n}".encode() for n in range(6))
    # Keep-alive: one connection per client worker. Closing: one per request, none
    # opened for nothing after the last answer.
    assert len(connections) == expected_connections
