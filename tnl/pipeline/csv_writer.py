"""CSV as data/ keeps it: comma, LF line ends, minimal quoting, and a carriage return always quoted.

`csv.writer` before Python 3.11.9 quotes only the characters of its line terminator: with "\\n", a lone "\\r" went
out unquoted and cut the value or split the row when read back. The minimal-quoting rule is written here once, so
what the project writes does not depend on the patch release of Python.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

NEEDS_QUOTES = (",", '"', "\n", "\r")


def format_field(value) -> str:
    text = "" if value is None else str(value)
    if any(special in text for special in NEEDS_QUOTES):
        return '"' + text.replace('"', '""') + '"'
    return text


def format_row(values: Iterable) -> str:
    fields = [format_field(value) for value in values]
    if fields == [""]:
        return '""\n'  # a lone empty field is quoted, or the row would read back as no field at all
    return ",".join(fields) + "\n"


def write_csv(path: Path, header: list[str], rows: Iterable[Iterable]) -> None:
    """Header, then rows (sequences in header order). Callers that publish write to a staging file and rename it."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(format_row(header))
        f.writelines(format_row(row) for row in rows)
