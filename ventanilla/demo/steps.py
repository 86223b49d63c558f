"""The demo steps, in order. Each app that has demo data adds its loader here; each
loader is idempotent and returns counts of what it created."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

# (label, "module:function"); imported lazily so a step's module loads only when run.
STEPS: tuple[tuple[str, str], ...] = (
    ("Demo organisations and users", "ventanilla.accounts.demo:load_demo_accounts"),
    ("Risk profiles", "ventanilla.risk.demo:load_demo_risk"),
    ("Agency requirement matrix", "ventanilla.agencies.demo:load_demo_agencies"),
    ("Tariff measures and exchange rates", "ventanilla.duties.demo:load_demo_duties"),
    ("Guarantee accounts", "ventanilla.payments.demo:load_demo_payments"),
    ("Declarations in every state", "ventanilla.demo.declarations:load_demo_declarations"),
)


def resolve(target: str) -> Callable[[], dict[str, int]]:
    module, name = target.split(":")
    return getattr(import_module(module), name)  # type: ignore[no-any-return]
