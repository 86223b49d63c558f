"""Shared pieces: start/stop a real server, drive it over HTTP, print figures."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/test"


def emit(benchmark: str, value: float, unit: str, peer: str, peer_value: float) -> None:
    ratio = round(value / peer_value, 3) if peer_value else None
    print(
        json.dumps(
            {
                "benchmark": benchmark,
                "value": round(value, 3),
                "unit": unit,
                "peer": peer,
                "peer_value": round(peer_value, 3),
                "ratio": ratio,
            }
        ),
        flush=True,
    )


def progress(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)


def settle(database_url: str, wait_s: float = 60) -> None:
    """Start a measured phase from a quiet database: the previous phase's rows vacuumed
    and analysed now, its dirty pages written out (a checkpoint, which needs a
    superuser), and any autovacuum already started finished — rather than any of that
    landing in the middle of the next measurement."""
    import psycopg

    try:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE)")
            try:
                conn.execute("CHECKPOINT")
            except psycopg.Error as error:
                progress(f"no checkpoint between phases ({error.__class__.__name__})")
            deadline = time.monotonic() + wait_s
            while time.monotonic() < deadline:
                row = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE backend_type = 'autovacuum worker' AND datname = current_database()"
                ).fetchone()
                if not row or not row[0]:
                    break
                time.sleep(0.5)
    except psycopg.Error as error:
        progress(f"could not settle the database ({error.__class__.__name__})")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bench_env(database_url: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.bench",
        "LOG_LEVEL": "WARNING",
    }
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "ventanilla.cli", *args], env=env, check=True, cwd=ROOT)


@dataclass(frozen=True)
class Served:
    port: int
    pid: int  # gunicorn's master: its workers are its children


@contextmanager
def server(env: dict[str, str]) -> Iterator[Served]:
    """gunicorn serving the project with its own settings (``config/gunicorn.conf.py``) on
    a free loopback port; stopped on exit.

    The processes, threads and worker class are the file's (sync workers, cores + 1)
    unless ``BENCH_WORKERS``, ``BENCH_THREADS`` or ``BENCH_WORKER_CLASS`` say otherwise,
    as they did to compare sync workers with threads (ADR 0006)."""
    port = free_port()
    overrides: list[str] = []
    for flag, name in (
        ("--workers", "BENCH_WORKERS"),
        ("--threads", "BENCH_THREADS"),
        ("--worker-class", "BENCH_WORKER_CLASS"),
    ):
        if os.environ.get(name):
            overrides += [flag, os.environ[name]]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "config/gunicorn.conf.py",  # the settings the platform is served with
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            *overrides,
            "--max-requests",
            "0",  # no worker replaced in the middle of a measurement
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError("the server did not start")
        yield Served(port, proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


@dataclass
class LoadResult:
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed_s: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies_ms) / self.elapsed_s if self.elapsed_s else 0.0

    @property
    def p99(self) -> float:
        return (
            statistics.quantiles(self.latencies_ms, n=100)[98]
            if len(self.latencies_ms) > 2
            else 0.0
        )


def load(
    port: int,
    requests: list[tuple[str, str, bytes, dict[str, str]]],
    concurrency: int,
    check: Callable[[int, bytes], bool],
) -> LoadResult:
    """Send the requests over ``concurrency`` keep-alive connections.

    The client shares the machine's two cores with the server and PostgreSQL, so it is
    kept as cheap as a client can be: one asyncio loop, requests serialized to bytes
    before the clock starts, responses parsed by their Content-Length only."""
    raw = [_http_bytes(method, path, body, headers) for method, path, body, headers in requests]
    return asyncio.run(_drive(port, raw, concurrency, check))


def _http_bytes(method: str, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """Status, body, and whether the server closes the connection after it."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    closes = False
    for line in head.split(b"\r\n"):
        name = line[:15].lower()
        if name == b"content-length:":
            length = int(line[15:])
        elif name[:11] == b"connection:":
            closes = line[11:].strip().lower() == b"close"
    return status, (await reader.readexactly(length) if length else b""), closes


async def _drive(
    port: int, raw: list[bytes], concurrency: int, check: Callable[[int, bytes], bool]
) -> LoadResult:
    result = LoadResult()
    queue = list(reversed(raw))
    reported = 0

    async def worker() -> None:
        nonlocal reported
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        closes = False
        while queue:
            request = queue.pop()
            started = time.perf_counter()
            if closes:
                # A server that answers one request per connection (gunicorn's sync
                # workers) is measured with the cost of connecting again included.
                await writer.wait_closed()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(request)
            status, body, closes = await _response(reader)
            if closes:
                writer.close()
            elapsed = (time.perf_counter() - started) * 1000
            if check(status, body):
                result.latencies_ms.append(elapsed)
            else:
                result.errors += 1
                if result.errors <= 3:
                    progress(f"unexpected answer {status}: {body[:300]!r}")
            done = len(result.latencies_ms) + result.errors
            if done - reported >= max(1, len(raw) // 10):
                reported = done
                progress(f"  {done}/{len(raw)}")
        writer.close()
        await writer.wait_closed()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    result.elapsed_s = time.perf_counter() - started
    return result


# --- Where the CPU goes -------------------------------------------------------------
# The server, PostgreSQL and the client share the machine's cores, so a rate alone does
# not say whose CPU bounds it. Read from /proc (Linux); elsewhere the figures are left out.
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass
class CpuUse:
    """CPU seconds spent while a block ran: by the server's processes, by the local
    PostgreSQL server's processes (``None`` when the database is on another host), and
    by this client."""

    server_s: float = 0.0
    database_s: float | None = None
    client_s: float = 0.0
    measured: bool = False


def _stat(pid: str) -> tuple[str, int, float] | None:
    """(command name, parent pid, CPU seconds) of a process, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            raw = handle.read()
    except OSError:
        return None
    name = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2 :].split()
    return name, int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK


def _processes_cpu(server_pid: int, database: bool) -> dict[tuple[str, int], float]:
    """CPU seconds by (whose, pid): the server's processes, and PostgreSQL's when it
    runs here."""
    found: dict[tuple[str, int], float] = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        stat = _stat(pid)
        if stat is None:
            continue
        name, parent, seconds = stat
        if int(pid) == server_pid or parent == server_pid:
            found["server", int(pid)] = seconds
        elif database and name == "postgres":
            found["database", int(pid)] = seconds
    return found


def _spent(
    before: dict[tuple[str, int], float], after: dict[tuple[str, int], float], whose: str
) -> float:
    # A process that started during the block counts whole; one that ended during it
    # is left out (its last seconds are lost with it), rather than subtracted.
    return sum(seconds - before.get(key, 0.0) for key, seconds in after.items() if key[0] == whose)


def _client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _local(database_url: str) -> bool:
    return (urlparse(database_url).hostname or "localhost") in {"localhost", "127.0.0.1", "::1"}


@contextmanager
def cpu_used(served: Served, database_url: str) -> Iterator[CpuUse]:
    use = CpuUse()
    if not os.path.exists(f"/proc/{served.pid}/stat"):
        yield use
        return
    database = _local(database_url)
    before = _processes_cpu(served.pid, database)
    client_0 = _client_cpu()
    yield use
    after = _processes_cpu(served.pid, database)
    use.server_s = _spent(before, after, "server")
    use.database_s = _spent(before, after, "database") if database else None
    use.client_s = _client_cpu() - client_0
    use.measured = True
