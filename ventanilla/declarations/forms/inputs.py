"""The building blocks of a step page: an input with its value and its problem, the
choices offered, and ``InputMaker``, which reads each value from the content and each
message from the problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.utils.translation import gettext_lazy as _

from ventanilla.declarations.forms.paths import Problem
from ventanilla.reference import selectors as reference


@dataclass
class Input:
    """One input of a question page, with its value and its problem, ready to render."""

    id: str
    name: str
    label: Any
    value: Any = ""
    hint: Any = ""
    widget: str = "text"  # text, select, radio, checkbox, datetime, date, textarea
    choices: list[tuple[str, Any]] = field(default_factory=list)
    required: bool = True
    error: str = ""
    width: str = ""
    inputmode: str = ""
    picker: str = ""  # "location" or "tariff": a search-as-you-type helper
    autocomplete: str = "off"
    maxlength: int | None = None

    @property
    def hint_id(self) -> str:
        return f"{self.id}-hint" if self.hint else ""


class Choices:
    """Code lists for the selects, read once per page."""

    @cached_property
    def countries(self) -> list[tuple[str, Any]]:
        return [(c.code, f"{c.name} ({c.code})") for c in reference.country_qs()]

    @cached_property
    def offices(self) -> list[tuple[str, Any]]:
        return [(o.code, f"{o.name} ({o.code})") for o in reference.customs_office_qs()]

    @cached_property
    def package_types(self) -> list[tuple[str, Any]]:
        return [(p.code, f"{p.name} ({p.code})") for p in reference.package_type_qs()]

    @cached_property
    def document_types(self) -> list[tuple[str, Any]]:
        return [(d.code, f"{d.name} ({d.code})") for d in reference.document_type_qs()]

    @cached_property
    def currencies(self) -> list[tuple[str, Any]]:
        return [(c.code, f"{c.code} — {c.name}") for c in reference.currency_qs()]

    def label(self, kind: str, code: str) -> str:
        names = dict(getattr(self, kind))
        return str(names.get(code, code)) if code else ""


def _with_blank(choices: list[tuple[str, Any]], value: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = [("", _("Choose…"))]
    codes = {c for c, _label in choices}
    if value and value not in codes:  # keep what was typed (a copied or unknown code)
        out.append((value, value))
    return out + choices


@dataclass
class StepPage:
    step: str
    inputs: list[Input] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class InputMaker:
    """Makes the inputs of one page: the value comes from the content unless given, the
    message from the problems by the input's id."""

    data: dict[str, Any]
    errors: dict[str, str]  # anchor (input id) -> message

    @classmethod
    def for_problems(cls, data: dict[str, Any], problems: list[Problem]) -> InputMaker:
        errors: dict[str, str] = {}
        for p in problems:  # an input shows its first problem only
            errors.setdefault(p.anchor, p.message)
        return cls(data, errors)

    def __call__(self, path: str, label: Any, **kw: Any) -> Input:
        name = path.replace(".", "-")
        value = kw.pop("value", None)
        if value is None:
            value = _lookup(self.data, path)
        return Input(
            id=f"f-{name}",
            name=name,
            label=label,
            value=value,
            error=self.errors.get(f"f-{name}", ""),
            **kw,
        )


def _lookup(data: dict[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        if isinstance(value, list) and part.isdigit():
            value = value[int(part)] if int(part) < len(value) else ""
        elif isinstance(value, dict):
            value = value.get(part, "")
        else:
            return ""
    return "" if value is None else value
