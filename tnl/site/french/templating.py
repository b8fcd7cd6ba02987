"""Template helpers shared by our pages (territory pages render synchronously: tnl/site/pages/synchronous_pages.py)."""
from __future__ import annotations

import jinja2

from tnl.site.french.numbers import french_number
from tnl.site.french.value_labels import EPCI_TYPES
from tnl.site.http import sql_limits
from tnl.text import of
from tnl.vocabulary import KIND_LABELS


def nature(kind: str) -> str:
    """French label of a territory kind: « etablissement_public » -> « établissement public »."""
    return KIND_LABELS.get(kind, kind or "")


def capfirst(text: str) -> str:
    """« EPCI » stays « EPCI » (Jinja's capitalize would give « Epci »)."""
    return text[:1].upper() + text[1:]


def number(value) -> str:
    """36000 -> « 36 000 », 12.5 -> « 12,5 ». A plain function: a template macro costs far more per call."""
    return french_number(value)


def sql_error(message) -> str:
    """SQLite's « string or blob too big » (a value over sql_limits.MAX_VALUE_BYTES) said in French on the query page."""
    return sql_limits.VALUE_MESSAGE if str(message) == sql_limits.TOO_BIG else message


def install(env: jinja2.Environment) -> None:
    env.filters["sql_error"] = sql_error
    env.filters["nature"] = nature
    env.filters["capfirst"] = capfirst
    env.filters["de"] = of  # « Distinctions {{ name|de }} » -> « Distinctions d'Échirolles »
    env.filters["type_epci"] = lambda code: EPCI_TYPES.get(code, code)
    env.globals["number"] = number

