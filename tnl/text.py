"""Text keys shared by the importers (matching names) and the site (search): accents, case and punctuation ignored."""
from __future__ import annotations

import re
import unicodedata

ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
SEPARATORS = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> str:
    """'Saint-Étienne-du-Rouvray', "st etienne du rouvray" and 'ST-ÉTIENNE DU ROUVRAY' all give the same key."""
    text = unicodedata.normalize("NFKD", text.translate(LIGATURES))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(ABBREVIATIONS.get(word, word) for word in SEPARATORS.split(text) if word)
