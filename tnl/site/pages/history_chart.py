"""The history chart of a territory page (an SVG of its distinctions by edition): what is the same on every page.

The chart's grid (each scale's levels, the break between scales, the years) and its fixed left axis with the caption
depend only on the editions and the scales, which are fixed for the life of the process: they are drawn once, from
templates/_territoire_graphique_grille.html and _territoire_graphique_axe.html, and every page places them around its
own title, lines and points (templates/_territoire_contenu.html). Drawn on every page they were a fifth of its content.
"""
from __future__ import annotations

import itertools

import jinja2
from markupsafe import Markup

MEASURES = {"W": 760, "ML": 100, "MR": 120, "TOP": 34, "BASE": 160, "UNP": 190, "H": 230}  # SVG user units


def panels(editions: list[dict]) -> list[dict]:
    """Consecutive editions sharing a scheme: each panel of the chart has its own scale, never one line across."""
    found, start = [], 0
    for scheme, group in itertools.groupby(editions, key=lambda e: e["scheme"]):
        count = len(list(group))
        found.append({"scheme": scheme, "first": start, "last": start + count - 1})
        start += count
    return found


def chart(env: jinja2.Environment, editions: list[dict], scales: dict[str, list[str]]) -> dict:
    """The chart's measures, its column width and each edition's column, its panels, and its two parts drawn once:
    `grille` and `axe`, ready to place. The content template reads these names at its top level."""
    m = MEASURES
    context = {**m, "step": (m["W"] - m["ML"] - m["MR"]) / (len(editions) or 1),
               "column": {e["edition"]: i for i, e in enumerate(editions)}, "panels": panels(editions),
               "editions": editions, "scales": scales}
    return {**context,
            "grille": Markup(env.get_template("_territoire_graphique_grille.html").render(context)),
            "axe": Markup(env.get_template("_territoire_graphique_axe.html").render(context))}
