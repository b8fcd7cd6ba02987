"""The errors every step reports: each problem names its file, row and field and says what was expected, in French,
because the people who fix the CSV files read them."""
from __future__ import annotations

from dataclasses import dataclass


class Rejected(Exception):
    """Raised by a pipeline step (build, imports) with the problems that stopped it; it wrote nothing."""

    def __init__(self, problems: list["Problem"]):
        super().__init__(f"{len(problems)} problème(s)")
        self.problems = problems


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        """Short whatever the input: a field name or a value quoted from a file never runs longer than an excerpt."""
        where = excerpt(self.file, 100)
        if self.row:
            where += f", ligne {self.row}"
        if self.field:
            where += f", champ « {excerpt(self.field, 80)} »"
        return f"{where} : {excerpt(self.message, 2000)}"


def excerpt(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
