"""Columns the database adds to a published table, computed from other tables at build time.

They answer a question people ask of the table itself (« which territories were never labelled? », as a facet of
the territories table), without entering the Data Package: the package keeps one home per fact (a territory is
labelled when results.csv says so), the database spells it out. Their titles and descriptions say they are derived
and absent from the package's CSV.
"""
from __future__ import annotations

import sqlite_utils

# table -> column -> (SQL type, SQL expression over the table's row, French title, French description)
DERIVED = {
    "territories": {
        "labellise": ("integer", "id in (select territory_id from results)", "Labellisé",
                      "Colonne dérivée : 1 si le territoire figure dans au moins un résultat publié du label, 0 s'il "
                      "n'a jamais été labellisé (dans les résultats publiés, partiels). Calculée par la base à partir "
                      "des résultats ; absente du fichier territories.csv du paquet de données (voir results.csv)."),
    },
}


def add(db: sqlite_utils.Database) -> None:
    """Add and fill every derived column (the tables they read are loaded)."""
    for table, columns in DERIVED.items():
        for column, (sql_type, expression, _title, _description) in columns.items():
            db.execute(f"alter table [{table}] add column [{column}] {sql_type}")
            db.execute(f"update [{table}] set [{column}] = {expression}")


def metadata(table: str) -> dict[str, tuple[str, str]]:
    """column -> (title, description) of a table's derived columns."""
    return {column: (title, description) for column, (_t, _e, title, description) in DERIVED.get(table, {}).items()}
