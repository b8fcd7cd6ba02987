"""Datasette metadata: the hand-written metadata.yml completed with the descriptions of the Data Package.

Table and column descriptions are written once, in data/datapackage.yaml; this module carries them
over so that metadata.yml never holds a second copy that could drift.
"""
from __future__ import annotations

import copy
from pathlib import Path

import yaml

from tnl import PROJECT_ROOT
from tnl.pipeline import datapackage, derived_columns
from tnl.pipeline.datapackage import DataPackage

BASE_METADATA = PROJECT_ROOT / "metadata.yml"


def compose(base: dict, package: DataPackage, database: str) -> dict:
    """base plus, for every resource, its French title, description, column descriptions and column labels."""
    metadata = copy.deepcopy(base)
    metadata["georef_attribution"] = next(
        " ".join(s["title"].split()) for s in package.descriptor["sources"] if s["path"].endswith("provenance.json")
    )
    tables = metadata.setdefault("databases", {}).setdefault(database, {}).setdefault("tables", {})
    for resource in package.resources:
        table = tables.setdefault(resource["name"], {})
        table["title"] = resource["title"]
        table["description"] = resource["description"].strip()
        table["columns"] = {field["name"]: column_description(field) for field in datapackage.fields(resource)}
        table["column_labels"] = {field["name"]: field["title"] for field in datapackage.fields(resource)}  # HTML headers
        for column, (title, description) in derived_columns.metadata(resource["name"]).items():
            table["columns"][column] = f"{title} — {description}"
            table["column_labels"][column] = title
    metadata["tnl_maintainer"] = maintainer(package)
    # French column titles on their own, for the headers of the .xlsx downloads
    metadata["tnl_column_titles"] = {r["name"]: {f["name"]: f["title"] for f in datapackage.fields(r)} for r in package.resources}
    return metadata


def maintainer(package: DataPackage) -> dict:
    """Who maintains the data and how to reach them: the descriptor's maintainer (its first contributor otherwise)."""
    contributors = package.descriptor.get("contributors", [])
    chosen = next((c for c in contributors if c.get("role") == "maintainer"), contributors[0] if contributors else {})
    return {"title": chosen.get("title", ""), "email": chosen.get("email", ""), "path": chosen.get("path", "")}


def column_description(field: dict) -> str:
    return f"{field['title']} — {field['description'].strip()}"


def read_base(path: Path = BASE_METADATA) -> dict:
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=yaml.CSafeLoader)  # libyaml: our own file, 10× faster than the Python reader
