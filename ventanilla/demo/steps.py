"""The demo steps, in order. Each app that has demo data adds its loader here; each
loader is idempotent and returns counts of what it created."""

from __future__ import annotations

from collections.abc import Callable

from ventanilla.accounts.demo import load_demo_accounts

DEMO_STEPS: list[tuple[str, Callable[[], dict[str, int]]]] = [
    ("Demo organisations and users", load_demo_accounts),
]
