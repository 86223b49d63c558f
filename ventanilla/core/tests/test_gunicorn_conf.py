"""The gunicorn settings the platform is served with (config/gunicorn.conf.py)."""

from __future__ import annotations

import gc
import runpy
from pathlib import Path

from django.conf import settings

CONF = Path(settings.BASE_DIR) / "config" / "gunicorn.conf.py"


def test_defaults_serve_with_sync_processes_one_per_core_plus_one(monkeypatch):
    for name in (
        "GUNICORN_BIND",
        "GUNICORN_WORKERS",
        "GUNICORN_THREADS",
        "GUNICORN_WORKER_CLASS",
        "GUNICORN_MAX_REQUESTS",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    conf = runpy.run_path(str(CONF))
    assert (conf["bind"], conf["workers"], conf["worker_class"], conf["threads"]) == (
        "127.0.0.1:8000",
        3,
        "sync",
        1,
    )
    assert (conf["max_requests"], conf["max_requests_jitter"]) == (20000, 2000)


def test_the_environment_changes_the_settings(monkeypatch):
    monkeypatch.setenv("GUNICORN_WORKERS", "9")
    monkeypatch.setenv("GUNICORN_MAX_REQUESTS", "500")
    monkeypatch.setenv("GUNICORN_WORKER_CLASS", "gthread")
    monkeypatch.setenv("GUNICORN_THREADS", "4")
    conf = runpy.run_path(str(CONF))
    assert (conf["workers"], conf["max_requests"], conf["max_requests_jitter"]) == (9, 500, 50)
    assert (conf["worker_class"], conf["threads"]) == ("gthread", 4)


def test_a_started_worker_keeps_its_start_up_objects_out_of_collection():
    conf = runpy.run_path(str(CONF))
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        conf["post_worker_init"](None)
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
