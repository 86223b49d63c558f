"""What a running load tells the operator: a line per stage or file, a bar on a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from tqdm import tqdm

T = TypeVar("T")


class Progress:
    """``write`` receives the stage lines (the command's stdout); bars go to stderr and
    only when it is a terminal, so logs and CI output stay clean."""

    def __init__(self, write: Callable[[str], None] | None = None, bars: bool | None = None):
        self._write = write
        self._bars = sys.stderr.isatty() if bars is None else bars

    def line(self, text: str) -> None:
        if self._write is not None:
            self._write(text)

    def bar(self, items: Iterable[T], *, total: int | None = None, desc: str = "") -> Iterator[T]:
        if not self._bars:
            yield from items
            return
        yield from tqdm(items, total=total, desc=desc, file=sys.stderr, leave=False)


SILENT = Progress(write=None, bars=False)
