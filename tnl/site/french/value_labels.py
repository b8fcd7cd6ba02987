"""French labels for the codes stored in the data, shown in the HTML only (the JSON and CSV keep the codes).

Cells (Datasette's render_cell hook) and facet values use them: a code column shows its label, a territory's name or
id links to its page /territoire/<id>, a cell of several sources shows one link per source, and a quantity is
written the French way (« 1 163 810 », « 44,9 »).
"""
from __future__ import annotations

import re
import weakref

from datasette.utils import path_with_added_args, path_with_removed_args
from markupsafe import Markup, escape

from tnl.site.french.numbers import number_cell
from tnl.site.http.instance_cache import computed_once, database
from tnl.vocabulary import KIND_LABELS, UNPUBLISHED, split_sources

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
NAMED_CODES = ("region_code", "departement_code", "Région", "Département")  # official codes whose name exports add beside them
DISTINCTION_COLUMNS = ("distinction", "latest_distinction")
DISTINCTION_FACETS = DISTINCTION_COLUMNS + ("distinction_label", "latest_distinction_label", "Distinction")
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


def described_codes(column: str, description: str) -> Markup:
    """A column's description as people read it: each code it explains (« high : liste officielle ») shown as its label
    with the code beside, marked as code (« haute <code>high</code> : liste officielle »)."""
    text = escape(description)
    vocabulary = VOCABULARIES.get(column) or {}
    for code, label in vocabulary.items():
        code = str(code)
        text = Markup(re.sub(rf"(?<![\w<>/]){re.escape(code)}(?= :| \()", lambda _: f"{label} <code>{code}</code>",
                             str(text), count=1))
    return Markup(text)


def facet_values(datasette, request, table: str | None, facet: dict, total: int | None) -> list[dict]:
    """A facet's values in a reader's order: editions by year (latest first), distinctions and fixed codes in their
    own order (Niveau 1 to 5, then badge to or), others by count as Datasette gives them. A distinction facet ends with
    the rows without one (labelled, level not published), which Datasette leaves out, counted by difference."""
    column, values = facet["name"], list(facet["results"])
    order = _facet_order(datasette, table, column, values)
    if order is not None:
        values.sort(key=order)
    if column in DISTINCTION_FACETS and not facet.get("truncated") and total:
        missing = total - sum(v["count"] for v in values)
        argument = f"{column}__isnull"
        selected = request.args.get(argument) == "1"
        if missing > 0:
            toggle = (path_with_removed_args(request, {argument: "1"}) if selected
                      else path_with_added_args(request, {argument: "1"}))
            values.append({"value": None, "label": UNPUBLISHED, "count": missing, "selected": selected,
                           "toggle_url": toggle})
    return values


def _facet_order(datasette, table: str | None, column: str, values: list[dict]):
    if values and all(str(v["value"]).isdigit() and len(str(v["value"])) == 4 for v in values):
        return lambda v: -int(v["value"])  # years, the latest first
    distinctions = _loaded.get(datasette, {}).get("distinctions", {})
    vocabulary = (list(distinctions) if column in DISTINCTION_FACETS[:2]
                  else list(distinctions.values()) if column in DISTINCTION_FACETS
                  else list(TABLE_VOCABULARIES.get((table, column)) or VOCABULARIES.get(column) or ()))
    if not vocabulary:
        return None
    rank = {str(code): i for i, code in enumerate(vocabulary)}
    return lambda v: rank.get(str(v["value"]), len(rank))


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
            return Markup(f'<a href="/territoire/{escape(territory)}">{escape(text)}</a>')  # Markup.format: 5x slower
    if column in SOURCE_COLUMNS and isinstance(value, str) and value.strip():
        return sources(value)
    if column in DISTINCTION_COLUMNS and isinstance(value, dict):
        # Datasette writes a foreign key as « label <em>code</em> »: « Label Or or » reads as a typo.
        return Markup(f'<a href="/{escape(database_name)}/distinctions/{escape(value["value"])}">{escape(value["label"])}</a>')
    if isinstance(value, dict) or _cell(row, f"{column}_label") is not None:
        return None  # a foreign key Datasette labels itself; a code column next to its own label column keeps the code
    return label(datasette, table, column, value) or number_cell(column, value)


def export_columns(datasette, table: str | None, header: list[str], titles: dict[str, str] | None = None):
    """For an export (CSV for Excel, .xlsx) with this header: the header for people and a function giving each row as
    people read it. Fixed codes and distinctions become their labels; an official code (région, département) stays a
    code, for spreadsheets match on it, and gains its name in the column after it, as the pages show names; the
    `x_label` columns Datasette adds take x's title, x itself is « … (code) ». titles: the columns' titles where the table has no label."""
    metadata = {**(titles or {}), **(
        datasette.metadata("column_labels", database=database(datasette).name, table=table, fallback=False) or {})}
    references = _loaded.get(datasette, {})

    def added_label(name: str) -> bool:  # an `x_label` column of Datasette's (?_labels=on), not one of the view's
        return name in header and name.endswith("_label") and name[: -len("_label")] in header and name not in metadata

    people, plan = [], []
    for name in header:
        title = metadata.get(name, name)
        if added_label(name):
            people.append(metadata.get(name[: -len("_label")], name))
            plan.append((None, False))
            continue
        if added_label(f"{name}_label"):
            people.append(f"{title} (code)")
            plan.append((None, False))
            continue
        vocabulary = TABLE_VOCABULARIES.get((table, name)) or VOCABULARIES.get(name)
        named = None
        if name in DISTINCTION_COLUMNS and f"{name}_label" not in header:
            vocabulary = references.get("distinctions", {})
        elif name in NAMED_CODES and not {"region_name", "departement_name"} & set(header):
            named = references.get(REFERENCES[name], {})
        people += [f"{title} (code)", title] if named is not None else [title]
        plan.append((vocabulary or named, named is not None))

    def labelled(row: list) -> list:
        out = []
        for cell, (vocabulary, beside) in zip(row, plan):
            key = cell if isinstance(cell, str) else (str(cell) if cell is not None else "")
            if beside:
                out += [cell, vocabulary.get(key, "") if key else ""]
            else:
                out.append(vocabulary.get(key, cell) if vocabulary and key else cell)
        return out + list(row[len(plan):])

    return people, labelled


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
        Markup(f'<a href="{escape(part)}" rel="nofollow">{escape(part)}</a>') if part.startswith(("http://", "https://"))
        else escape(part) for part in parts)
