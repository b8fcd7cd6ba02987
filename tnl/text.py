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


ELIDING = set("aeiouyàâäéèêëîïôöùûüÿæœAEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜŸÆŒ")


def of(name: str) -> str:
    """French « de » before a name, elided or contracted: « d'Échirolles », « de Lyon », « du Mans », « des Abymes ».

    A leading h is left alone (« de Hénin-Beaumont », « d'Hérouville » cannot be told apart without a dictionary)."""
    if name.startswith("Le "):
        return "du " + name[3:]
    if name.startswith("Les "):
        return "des " + name[4:]
    return ("d'" if name[:1] in ELIDING else "de ") + name
