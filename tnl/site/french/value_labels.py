"""French labels for the codes stored in the data, shown in the HTML only (the JSON and CSV keep the codes).

Cells (Datasette's render_cell hook) and facet values use them: a code column shows its label, a territory's name or
id links to its page /territoire/<id>, and a cell of several sources shows one link per source.
"""
from __future__ import annotations

import weakref

from markupsafe import Markup, escape

from tnl.site.http.instance_cache import computed_once, database
from tnl.vocabulary import KIND_LABELS, split_sources

CONFIDENCE = {"high": "haute", "medium": "moyenne", "low": "faible"}
MATCH = {"sure": "sûr", "probable": "probable", "doubtful": "douteux"}
ORIGIN = {"declaration_publique": "déclaration publique", "recensement_public": "recensement public", "questionnaire": "questionnaire (réponse publiée avec accord)"}
QUESTION_STATUS = {"resolved": "tranchée", "unresolved": "ouverte"}
EPCI_TYPES = {"CC": "communauté de communes", "CA": "communauté d'agglomération", "CU": "communauté urbaine",
              "METRO": "métropole"}
SCHEMES = {"niveaux_1_5": "niveaux 1 à 5 (2016-2024)", "badge_bronze_argent_or": "badge, bronze, argent, or (2025)"}
INDICATOR_TYPES = {"integer": "nombre entier", "number": "nombre", "boolean": "oui ou non", "percent": "pourcentage"}
BOOLEANS = {0: "non", 1: "oui"}
LABELLED = {0: "jamais labellisé", 1: "labellisé"}

# Column (of a table, or alias of a canned query) -> its fixed vocabulary.
VOCABULARIES = {
    "kind": KIND_LABELS, "Nature": KIND_LABELS, "confidence": CONFIDENCE, "Confiance": CONFIDENCE,
    "match_confidence": MATCH, "origin": ORIGIN, "epci_type": EPCI_TYPES, "scheme": SCHEMES,
    "distinction_scheme": SCHEMES, "type": INDICATOR_TYPES, "suppressed": BOOLEANS, "labellise": LABELLED,
}
TABLE_VOCABULARIES = {("open_questions", "status"): QUESTION_STATUS}
# Column -> the reference table whose names replace its codes (read from the database once).
REFERENCES = {"region_code": "regions", "Région": "regions", "departement_code": "departements",
              "Département": "departements", "distinction": "distinctions", "latest_distinction": "distinctions"}
REFERENCE_SQL = {"regions": "select code, name from regions", "departements": "select code, name from departements",
                 "distinctions": "select id, label from distinctions"}

# Where a row names a territory: table -> (column holding its id, columns to link). None = a canned query.
TERRITORY_LINKS = {
    "territories": ("id", ("name",)),
    "labelled_territories": ("id", ("name",)),
    "results_map": ("territory_id", ("territory_id", "name")),
    "territory_history": ("territory_id", ("territory_id", "name")),
    "results": ("territory_id", ("territory_id",)),
    "mentions": ("territory_id", ("territory_id",)),
    "indicator_values": ("territory_id", ("territory_id",)),
    "open_questions": ("territory_id", ("territory_id",)),
    None: ("Identifiant", ("Identifiant", "Nom officiel")),
}
SOURCE_COLUMNS = {"source_urls", "Sources", "source_url", "announced_source_urls"}

_loaded: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # datasette -> {reference table: {code: name}}


async def load(datasette) -> dict:
    """The reference tables' names, read once per instance at start-up (render_cell then stays synchronous)."""
    async def read():
        db = database(datasette)
        return {name: {str(code): label for code, label in (await db.execute(sql)).rows}
                for name, sql in REFERENCE_SQL.items()}
    _loaded[datasette] = await computed_once(datasette, ("value_labels",), read)
    return _loaded[datasette]


def label(datasette, table: str | None, column: str, value) -> str | None:
    """The French label of a code, or None when the column has no vocabulary or the code none."""
    vocabulary = TABLE_VOCABULARIES.get((table, column)) or VOCABULARIES.get(column)
    if vocabulary is None and column in REFERENCES:
        vocabulary = _loaded.get(datasette, {}).get(REFERENCES[column])
    if vocabulary is None or value is None:
        return None
    if isinstance(value, int) and value in vocabulary:  # 0/1 columns (suppressed, labellise)
        return vocabulary[value]
    return vocabulary.get(str(value))


