"""Load the validated Data Package into SQLite with sqlite-utils, atomically.

The database and its companions (metadata, zip, SHA-256 sums) are written to a staging folder and published
together by one rename (publish.py), so a failed or killed build leaves the previous release byte for byte intact.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Callable

import sqlite_utils
from sqlite_utils.db import DescIndex

from tnl.build_layout import SUMS_NAME, metadata_path
from tnl.pipeline import (
    bundle,
    data_versions,
    derived_columns,
    exports,
    metadata,
    population_coverage,
    preview_cards,
    publish,
    published,
)
from tnl.pipeline.datapackage import DataPackage
from tnl.pipeline.validate import read_valid
from tnl.problems import Problem, Rejected

DEFAULT_OUTPUT = Path("build/tnl.db")
VIEWS_SQL = Path(__file__).with_name("views.sql")
SQLITE_TYPES = {"integer": int, "number": float, "boolean": int}
# (facet column, filter column): one covering index counts a facet over the whole table and, by skip-scan (the
# facet column has few values), within one value of the filter: one edition's results, one kind of territory.
INDEXES = {
    "results": [["distinction", "edition"], ["confidence", "edition"],
                ["territory_id", "edition"]],  # latest/first edition per territory from the index
    "territories": [["kind"], ["region_code", "kind"], ["departement_code", "kind"], ["epci_siren"], ["cog_code"],
                    ["labellise", "kind"],  # the table's fourth facet: 40 ms per page for the communes, counted row by row
                    ["name"], ["kind", "name"],  # the page's order (sort: name), whole or for one kind
                    ["kind", "population"]],
    "mentions": [["territory_id"]],
    "indicator_values": [["territory_id"], ["indicator"]],
    "indicator_aggregates": [["edition", "group_by"]],
    "postal_codes": [["territory_id"]],  # a commune's postal codes, for the search index
}
# Views of views.sql that the build stores as tables of the same name and columns, with a primary key and indexes:
# as views, every request (the maps, their counts and facets, derniere_distinction) recomputed them over
# all the results. The database never changes once built, so computing them once is exact. Materialised from the
# view, rather than written as CREATE TABLE … AS SELECT, so that views.sql stays their one definition and the table
# gets its primary key (Datasette then links rows by it and pages on it, instead of showing and paging on rowids).
MATERIALISED = {
    "labelled_territories": (("id",), [
        [DescIndex("latest_edition"), "id"],  # the map: Datasette's default order (sort_desc) and its pages
        [DescIndex("latest_edition"), "name"],  # derniere_distinction
        ["kind"], ["latest_distinction_label"],  # facets
        ["region_code", "population", "id"], ["departement_code", "population", "id"],  # facets by région, département
    ]),
    "results_map": (("edition", "territory_id"), [  # the key's index gives Datasette's default order (sort_desc)
        ["distinction_label", "edition"], ["kind", "edition"], ["region_name", "edition"], ["departement_name", "edition"],
        ["territory_id"], ["region_code"],  # filters of one territory's results, and of the front page's API example
    ]),
}
# Full-text search: accent- and case-insensitive ("ales" finds "Alès").
FTS = {"territories": ["name", "cog_code"], "results": ["name_as_published"]}
FTS_TOKENIZER = "unicode61 remove_diacritics 2"


def build(data_dir: Path, output: Path, report: Callable[[str], None] = lambda message: None,
          complete_exports: bool = False) -> Path:
    """Validate data_dir, then publish the database at output; raise Rejected and keep output as it was on failure.

    complete_exports: also write the complete CSV and .xlsx of each table and view (exports.py), as `tnl build`
    does; the tests' many builds leave them out (they cost more than the rest of a build of the fixture data)."""
    output = Path(output)
    try:
        with publish.locked(output.parent):
            report("Validation du paquet de données…")
            package = read_valid(data_dir)
            with publish.staging(output.parent) as staged:
                database = staged / output.name
                _write(package, database, report)
                _write_companions(package, database, report)
                preview_cards.write_cards(database, report)
                if complete_exports:
                    exports.write_exports(database, report)
                publish.publish(staged, output.parent)
    except publish.BuildLocked:
        raise Rejected([Problem(str(output.parent), 0, "", "une autre construction est en cours dans ce dossier ; "
                                                         "attendu : qu'elle se termine avant d'en lancer une autre")]) from None
    report(f"Base écrite : {output} ({output.stat().st_size / 1e6:.1f} Mo)")
    return output


