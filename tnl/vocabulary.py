"""The words the data and the site share, each defined once: kinds of territory, the labels' statuses, source lists."""
from __future__ import annotations

KIND_LABELS = {  # singular, as in « commune » or « EPCI »
    "commune": "commune", "epci": "EPCI", "departement": "département", "region": "région",
    "collectivite": "collectivité à statut particulier", "syndicat": "syndicat",
    "etablissement_public": "établissement public", "association": "association", "autre": "autre organisme",
}
KIND_PLURALS = {
    "commune": "communes", "epci": "EPCI", "departement": "départements", "region": "régions",
    "collectivite": "collectivités à statut particulier", "syndicat": "syndicats",
    "etablissement_public": "établissements publics", "association": "associations", "autre": "autres organismes",
}
NEVER = "Jamais labellisé"
UNPUBLISHED = "Labellisé, niveau non publié"  # one name for this status, everywhere
SOURCE_SEPARATOR = "|"  # several source URLs in one CSV cell


def split_sources(cell: str | None) -> list[str]:
    """The URLs of a `source_urls` cell, in their order, blanks dropped."""
    return [part.strip() for part in (cell or "").split(SOURCE_SEPARATOR) if part.strip()]
