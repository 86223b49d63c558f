"""The benchmark's account of whose CPU a measurement took (benchmarks/common.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.common import Served, _local, _spent, cpu_used

# Burns 0.4 s of CPU, says so, then stays alive (a process that ended is not counted).
BURN = (
    "import time\nend = time.process_time() + 0.4\n"
    "while time.process_time() < end: pass\nprint('burnt', flush=True)\ntime.sleep(60)\n"
)
SPAWN = (
    "import subprocess, sys, time\n"
    f"subprocess.Popen([sys.executable, '-c', {BURN!r}])\ntime.sleep(60)\n"
)
linux = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")


def _burning(code: str) -> float:
    """CPU seconds counted as the server's while ``code`` runs in a child of this
    process, which plays gunicorn's master."""
    child = None
    try:
        with cpu_used(Served(0, os.getpid()), "postgres://db.example.org/x") as use:
            child = subprocess.Popen(
                [sys.executable, "-c", code], stdout=subprocess.PIPE, start_new_session=True
            )
            assert child.stdout is not None and child.stdout.readline() == b"burnt\n"
    finally:
        if child is not None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    assert use.measured and use.database_s is None  # the database is on another host
    return use.server_s


@linux
def test_the_servers_workers_are_counted():
    assert 0.35 <= _burning(BURN) <= 1.2


@linux
def test_a_workers_own_children_are_not_the_servers():
    assert _burning(SPAWN) < 0.3


def test_a_process_started_during_the_block_counts_whole_and_one_that_ended_is_left_out():
    before = {("server", 1): 2.0, ("server", 2): 5.0, ("database", 9): 1.0}
    after = {("server", 1): 2.5, ("server", 3): 0.25, ("database", 9): 1.5, ("database", 10): 0.5}
    assert _spent(before, after, "server") == 0.75
    assert _spent(before, after, "database") == 1.0


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("postgres://postgres@127.0.0.1:5432/test", True),
        ("postgres://localhost/test", True),
        ("postgres:///test", True),
        ("postgres://db.example.org/test", False),
    ],
)
def test_the_database_is_measured_only_when_it_runs_on_this_machine(url, local):
    assert _local(url) is local
