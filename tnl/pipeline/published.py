"""The rows as published: typed by the schema, with the values the database derives, for every format alike.

The database, the zip's CSVs and the release diffs all take their rows from here, so that a value is the same in
`tnl.db`, in the API and in the downloaded files.
"""
from __future__ import annotations

import csv
import hashlib
import json
from typing import Iterable, Iterator

from tnl.pipeline import datapackage
from tnl.pipeline.datapackage import DataPackage

CASTS = {"integer": int, "number": float, "boolean": lambda v: v.lower() in ("true", "1")}


def typed_rows(package: DataPackage, resource: dict) -> Iterator[dict]:
    """Rows cast to the schema's types, read one at a time; empty cells become None. The package is already valid."""
    casts = {f["name"]: CASTS.get(f["type"], str) for f in datapackage.fields(resource)}
    with open(package.path(resource), encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            yield {name: (casts[name](value) if value != "" else None) for name, value in row.items()}


def place_bodies_at_their_seat(territories: list[dict]) -> None:
    """A body without its own point (syndicat, établissement public…) is shown at its seat commune; its point_source
    (« siege ») already says where the point comes from."""
    communes = {t["cog_code"]: t for t in territories if t["kind"] == "commune"}
    for territory in territories:
        seat = communes.get(territory["seat_code"] or "")
        if territory["latitude"] is None and seat:
            territory["latitude"], territory["longitude"] = seat["latitude"], seat["longitude"]
            territory["departement_code"] = territory["departement_code"] or seat["departement_code"]
            territory["region_code"] = territory["region_code"] or seat["region_code"]


def territories(package: DataPackage) -> list[dict]:
    """The territories with their derived points (small: kept in memory to place bodies)."""
    rows = list(typed_rows(package, package.resource("territories")))
    place_bodies_at_their_seat(rows)
    return rows


def rows(package: DataPackage, resource: dict) -> Iterable[dict]:
    """The published rows of one resource."""
    return territories(package) if resource["name"] == "territories" else typed_rows(package, resource)


def text(field: dict, value) -> str:
    """A typed value written back as the CSV text its schema reads: numbers exact, booleans as true/false."""
    if value is None:
        return ""
    if field["type"] == "boolean":
        return "true" if value else "false"
    if field["type"] == "number":
        return repr(float(value))
    return str(value)


def digest(package: DataPackage, resource: dict) -> str:
    """SHA-256 of the resource's published rows in file order: what changes when any published value changes,
    and only then (not with the number formatting or the quoting of the file)."""
    sha = hashlib.sha256()
    names = [f["name"] for f in datapackage.fields(resource)]
    sha.update(json.dumps(names, ensure_ascii=False).encode("utf-8"))
    for row in rows(package, resource):
        sha.update(json.dumps([row[n] for n in names], ensure_ascii=False).encode("utf-8") + b"\n")
    return sha.hexdigest()
