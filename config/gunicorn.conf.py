"""gunicorn settings for serving Ventanilla: ``gunicorn -c config/gunicorn.conf.py
config.wsgi``. The benchmark (``make bench``) serves with the same file.

Processes carry the load, a few threads each (gunicorn's advice for CPU-bound work is
about 2 × cores + 1 workers). Every setting can be changed by the environment variable
named beside it, or on the command line."""

from __future__ import annotations

import gc
import os
from typing import Any

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
# A worker is replaced after this many requests (plus jitter, so they are not replaced
# all at once): a slow leak in a dependency cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10


def post_worker_init(worker: Any) -> None:
    """Load what the first requests would load (the URLconf and, through it, every view,
    serializer and model) and move it all out of the garbage collector's sight.

    Django's modules, models and compiled URL patterns live as long as the process; left
    in the collected generations, every full collection walks them again. A bulk
    lodgement of 100 declarations allocates enough objects to trigger several
    collections: freezing the start-up objects took its CPU time from about 100 ms to
    about 88 ms (issue 3 benchmark; ADR 0006)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every app's views now, not on demand
    gc.collect()
    gc.freeze()
