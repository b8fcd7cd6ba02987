"""Numbers as a French reader expects them in the HTML: « 1 163 810 » (narrow no-break space between thousands),
« 44,9 » (decimal comma). The JSON and CSV keep the raw numbers; years, codes, ranks and identifiers stay as stored
(« 2024 », not « 2 024 »)."""
from __future__ import annotations

import math
import re
from functools import lru_cache

from tnl.text import normalise

THOUSANDS = "\u202f"  # narrow no-break space: a thousands group never wraps to the next line
# Words of a column name (or a canned query's alias) that say its numbers are labels, not quantities.
NOT_A_QUANTITY = re.compile(
    r"\b(?:id|identifiant|code|edition|year|annee|millesime|rank|rang|depuis|jusqu|siren|date|rowid)\b")


def french_number(value) -> str:
    """36000 -> « 36 000 », 1234.5 -> « 1 234,5 », -0.25 -> « -0,25 »; anything else as str()."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", THOUSANDS)
    if not math.isfinite(value) or "e" in repr(value):
        return repr(value).replace(".", ",")
    sign, digits = ("-", repr(-value)) if value < 0 else ("", repr(value))
    whole, _, fraction = digits.partition(".")
    return sign + f"{int(whole):,}".replace(",", THOUSANDS) + ("," + fraction if fraction.strip("0") else "")


@lru_cache(maxsize=4096)  # asked for every numeric cell of a table page, of a few dozen column names
def is_quantity(column: str) -> bool:
    """« population », « Population couverte », « mean » are quantities; « edition », « Code région »,
    « distinction_rank », « Jusqu’à » are not."""
    return not NOT_A_QUANTITY.search(normalise(column))


def number_cell(column: str, value) -> str | None:
    """A table cell's text when it is a quantity; None leaves the cell to the other renderers."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not is_quantity(column):
        return None
    return french_number(value)
