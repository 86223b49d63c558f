"""HS search latency: ``selectors.hs_search`` on the full HS 2022 nomenclature (plus the
demo's Spanish texts) against a naive peer, an in-memory Python scan that folds every
row for every query. Both run in the same process on the same data.

Runs in a child process with its own temporary SQLite database, so it neither touches
the developer's database nor leaks Django settings into the other benchmarks.

    .venv/bin/python -m benchmarks.hs_search
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.common import ROOT, emit, progress

HS_FILE = ROOT.parent / "shared" / "data" / "hs" / "harmonized-system.csv"
REPEAT = 5
LIMIT = 50
QUERIES = [
    # codes, with and without dots
    "0804",
    "0804.40",
    "080440",
    "08",
    "0901",
    "0901.11",
    "2603",
    "7403.11",
    "740311",
    "8703",
    "8703.23",
    "8704.21",
    "8471.30",
    "8517.13",
    "851713",
    "6109",
    "6110.19",
    "0306.17",
    # English words
    "avocados",
    "fresh grapes",
    "coffee roasted",
    "copper cathodes",
    "copper ores",
    "motor vehicles",
    "smartphones",
    "cotton",
    "frozen shrimps",
    "asparagus",
    "cranberries",
    "wool",
    "portable",
    "salmon",
    "squid",
    "bananas",
    "mangoes",
    "electric motor",
    # Spanish words, with and without accents
    "aguacate",
    "palta",
    "café",
    "cafe",
    "piña",
    "uvas frescas",
    "espárragos",
    "esparragos",
    "arándanos",
    "cobre refinado",
    "camarones",
    "alpaca",
    "teléfonos",
    "vehículos eléctrico",
]


def percentile(samples: list[float], pct: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[pct - 1]


def measure(
    search: Callable[[str], list[str]], repeat: int
) -> tuple[list[float], dict[str, list[str]]]:
    samples: list[float] = []
    results: dict[str, list[str]] = {}
    for query in QUERIES:
        results[query] = search(query)  # warm-up, and the answer for the cross-check
        for _ in range(repeat):
            started = time.perf_counter()
            search(query)
            samples.append((time.perf_counter() - started) * 1000)
    return samples, results


def run() -> int:
    """In the child: migrate a fresh database, load, measure, print JSON lines."""
    import django

    django.setup()
    from django.core.management import call_command

    from ventanilla.core.text import digits
    from ventanilla.reference import selectors
    from ventanilla.reference.loaders.demo import reference_demo_load
    from ventanilla.reference.loaders.hs import hs_load
    from ventanilla.reference.models import HSCode
    from ventanilla.reference.search import search_text, words

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    sections = HS_FILE.parent / "sections.csv"
    hs_load(path=HS_FILE, sections_path=sections if sections.exists() else None)
    reference_demo_load()  # Spanish texts for the demo's codes
    progress(f"full HS load in {time.perf_counter() - started:.2f} s")

    def db_search(query: str) -> list[str]:
        return [c.code for c in selectors.hs_search(query=query, limit=LIMIT)]

    rows = list(
        HSCode.objects.current().values_list("code", "level", "description_en", "description_es")
    )

    def naive_search(query: str) -> list[str]:
        # The peer does what an application without a search column would: fold every
        # row's texts for every query, then apply the same matching rules.
        query = query.strip()
        code = digits(query)
        if code and len(code) >= 2 and len(code) >= len(query.replace(".", "").replace(" ", "")):
            return sorted(c for c, *_ in rows if c.startswith(code[:6]))[:LIMIT]
        wanted = [w for w in words(query) if len(w) >= 2]
        hits = []
        for code_, level, english, spanish in rows:
            tokens = search_text(code_, english, spanish).split(" ")
            if all(any(t.startswith(w) for t in tokens) for w in wanted):
                hits.append((-level, code_))
        return [c for _level, c in sorted(hits)][:LIMIT]

    db_samples, db_results = measure(db_search, REPEAT)
    peer_samples, peer_results = measure(naive_search, REPEAT)
    mismatched = [q for q in QUERIES if db_results[q] != peer_results[q]]
    if mismatched:
        progress(f"results differ from the peer for: {mismatched}")
    empty = [q for q in QUERIES if not db_results[q]]
    if empty:
        progress(f"no results for: {empty}")
    progress(f"{len(rows)} codes, {len(QUERIES)} queries x {REPEAT}")
    for pct in (50, 99):
        emit(
            f"hs_search_p{pct}",
            percentile(db_samples, pct),
            "ms",
            "python_scan_fold",
            percentile(peer_samples, pct),
        )
    return 1 if mismatched else 0


def main() -> int:
    if not HS_FILE.exists():
        progress(f"missing {HS_FILE}")
        return 1
    with tempfile.TemporaryDirectory(prefix="bench-hs-") as tmp:
        env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "LOG_LEVEL": "WARNING",
                "SQLITE_PATH": str(Path(tmp) / "bench.sqlite3"),
            }
        )
        child = subprocess.run(
            [sys.executable, "-m", "benchmarks.hs_search", "--run"], env=env, cwd=ROOT, check=False
        )
        return child.returncode


if __name__ == "__main__":
    sys.exit(run() if "--run" in sys.argv else main())
