"""Clearance throughput over real HTTP (``make bench``).

Starts gunicorn on the PostgreSQL named by ``DATABASE_URL`` (default: the local server,
database ``test``), loads the demo data, and measures:

- lodge + assess + route (+ release when settled) of declarations with 10 items each,
  one per request, through ``POST /api/v1/declarations/lodge/`` with a broker's API
  token: declarations per second and p99 latency;
- bulk lodgement (100 declarations × 10 items per request): goods items per second;
- the worker's assessment of what was bulk-lodged (risk, routing, duties, progress and
  notices, ``clearance.tasks.assess_declarations``, 100 declarations per task):
  declarations per second, next to the same work done one declaration per transaction
  (how the worker did it before ADR 0006), in the same process;
- the peer, measured in the same run on the same server: a plain Django view doing one
  insert (``/bench/peer-insert``).

Tasks go to the platform's own backend (the database, unless ``TASKS_BACKEND`` says
otherwise): each notice's e-mails are queued in the request, as when served; no worker
runs them during the measurement.

The CPU that the server, the local PostgreSQL and the client each spent, per single
lodgement and per peer request, is printed too (from /proc, on Linux).

Targets on a 2-core machine (issue 3): ≥ 300 declarations/s with p99 ≤ 100 ms, and
≥ 10,000 items/s in bulk. The figures are printed as they are, met or not.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import uuid

from benchmarks.common import (
    DEFAULT_DB,
    ROOT,
    CpuUse,
    bench_env,
    cpu_used,
    emit,
    load,
    manage,
    progress,
    server,
    settle,
)

DECLARATIONS = int(os.environ.get("BENCH_DECLARATIONS", "600"))
BULK_REQUESTS = int(os.environ.get("BENCH_BULK_REQUESTS", "80"))
BULK_CONCURRENCY = int(os.environ.get("BENCH_BULK_CONCURRENCY", "2"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))

SETUP_SCRIPT = """
from ventanilla.accounts.models import Organisation, User
from ventanilla.accounts.services import api_token_create
org = Organisation.objects.get(code="20100000003")
user = User.objects.get(email="broker@demo.ventanilla")
print(api_token_create(organisation=org, user=user, name="bench", by=user).secret)
"""


def declaration(lrn: str) -> dict:
    eta = (dt.datetime.now(dt.UTC) + dt.timedelta(days=5)).isoformat()
    items = [
        {
            "tariff_line": "8471300000",
            "description": f"Laptop computers lot {n}",
            "origin_country": "CN",
            "package_type": "CT",
            "package_count": 40,
            "gross_mass_kg": "260",
            "net_mass_kg": "240",
            "customs_value": "12000.00",
            "documents": [],
        }
        for n in range(1, 11)
    ]
    return {
        "lrn": lrn,
        "declaration_type": "IM",
        "procedure_code": "4000",
        "office_code": "PECLL0118",
        "transport_mode": "1",
        "conveyance_ref": "BENCH 1",
        "transport_document_ref": f"BL-{lrn}",
        "loading_location": "MXZLO",
        "discharge_location": "PECLL",
        "estimated_arrival": eta,
        "export_country": "CN",
        "destination_country": "PE",
        "incoterm": "FOB",
        "invoice_currency": "USD",
        "invoice_amount": "120000.00",
        "parties": [
            {"role": "importer", "name": "Andes Fresh", "identifier": "20100000001"},
            {"role": "declarant", "name": "Callao Brokers", "identifier": "20100000003"},
        ],
        "items": items,
        "documents": [{"type_code": "N380", "reference": f"INV-{lrn}"}],
    }


ASSESS_SCRIPT = """
import json, sys, time
from collections import Counter
from ventanilla.accounts.models import User
from ventanilla.clearance.tasks import ASSESS_CHUNK, _assess_one, assess_declarations
from ventanilla.declarations.models import Declaration

user = User.objects.get(email="broker@demo.ventanilla")

def ids(prefix):
    qs = Declaration.objects.filter(lrn__startswith=prefix).order_by("pk")
    return list(qs.values_list("pk", flat=True))

batch, single = ids("{batch}"), ids("{single}")
outcomes = Counter()
started = time.perf_counter()
for n in range(0, len(batch), ASSESS_CHUNK):
    outcomes.update(assess_declarations.func(batch[n : n + ASSESS_CHUNK], user.pk))
    print(f"#   batched {{min(n + ASSESS_CHUNK, len(batch))}}/{{len(batch)}}", file=sys.stderr)
batch_s = time.perf_counter() - started
started = time.perf_counter()
for pk in single:
    outcomes[_assess_one(pk, user)] += 1
single_s = time.perf_counter() - started
print(json.dumps({{"batch": len(batch) / batch_s, "single": len(single) / single_s,
                  "outcomes": dict(outcomes)}}))
