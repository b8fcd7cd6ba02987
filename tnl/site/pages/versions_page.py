"""The « Versions » page: each release of the data and what changed, edition by edition, from the history the build
carried into the metadata (`tnl_versions`, written by `tnl release` in data/versions.json)."""
from __future__ import annotations

import datetime

from tnl.site.french import value_labels

MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre",
          "décembre"]
CHANGES = {"added": "ajoutée", "changed": "modifiée", "removed": "retirée"}


def french_date(iso: str) -> str:
    day = datetime.date.fromisoformat(iso)
    return f"{day.day}{'er' if day.day == 1 else ''} {MONTHS[day.month - 1]} {day.year}"


def cell(value) -> str:
    return "(vide)" if value is None or value == "" else str(value)


def page_data(datasette) -> dict:
    status = datasette.metadata("tnl_versions") or {"version": None, "released": False, "history": []}
    titles = {}

    def title(resource: str) -> str:
        if resource not in titles:
            titles[resource] = datasette.metadata("title", database="tnl", table=resource, fallback=False) or resource
        return titles[resource]

    def column_title(resource: str, column: str) -> str:
        labels = datasette.metadata("column_labels", database="tnl", table=resource, fallback=False) or {}
        return labels.get(column, column)

    def shown(resource: str, column: str, value) -> str:
        """A code as the pages show it (« ouverte », « haute », « Niveau 4 »), the code itself otherwise."""
        return cell(value_labels.label(datasette, resource, column, value) or value)

    releases = []
    for entry in status["history"]:
        editions: dict = {}
        for line in entry["summary"]:
            editions.setdefault(line["edition"], {"counts": [], "rows": []})["counts"].append(
                {"table": title(line["resource"]), "resource": line["resource"],
                 **{c: line[c] for c in CHANGES}})
        for row in entry["rows"]:
            editions.setdefault(row["edition"], {"counts": [], "rows": []})["rows"].append({
                "table": title(row["resource"]), "change": CHANGES[row["change"]], "label": row["label"],
                "key": " · ".join(cell(k) for k in row["key"]),
                "columns": [(column_title(row["resource"], column), column, shown(row["resource"], column, old),
                             shown(row["resource"], column, new)) for column, (old, new) in row["columns"].items()],
            })
        releases.append({
            "version": entry["version"], "date": french_date(entry["date"]), "iso_date": entry["date"],
            "previous": entry["previous"], "structure": entry["structure"],
            "listed": sum(len(e["rows"]) for e in editions.values()),
            "total": sum(line[c] for line in entry["summary"] for c in CHANGES),
            "editions": sorted(editions.items(), key=lambda item: (item[0] is None, -(item[0] or 0))),
        })
    return {"title": status.get("title"), "version": status["version"], "released": status["released"], "releases": releases}
