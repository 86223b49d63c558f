"""Business errors raised by services and rules, rendered by the API and the pages alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ErrorItem:
    code: str
    message: str
    field: str | None = None

    def as_row(self) -> dict[str, Any]:
        return {"code": self.code, "field": self.field, "message": str(self.message)}


@dataclass
class BusinessError(Exception):
    """A refusal the user can act on. Carries every problem at once, never just the first."""

    items: list[ErrorItem] = field(default_factory=list)
    http_status: int = 400

    @classmethod
    def single(
        cls, code: str, message: str, field: str | None = None, http_status: int = 400
    ) -> BusinessError:
        return cls([ErrorItem(code, message, field)], http_status)

    def as_rows(self) -> list[dict[str, Any]]:
        return [item.as_row() for item in self.items]

    def __str__(self) -> str:
        return "; ".join(f"{i.code}: {i.message}" for i in self.items)


class ConflictError(BusinessError):
    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__([ErrorItem(code, message, field)], 409)
