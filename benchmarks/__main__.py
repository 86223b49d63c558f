"""``make bench``: run every benchmark; each prints one JSON line per figure."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = ["benchmarks.hs_search", "benchmarks.clearance"]


def main() -> int:
    failed = 0
    for name in sys.argv[1:] or BENCHMARKS:
        print(f"# {name}", file=sys.stderr, flush=True)
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            print(f"# skipped {name}: {exc}", file=sys.stderr)
            continue
        failed += int(module.main() or 0)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