def _write_companions(package: DataPackage, database: Path, report: Callable[[str], None]) -> None:
    """Metadata for Datasette, the Data Package zip and the SHA-256 sums, beside the database in the staging folder."""
    report("Métadonnées, archive du paquet de données et sommes SHA-256…")
    composed = metadata.compose(metadata.read_base(), package, database.stem)
    composed["tnl_versions"] = data_versions.status(package)  # for the « Versions » page and the downloads
    if not composed["tnl_versions"]["released"]:
        report(f"Attention : les données diffèrent de la version {package.descriptor.get('version')} enregistrée dans "
               f"{data_versions.HISTORY_NAME} ; lancez « tnl release » avant de les publier comme une version.")
    metadata_path(database).write_text(json.dumps(composed, ensure_ascii=False, indent=2), encoding="utf-8")
    archived, name = bundle.published_zips(package.data_dir), bundle.zip_name(package)
    archive = database.with_name(name)
    if name in archived and composed["tnl_versions"]["released"]:
        shutil.copyfile(archived[name], archive)  # a released version: the bytes people downloaded and cited
    else:
        bundle.write_zip(package, archive)
    exports.write_package_files(archive)
    earlier = [Path(shutil.copyfile(path, database.with_name(other))) for other, path in archived.items() if other != name]
    # This build's own zip first (the site's current download), then the earlier versions'.
    bundle.write_sums([database, archive, *earlier], database.with_name(SUMS_NAME))


def _write(package: DataPackage, path: Path, report: Callable[[str], None]) -> None:
    db = sqlite_utils.Database(path)
    # A temporary file, renamed over the output only once complete: no rollback journal, no fsync while loading.
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    territories = published.territories(package)
    _create_lookup(db, "regions", _regions(territories))
    _create_lookup(db, "departements", _departements(territories))
    for resource in package.resources:
        name = resource["name"]
        report(f"Chargement de {name}…")
        _create_table(db, resource)
        # Rows stream from the file in batches: memory stays bounded whatever the size of the resource.
        db[name].insert_all(territories if name == "territories" else published.typed_rows(package, resource),
                            batch_size=2000)
    derived_columns.add(db)
    report("Index, recherche plein texte, vues et tables dérivées des vues…")
    for table, columns_list in INDEXES.items():
        for columns in columns_list:
            db[table].create_index(columns)
    for table, columns in FTS.items():
        db[table].enable_fts(columns, tokenize=FTS_TOKENIZER, create_triggers=False)
    db.executescript(VIEWS_SQL.read_text(encoding="utf-8"))
    for view, (primary_key, indexes) in MATERIALISED.items():
        _materialise(db, view, primary_key, indexes)
    population_coverage.write(db.conn)
    db.execute("ANALYZE")
    db.vacuum()
    db.close()


def _materialise(db: sqlite_utils.Database, view: str, primary_key: tuple[str, ...], indexes: list[list]) -> None:
    """Replace the view by a table of the same name and columns (declared types as the view reports them) holding its
    rows, written in primary-key order: rows read together (one edition's results) are stored together."""
    columns = ", ".join(f"[{c.name}] {c.type}" for c in db[view].columns)
    key = ", ".join(f"[{k}]" for k in primary_key)
    db.execute(f"CREATE TABLE [{view}_rows] ({columns}, PRIMARY KEY ({key}))")
    db.execute(f"INSERT INTO [{view}_rows] SELECT * FROM [{view}] ORDER BY {key}")
    db.execute(f"DROP VIEW [{view}]")
    db.rename_table(f"{view}_rows", view)
    for index in indexes:
        db[view].create_index(index)


def _regions(territories: list[dict]) -> list[dict]:
    return [{"code": t["cog_code"], "name": t["name"]} for t in territories if t["kind"] == "region"]


def _departements(territories: list[dict]) -> list[dict]:
    return [
        {"code": t["cog_code"], "name": t["name"], "region_code": t["region_code"]}
        for t in territories
        if t["kind"] == "departement"
    ]


def _create_lookup(db: sqlite_utils.Database, name: str, rows: list[dict]) -> None:
    """Small code -> name tables, so that facets and foreign keys show "Isère" rather than "38"."""
    foreign_keys = [("region_code", "regions", "code")] if name == "departements" else []
    db[name].insert_all(rows, pk="code", foreign_keys=foreign_keys, columns={"code": str, "name": str})


def _create_table(db: sqlite_utils.Database, resource: dict) -> None:
    schema = resource["schema"]
    columns = {f["name"]: SQLITE_TYPES.get(f["type"], str) for f in schema["fields"]}
    not_null = {f["name"] for f in schema["fields"] if f.get("constraints", {}).get("required")}
    db[resource["name"]].create(
        columns,
        pk=tuple(schema["primaryKey"]) if len(schema["primaryKey"]) > 1 else schema["primaryKey"][0],
        not_null=not_null,
        foreign_keys=_foreign_keys(resource),
    )


def _foreign_keys(resource: dict) -> list[tuple[str, str, str]]:
    """Single-column foreign keys (SQLite-side; composite ones are checked by validation only)."""
    keys = []
    for key in resource["schema"].get("foreignKeys", []):
        if len(key["fields"]) == 1:
            target = key["reference"]["resource"] or resource["name"]
            keys.append((key["fields"][0], target, key["reference"]["fields"][0]))
    if resource["name"] == "territories":
        keys += [("departement_code", "departements", "code"), ("region_code", "regions", "code")]
    return keys
