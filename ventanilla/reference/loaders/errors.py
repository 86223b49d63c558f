"""Why a load was refused: every problem found, each with its file and line."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

# The whole list goes into one CommandError; past this many, the rest only repeat.
MAX_SHOWN = 20


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.file}: {self.reason}" if self.file else self.reason
        return _("%(file)s line %(line)d: %(reason)s") % {
            "file": self.file,
            "line": self.line,
            "reason": self.reason,
        }


@dataclass
class LoadError(Exception):
    """The input was refused; nothing was written."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        shown = [str(p) for p in self.problems[:MAX_SHOWN]]
        hidden = len(self.problems) - len(shown)
        if hidden > 0:
            shown.append(_("... and %(count)d more problems") % {"count": hidden})
        return "\n".join(shown)


class Problems:
    """Collects problems while a file is parsed, so the user sees all of them at once."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[Problem] = []

    def add(self, line: int | None, reason: str) -> None:
        self.items.append(Problem(self.file, line, reason))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise LoadError(list(self.items))
