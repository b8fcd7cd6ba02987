"""How each distinction looks wherever it is drawn: badges and preview cards (colours and a short French label), and
the markers of every map (one palette, MAP_COLOURS).

Each pair (background, text) of a badge keeps a contrast ratio of at least 4.5:1, so it stays readable at small sizes.
"""
from __future__ import annotations

LABEL_OWN = "Territoire Numérique Libre"
NOT_LABELLED = "Non labellisé"
UNPUBLISHED = "Labellisé"  # labelled, level not published
DARK, LIGHT = "#1b1f24", "#ffffff"
COLOURS = {
    "niveau_1": ("#2e7d32", LIGHT), "niveau_2": ("#2e7d32", LIGHT), "niveau_3": ("#2e7d32", LIGHT),
    "niveau_4": ("#1b5e20", LIGHT), "niveau_5": ("#1b5e20", LIGHT),
    "badge": ("#1f5fbf", LIGHT), "bronze": ("#8c4a1c", LIGHT), "argent": ("#c5ccd3", DARK), "or": ("#e8c04a", DARK),
    None: ("#5e35b1", LIGHT),  # labelled, level not published: a colour of its own on the maps
}
NOT_LABELLED_COLOURS = ("#5f6368", LIGHT)

# Markers of every map (the site's maps read them as CSS variables of static/map-distinctions.css, which tests/test_map.py
# checks against this table; /embed/carte writes them in its page). Levels 1-5 from light to dark blue, the 2025 scale
# in hues of its own, « labellisé, niveau non publié » white with a thick outline, « jamais labellisé » a small dark
# dot: every pair at a distance (CIE ΔE76) of 15 or more in normal vision and with simulated deuteranopia and protanopia.
MAP_COLOURS = {
    "niveau_1": "#c6dbef", "niveau_2": "#83b7da", "niveau_3": "#4190c5", "niveau_4": "#1c5ea8", "niveau_5": "#08306b",
    "badge": "#e7298a", "bronze": "#a6611a", "argent": "#bababa", "or": "#f2b705",
    "non_publie": "#ffffff", "autre": "#252525", "jamais": "#555555",
}
MAP_OUTLINE = "#1f1f1f"
LEFT_COLOURS = ("#2b2f36", LIGHT)


def short_label(latest: dict | None) -> str:
    """« Niveau 3 (3 copylefts) » -> « Niveau 3 »; « Label Or » stays; no published level -> « Labellisé »."""
    if not latest:
        return NOT_LABELLED
    if not latest.get("distinction"):
        return UNPUBLISHED
    return latest["label"].split(" (")[0]


def colours(latest: dict | None) -> tuple[str, str]:
    if not latest:
        return NOT_LABELLED_COLOURS
    return COLOURS.get(latest.get("distinction"), COLOURS[None])


def sentence(latest: dict | None) -> str:
    """The latest distinction as a French phrase: « Label Or (édition 2025) », « non labellisé »."""
    if not latest:
        return "non labellisé dans les résultats publiés"
    if not latest.get("distinction"):
        return f"labellisé, niveau non publié (édition {latest['edition']})"
    return f"{latest['label']} (édition {latest['edition']})"


def alternative_text(name: str, latest: dict | None) -> str:
    """What a badge or a card says, as text: « Territoire Numérique Libre : Échirolles, Label Or (édition 2025) »."""
    return f"{LABEL_OWN} : {name}, {sentence(latest)}"


def map_key(distinction: str | None) -> str:
    """The marker of a result's distinction: its id, « non_publie » without one, « autre » for an unknown id."""
    if not distinction:
        return "non_publie"
    return distinction if distinction in MAP_COLOURS else "autre"
