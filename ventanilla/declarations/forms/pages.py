"""What a step page shows: ``build_page`` picks the step's builder in ``step_pages``;
the builders make their inputs through ``inputs.InputMaker``."""

from __future__ import annotations

from typing import Any

from ventanilla.declarations.drafts import STEPS
from ventanilla.declarations.forms import step_pages
from ventanilla.declarations.forms.inputs import Choices, InputMaker, StepPage
from ventanilla.declarations.forms.paths import Problem


def build_page(
    step: str,
    data: dict[str, Any],
    problems: list[Problem],
    choices: Choices,
    declarant: Any,
    amending: bool = False,
) -> StepPage:
    """The inputs and groups of ``step`` (none for the check page, which has its own view).

    No step page reads ``declarant``: it stays for the views' call, and ``parse_step``
    writes the declarant's party row.
    """
    inp = InputMaker.for_problems(data, problems)
    page = StepPage(step)
    if step == "type":
        page.inputs = step_pages.type_inputs(inp, amending)
    elif step == "parties":
        page.groups = step_pages.party_groups(inp, data, choices)
    elif step == "transport":
        page.inputs = step_pages.transport_inputs(inp, data, choices)
    elif step == "goods":
        page.groups = step_pages.item_groups(inp, data, choices)
    elif step == "documents":
        page.inputs = step_pages.invoice_inputs(inp, data, choices)
        page.groups = step_pages.document_groups(inp, data, choices)
    return page


def seed_documents(data: dict[str, Any]) -> dict[str, Any]:
    """The invoice and transport document rows, the first time the documents page opens."""
    if data.get("documents"):
        return data
    rows = [{"type_code": "N380", "reference": "", "issued_on": "", "issuer": ""}]
    if data.get("transport_document_ref"):
        code = {"1": "N705", "4": "N740", "3": "N730"}.get(data.get("transport_mode", ""), "")
        if code:
            rows.append(
                {
                    "type_code": code,
                    "reference": data["transport_document_ref"],
                    "issued_on": "",
                    "issuer": "",
                }
            )
    return {**data, "documents": rows}


def next_step(step: str) -> str:
    return STEPS[min(STEPS.index(step) + 1, len(STEPS) - 1)]


def previous_step(step: str) -> str | None:
    index = STEPS.index(step)
    return STEPS[index - 1] if index > 0 else None
