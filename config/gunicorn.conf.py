"""gunicorn settings for serving Ventanilla: ``gunicorn -c config/gunicorn.conf.py
config.wsgi``. The benchmark (``make bench``) serves with the same file.

Processes carry the load, one request at a time each (gunicorn's sync workers, one per
core plus one). A sync worker takes a connection only when it is idle, so two requests
never share one process's interpreter lock while another process waits; with threads
(gthread) a process holding several keep-alive connections made them take turns on one
core while other processes were idle. Measured on 2 cores (issue 3 benchmark, ADR 0006):
bulk lodgement 9,800-16,500 items/s with sync workers against 7,700-10,400 with 4
processes × 2 threads, p99 of single lodgements 444-522 ms against 570-760 ms.

A lodgement is CPU on the same two cores: the application's (about 17 ms when this was
measured, about 30 % less since its reads are compiled once) and PostgreSQL's (8-10 ms),
so more processes than cores plus one only take turns on the cores: with the database
on the same 2 cores, 3 processes lodged 93-103 declarations/s with a p99 of 108-127 ms
where gunicorn's usual 2 × cores + 1 (5) lodged 79-91 with 130-160 ms. Where the
database is on another machine, each request waits longer for it and more processes
may pay: ``GUNICORN_WORKERS`` sets them.

Sync workers answer one request per connection and do not guard against slow clients:
serve them behind a buffering reverse proxy (nginx or the platform's load balancer), as
gunicorn's documentation advises. Every setting can be changed by the environment
variable named beside it, or on the command line."""

from __future__ import annotations

import gc
import os
from typing import Any

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", str((os.cpu_count() or 1) + 1)))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
# Above 1, gunicorn serves with gthread whatever worker_class says.
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
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