"""


def assess_bulk(env: dict[str, str], batch_prefix: str, single_prefix: str) -> dict:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "ventanilla.cli",
            "shell",
            "-c",
            ASSESS_SCRIPT.format(batch=batch_prefix, single=single_prefix),
        ],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def prepare(env: dict[str, str]) -> str:
    progress("migrating and loading demo data into the benchmark database")
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "flush", "--no-input")
    manage(env, "load_demo", "-v", "0")
    out = subprocess.run(
        [sys.executable, "-m", "ventanilla.cli", "shell", "-c", SETUP_SCRIPT],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip().splitlines()[-1]


def emit_cpu(ours: CpuUse, count: int, peer: CpuUse, peer_count: int) -> None:
    """Whose CPU a single lodgement takes, per declaration, next to the peer's per
    request: at 300 declarations/s two cores leave 6.7 ms for all three together."""
    if not (ours.measured and peer.measured):
        progress("CPU per declaration not measured (no /proc here)")
        return
    shares = [("server", ours.server_s, peer.server_s), ("client", ours.client_s, peer.client_s)]
    if ours.database_s is not None and peer.database_s is not None:
        shares.insert(1, ("database", ours.database_s, peer.database_s))
    for name, mine, theirs in shares:
        emit(
            f"clearance_lodge_cpu_{name}",
            mine * 1000 / count,
            "ms CPU/declaration",
            "plain Django view, one insert (ms CPU/request)",
            theirs * 1000 / peer_count,
        )


def main() -> int:
    env = bench_env(os.environ.get("DATABASE_URL", DEFAULT_DB))
    env["EMAIL_URL"] = "dummymail://"
    token = prepare(env)
    auth = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    run = uuid.uuid4().hex[:6]
    with server(env) as served:
        port = served.port
        progress("warming up every server process (imports, connections, snapshots)")
        warm = (
            [
                (
                    "POST",
                    "/bench/peer-insert",
                    json.dumps({"key": f"{run}-w{n}"}).encode(),
                    {"Content-Type": "application/json"},
                )
                for n in range(40)
            ]
            + [
                (
                    "POST",
                    "/api/v1/declarations/lodge/",
                    json.dumps(declaration(f"W{run}-{n}")).encode(),
                    auth,
                )
                for n in range(24)
            ]
            + [
                (
                    "POST",
                    "/api/v1/declarations/bulk/",
                    json.dumps(
                        {"declarations": [declaration(f"V{run}-{r}-{n}") for n in range(10)]}
                    ).encode(),
                    auth,
                )
                for r in range(8)
            ]
        )
        load(port, warm, CONCURRENCY, lambda s, _b: s in (200, 201))
        progress(f"peer: {DECLARATIONS} single-row inserts")
        peer_requests = [
            (
                "POST",
                "/bench/peer-insert",
                json.dumps({"key": f"{run}-{n}"}).encode(),
                {"Content-Type": "application/json"},
            )
            for n in range(DECLARATIONS)
        ]
        settle(env["DATABASE_URL"])
        with cpu_used(served, env["DATABASE_URL"]) as peer_cpu:
            peer = load(port, peer_requests, CONCURRENCY, lambda s, _b: s == 201)
        progress(f"lodging {DECLARATIONS} declarations of 10 items, one per request")
        lodge_requests = [
            (
                "POST",
                "/api/v1/declarations/lodge/",
                json.dumps(declaration(f"B{run}-{n}")).encode(),
                auth,
            )
            for n in range(DECLARATIONS)
        ]
        settle(env["DATABASE_URL"])
        with cpu_used(served, env["DATABASE_URL"]) as ours_cpu:
            ours = load(port, lodge_requests, CONCURRENCY, lambda s, _b: s == 201)
        progress(f"bulk: {BULK_REQUESTS} requests of 100 declarations × 10 items")
        bulk_requests = [
            (
                "POST",
                "/api/v1/declarations/bulk/",
                json.dumps(
                    {"declarations": [declaration(f"K{run}-{r}-{n}") for n in range(100)]}
                ).encode(),
                auth,
            )
            for r in range(BULK_REQUESTS)
        ]
        settle(env["DATABASE_URL"])
        bulk = load(port, bulk_requests, BULK_CONCURRENCY, lambda s, _b: s == 201)
        progress("bulk: 2 more requests, for the one-at-a-time assessment (the peer)")
        peer_bulk = [
            (
                "POST",
                "/api/v1/declarations/bulk/",
                json.dumps(
                    {"declarations": [declaration(f"J{run}-{r}-{n}") for n in range(100)]}
                ).encode(),
                auth,
            )
            for r in range(2)
        ]
        load(port, peer_bulk, 1, lambda s, _b: s == 201)
    progress("the worker's assessment of the bulk-lodged declarations")
    settle(env["DATABASE_URL"])
    assessed = assess_bulk(env, f"K{run}-", f"J{run}-")
    progress(f"assessment outcomes: {assessed['outcomes']}")
    if ours.errors or bulk.errors or peer.errors:
        progress(f"errors: lodge {ours.errors}, bulk {bulk.errors}, peer {peer.errors}")
    emit(
        "clearance_lodge_assess_route_rate",
        ours.rate,
        "declarations/s",
        "plain Django view, one insert",
        peer.rate,
    )
    emit(
        "clearance_lodge_assess_route_p99",
        ours.p99,
        "ms",
        "plain Django view, one insert",
        peer.p99,
    )
    emit_cpu(ours_cpu, DECLARATIONS, peer_cpu, DECLARATIONS)
    items_per_s = bulk.rate * 100 * 10
    emit(
        "clearance_bulk_lodgement_rate",
        items_per_s,
        "items/s",
        "plain Django view, one insert (rows/s)",
        peer.rate,
    )
    emit(
        "clearance_bulk_assess_route_rate",
        assessed["batch"],
        "declarations/s",
        "the same work, one declaration per transaction",
        assessed["single"],
    )
    refused = set(assessed["outcomes"]) - {"assessed"}
    return 1 if (ours.errors or bulk.errors or refused) else 0


if __name__ == "__main__":
    sys.exit(main())
