"""French wording of what Datasette builds in Python (filter names, descriptions, errors, sizes).

Called from the French side of the translated templates (tnl/site/french/french_templates.py): these strings are not in
Datasette's templates, so no (English, French) pair can reach them.
"""
from __future__ import annotations

import re

from markupsafe import Markup

from tnl.site.french.templating import number

FILTER_LABELS = {
    "=": "=", "!=": "≠", "contains": "contient", "ends with": "se termine par", "starts with": "commence par",
    "like": "correspond au motif (% _)", "not like": "ne correspond pas au motif (% _)",
    "glob": "correspond au motif (* ?)", "in": "parmi (liste)", "not in": "hors de (liste)",
    "array contains": "la liste contient", "array does not contain": "la liste ne contient pas", "date": "à la date du",
    "is null": "n'a pas de valeur", "is not null": "a une valeur", "is blank": "est vide", "is not blank": "n'est pas vide",
}
FILTER_CLAUSES = {
    "exact": "{c} = {q}", "not": "{c} ≠ {q}", "contains": "{c} contient {q}", "endswith": "{c} se termine par {q}",
    "startswith": "{c} commence par {q}", "gt": "{c} > {v}", "gte": "{c} ≥ {v}", "lt": "{c} < {v}", "lte": "{c} ≤ {v}",
    "like": "{c} correspond au motif {q}", "notlike": "{c} ne correspond pas au motif {q}",
    "glob": "{c} correspond au motif (* ?) {q}", "in": "{c} parmi {q}", "notin": "{c} hors de {q}",
    "arraycontains": "{c} contient {q}", "arraynotcontains": "{c} ne contient pas {q}", "date": "{c} à la date du {v}",
    "isnull": "{c} n'a pas de valeur", "notnull": "{c} a une valeur", "isblank": "{c} est vide", "notblank": "{c} n'est pas vide",
}
ERRORS = {
    "Database not found": "Base de données introuvable",
    "Table not found": "Table introuvable",
    "Record not found": "Ligne introuvable",
    "Not found": "Page introuvable",
    "Not Found": "Page introuvable",
    "Permission denied": "Accès refusé",
    "Database download is forbidden": "Le téléchargement de la base est interdit",
    "Cannot use _sort and _sort_desc at the same time": "Impossible d'utiliser _sort et _sort_desc en même temps",
    "CSV streaming is disabled": "L'export CSV en flux est désactivé",
}
SORT_ERROR = "Cannot sort table by "
SIZE_UNITS = {"bytes": "octets", "KB": "Ko", "MB": "Mo", "GB": "Go", "TB": "To"}
RENDERERS = {"json": "JSON", "csvfr": "CSV pour Excel", "xlsx": "Excel (.xlsx)"}
FACET_TYPES = {"array": "liste", "date": "date"}
SHOW_HIDE = {"hide": "masquer la requête SQL", "show": "voir la requête SQL"}


def rows(count: int) -> Markup:
    """1234 -> « 1 234&nbsp;lignes »."""
    return Markup(number(count)) + Markup("&nbsp;ligne" + ("s" if count > 1 else ""))


def quoted(value: str) -> str:
    return value if value.isdigit() else f"«\u00a0{value}\u00a0»"


def human_description(args, filters, search: str, sort: str, sort_desc: str, count, english: str, metadata=None,
                      value_label=None) -> str:
    """French counterpart of Datasette's human_description_en ("where kind = "commune" sorted by name").

    value_label(column, value): the label people read for a code (« Niveau 5 » for niveau_5), or None.
    Rare forms that Datasette describes with more than filters (?_through=, ?_search_<column>=) keep its English.
    """
    if args.get("_through") is not None or any(key.startswith("_search_") for key in args.keys()):
        return english
    parts = []
    if search:
        parts.append(f"correspondant à la recherche «\u00a0{search}\u00a0»")
    def shown(column, value):
        return (value_label and value_label(column, value)) or value

    clauses = [FILTER_CLAUSES[lookup].format(c=column_label(column, metadata), v=shown(column, value),
                                             q=quoted(shown(column, value)))
               for column, lookup, value in filters.selections() if lookup in FILTER_CLAUSES]
    if clauses:
        parts.append("où " + (", ".join(clauses[:-1]) + " et " if len(clauses) > 1 else "") + clauses[-1])
    if sort or sort_desc:
        ending = "e" if count is not None and count <= 1 else "es"
        parts.append(f"trié{ending} par {column_label(sort or sort_desc, metadata)}" + (" (ordre décroissant)" if sort_desc else ""))
    return ", ".join(parts)


def error_message(error):
    if isinstance(error, str) and error in ERRORS:
        return ERRORS[error]
    if isinstance(error, str) and error.startswith(SORT_ERROR):
        return "Impossible de trier la table par " + error[len(SORT_ERROR):]
    return error


def byte_size(formatted: str) -> Markup:
    """Datasette's format_bytes ("1.5 MB") in French: « 1,5&nbsp;Mo »."""
    amount, _, unit = formatted.partition(" ")
    return Markup.escape(amount.replace(".", ",")) + Markup("&nbsp;") + Markup.escape(SIZE_UNITS.get(unit, unit))


def column_label(name: str, metadata) -> str:
    """A column's French label (table metadata `column_labels`); the API keeps the English name."""
    labels = (metadata or {}).get("column_labels") or {}
    return labels.get(name) or ("Lien" if name == "Link" else name)


def cell(cell) -> Markup:
    """A table cell as Datasette renders it, except the « Link » column of a table keyed by several columns, whose
    text is the key (« 2025,syndicat-morbihan-energies »): « voir la ligne » leads to the same page."""
    if cell["column"] == "Link":
        return Markup(re.sub(r">[^<]*</a>", ">voir la ligne</a>", str(cell["value"]), count=1))
    return cell["value"]


GLOBALS = {
    "fr_rows": rows, "fr_cell": cell, "fr_human_description": human_description, "fr_error": error_message, "fr_byte_size": byte_size,
}
FILTERS = {
    "fr_column": lambda name, metadata: column_label(name, metadata),
    "fr_filter_label": lambda display: FILTER_LABELS.get(display, display),
    "fr_renderer": lambda name: RENDERERS.get(name, name),
    "fr_facet_type": lambda kind: FACET_TYPES.get(kind, kind),
    "fr_show_hide": lambda text: SHOW_HIDE.get(text, text),
}
