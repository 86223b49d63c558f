"""Reading CSV files strictly: UTF-8 only, every record with the line it starts on."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from django.utils.translation import gettext as _

from ventanilla.reference.loaders.errors import LoadError, Problem


def read_text(path: Path) -> str:
    """The file's text; a byte-order mark is dropped. A file that is not UTF-8 is refused
    with the line of the first bad byte, because a guessed encoding would silently store
    mangled names."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError([Problem(path.name, None, _("cannot be read: %s") % exc.strerror)]) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        reason = _("not valid UTF-8 (byte 0x%(byte)02x); save the file as UTF-8") % {
            "byte": data[exc.start]
        }
        raise LoadError([Problem(path.name, line, reason)]) from exc


def records(name: str, text: str) -> Iterator[tuple[int, list[str]]]:
    """``(line, fields)`` for every non-blank record; ``line`` is where the record starts
    (a quoted field may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise LoadError([Problem(name, reader.line_num, str(exc))]) from exc
        if fields and any(f.strip() for f in fields):
            yield start, fields
        start = reader.line_num + 1


def header_index(
    name: str, header: list[str], required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> dict[str, int]:
    """Column positions by name, so columns may come in any order; unknown or missing
    columns are refused rather than ignored."""
    columns = [h.strip().lower() for h in header]
    missing = [c for c in required if c not in columns]
    unknown = [c for c in columns if c not in required and c not in optional]
    if missing or unknown or len(set(columns)) != len(columns):
        reason = _("the header must name the columns %(required)s, got %(got)s") % {
            "required": ", ".join(required + tuple(f"[{o}]" for o in optional)),
            "got": ", ".join(columns),
        }
        raise LoadError([Problem(name, 1, reason)])
    return {c: i for i, c in enumerate(columns)}