def facet_label(datasette, table: str | None, column: str, value):
    """A facet value as shown: its label when it is a code; Datasette's own label otherwise."""
    return label(datasette, table, column, value) or value


def render_cell(datasette, row, value, column: str, table: str | None, database_name: str):
    """A cell's HTML in the site's pages; None leaves it to Datasette."""
    if database_name != database(datasette).name:
        return None
    link = TERRITORY_LINKS.get(table)
    if link and column in link[1]:
        territory = _cell(row, link[0])
        territory = territory["value"] if isinstance(territory, dict) else territory
        text = value["label"] if isinstance(value, dict) else value
        if territory:
            return Markup('<a href="/territoire/{}">{}</a>').format(territory, text)
    if column in SOURCE_COLUMNS and isinstance(value, str) and value.strip():
        return sources(value)
    if isinstance(value, dict) or _cell(row, f"{column}_label") is not None:
        return None  # a foreign key Datasette labels itself; a code column next to its own label column keeps the code
    return label(datasette, table, column, value)


def excel_labels(datasette, table: str, header: list[str]):
    """For a CSV with this header: the header for people (French column labels) and a function giving each row
    labels for fixed codes and distinctions. Official codes (région, département, commune) stay codes: spreadsheets
    match on them."""
    metadata = datasette.metadata("column_labels", database=database(datasette).name, table=table, fallback=False) or {}
    distinctions = _loaded.get(datasette, {}).get("distinctions", {})
    vocabularies = [TABLE_VOCABULARIES.get((table, name)) or VOCABULARIES.get(name)
                    or (distinctions if name in ("distinction", "latest_distinction") and f"{name}_label" not in header
                        else None) for name in header]

    def labelled(row: list[str]) -> list[str]:
        return [vocabulary.get(cell, cell) if vocabulary and cell else cell
                for cell, vocabulary in zip(row, vocabularies)] + row[len(vocabularies):]

    return [metadata.get(name, name) for name in header], labelled


GLOSSARY = [  # (title, API columns, vocabulary) for the glossary page
    ("Nature du territoire", "kind, Nature", KIND_LABELS),
    ("Type d'EPCI", "epci_type", EPCI_TYPES),
    ("Confiance dans le résultat", "confidence, Confiance", CONFIDENCE),
    ("Certitude du rattachement au territoire", "match_confidence", MATCH),
    ("Statut d'une question ouverte", "status (open_questions)", QUESTION_STATUS),
    ("Origine d'une valeur d'indicateur", "origin", ORIGIN),
    ("Barème", "scheme, distinction_scheme", SCHEMES),
    ("Type d'indicateur", "type (indicators)", INDICATOR_TYPES),
    ("Labellisé ou jamais labellisé (colonne dérivée des résultats)", "labellise (territories)", LABELLED),
]


def glossary(datasette) -> dict:
    """Codes and their labels, and every table's columns, for templates/pages/glossaire.html."""
    references = _loaded.get(datasette, {})
    tables = datasette.metadata("tables", database=database(datasette).name, fallback=False) or {}
    return {
        "vocabularies": [{"title": title, "columns": columns, "codes": list(vocabulary.items())}
                         for title, columns, vocabulary in GLOSSARY],
        "distinctions": list(references.get("distinctions", {}).items()),
        "tables": [{"name": name, "title": table.get("title", name), "columns": [
            {"name": column, "label": label, "description": (table.get("columns") or {}).get(column, "")}
            for column, label in table["column_labels"].items()]}
            for name, table in tables.items() if table.get("column_labels")],
    }


def _cell(row, column: str):
    try:
        return row[column]
    except (IndexError, KeyError):  # an SQL query of the visitor's that names a column like ours, without the id
        return None


def sources(value: str) -> Markup:
    """« url | url » -> one link per source (text that is not a URL stays text)."""
    parts = split_sources(value)
    return Markup("<br>").join(
        Markup('<a href="{0}" rel="nofollow">{0}</a>').format(part) if part.startswith(("http://", "https://"))
        else escape(part) for part in parts)
