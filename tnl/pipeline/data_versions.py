"""Releases of the data: a version per published package, and what changed from one release to the next.

The history lives in `data/versions.json`, newest first, committed with the data: the « Versions » page is built from
it, on a fresh clone, with no git history and no earlier package needed at build or serve time. `tnl release`
writes a new entry by comparing the data with the previous release's package (its zip, or a folder holding its
descriptor), so the figures of each entry are computed once, from the packages themselves.

Semantic versioning of the data: major when a column or table disappears or a key changes, minor when rows,
columns, tables or an edition are added, patch when existing rows are only corrected or removed.
Each entry keeps the digest of every resource's published rows (`published.digest`), so a test can tell that
data/ has not changed since its last release.
"""
from __future__ import annotations

import datetime
import json
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tnl.pipeline import datapackage, published
from tnl.pipeline.datapackage import DataPackage
from tnl.problems import Problem, Rejected

HISTORY_NAME = "versions.json"
MAX_ROWS_LISTED = 100  # per resource and release: beyond, the entry keeps the counts (a georef update changes thousands)
LABEL_COLUMNS = ("name_as_published", "name", "mention", "subject", "label")


def history(data_dir: Path) -> list[dict]:
    path = Path(data_dir) / HISTORY_NAME
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []


def digests(package: DataPackage) -> dict[str, str]:
    return {r["name"]: published.digest(package, r) for r in package.resources}


def status(package: DataPackage) -> dict:
    """The history and whether the data are those of its latest release (else they are unreleased work)."""
    entries = history(package.data_dir)
    released = bool(entries) and entries[0]["version"] == package.descriptor.get("version") \
        and entries[0]["digests"] == digests(package)
    return {"title": package.descriptor.get("title"), "version": package.descriptor.get("version"), "released": released,
            "history": entries}


@dataclass
class Diff:
    structure: list[str]  # French sentences: tables and columns added or removed, keys changed
    breaking: bool
    rows: list[dict]  # one per row added, changed or removed
    metadata: list[str] = field(default_factory=list)  # French sentences: the package's own metadata changed

    def summary(self) -> list[dict]:
        counts: dict[tuple, dict] = {}
        for row in self.rows:
            line = counts.setdefault((row["resource"], row["edition"]),
                                     {"resource": row["resource"], "edition": row["edition"], "added": 0, "changed": 0, "removed": 0})
            line[row["change"]] += 1
        return sorted(counts.values(), key=lambda c: (c["edition"] is None, c["edition"] or 0, c["resource"]))


def compare(previous: DataPackage | None, current: DataPackage) -> Diff:
    """Row by row, keyed by each resource's primary key, on the published (typed, derived) values."""
    structure, rows, breaking = [], [], False
    before = {r["name"]: r for r in previous.resources} if previous else {}
    for resource in current.resources:
        name, key = resource["name"], datapackage.primary_key(resource)
        old = before.pop(name, None)
        if previous and old is None:
            structure.append(f"table ajoutée : {name}")
        if old is not None:
            old_names = {f["name"] for f in datapackage.fields(old)}
            new_names = {f["name"] for f in datapackage.fields(resource)}
            structure += [f"colonne ajoutée : {name}.{c}" for c in sorted(new_names - old_names)]
            structure += [f"colonne retirée : {name}.{c}" for c in sorted(old_names - new_names)]
            if datapackage.primary_key(old) != key:
                structure.append(f"clé primaire changée : {name}")
            breaking = breaking or bool(old_names - new_names) or datapackage.primary_key(old) != key
            if datapackage.primary_key(old) != key:
                continue
        new_rows = {tuple(r[k] for k in key): r for r in published.rows(current, resource)}
        old_rows = {tuple(r[k] for k in key): r for r in published.rows(previous, old)} if old is not None else {}
        for k, row in new_rows.items():
            if k not in old_rows:
                rows.append(_row(name, key, row, "added"))
            else:
                columns = {c: [old_rows[k].get(c), v] for c, v in row.items() if c in old_rows[k] and old_rows[k][c] != v}
                if columns:
                    rows.append(_row(name, key, row, "changed", columns))
        rows += [_row(name, key, row, "removed") for k, row in old_rows.items() if k not in new_rows]
    structure += [f"table retirée : {name}" for name in before]
    return Diff(structure, breaking or bool(before), rows, metadata_changes(previous, current))


UNTRACKED_METADATA = {"version", "created", "resources"}  # set by the release itself, or compared row by row


def metadata_changes(previous: DataPackage | None, current: DataPackage) -> list[str]:
    """The package-level fields of the descriptor that changed (maintainer, sources, licence…): what someone reads
    in the zip changes, so the package is released again (a patch when nothing else changed)."""
    if previous is None:
        return []
    old, new = previous.descriptor, current.descriptor
    return [f"métadonnées du paquet modifiées : {key}" for key in sorted((set(old) | set(new)) - UNTRACKED_METADATA)
            if old.get(key) != new.get(key)]


def _row(resource: str, key: list[str], row: dict, change: str, columns: dict | None = None) -> dict:
    label = next((str(row[c]) for c in LABEL_COLUMNS if row.get(c)), "")
    return {"resource": resource, "edition": row.get("edition"), "key": [row[k] for k in key], "label": label,
            "change": change, "columns": columns or {}}


def next_version(previous: str, diff: Diff, previous_editions: set, current_editions: set) -> str:
    major, minor, patch = (int(n) for n in previous.split("."))
    if diff.breaking:
        return f"{major + 1}.0.0"
    if current_editions - previous_editions or diff.structure or any(r["change"] == "added" for r in diff.rows):
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def read_package(path: Path, scratch: Path) -> DataPackage:
    """A published package: a zip (descriptor at its root, or in its one folder as before 1.1.0), unzipped in
    scratch, or a folder."""
    path = Path(path)
    if zipfile.is_zipfile(path):
        folder = Path(scratch)
        with zipfile.ZipFile(path) as archive:
            archive.extractall(folder)  # the caller's own earlier release, read once
        path = next(p.parent for p in sorted(folder.rglob("datapackage.json"), key=lambda p: len(p.parts)))
    for name in ("datapackage.json", datapackage.DESCRIPTOR_NAME):
        if (path / name).is_file():
            with open(path / name, encoding="utf-8") as f:
                return DataPackage(path, json.load(f) if name.endswith(".json") else yaml.load(f, Loader=yaml.CSafeLoader))
    raise _refused(str(path), "", "aucun descripteur de paquet", "datapackage.json ou datapackage.yaml")


def release(data_dir: Path, previous_path: Path | None, date: datetime.date, version: str | None = None) -> dict:
    """Record the data of data_dir as a new release: entry prepended to versions.json, version and date written in
    the descriptor (and in CITATION.cff beside data_dir, if there is one). Returns the entry."""
    with tempfile.TemporaryDirectory(prefix="tnl-previous-") as scratch:
        return _release(data_dir, previous_path, date, version, Path(scratch))


def _release(data_dir: Path, previous_path: Path | None, date: datetime.date, version: str | None, scratch: Path) -> dict:
    current = datapackage.read(data_dir)
    entries = history(data_dir)
    if entries and previous_path is None:
        raise _refused(HISTORY_NAME, "", f"le paquet de la version {entries[0]['version']} est nécessaire pour calculer "
                       "les changements", "--previous tnl-donnees-X.Y.Z.zip (ou son dossier)")
    previous = read_package(previous_path, scratch) if previous_path else None
    if previous and entries and digests(previous) != entries[0]["digests"]:
        raise _refused(str(previous_path), "", f"ce paquet n'est pas celui de la version {entries[0]['version']}",
                       "le paquet publié de la dernière version de versions.json")
    diff = compare(previous, current)
    if previous and not diff.rows and not diff.structure and not diff.metadata:
        raise _refused(str(data_dir), "", "aucun changement depuis la version précédente", "des données modifiées")
    editions = {r["edition"] for r in published.rows(current, current.resource("editions"))}
    old_editions = {r["edition"] for r in published.rows(previous, previous.resource("editions"))} if previous else set()
    computed = next_version(entries[0]["version"], diff, old_editions, editions) if entries else "1.0.0"
    version = version or computed
    if not re.fullmatch(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)", version):
        raise _refused(datapackage.DESCRIPTOR_NAME, "version", f"version « {version} » invalide", "X.Y.Z (versionnage sémantique)")
    if _order(version) < _order(computed):
        raise _refused(datapackage.DESCRIPTOR_NAME, "version", f"version {version} trop basse pour ces changements",
                       f"au moins {computed}")
    entry = {"version": version, "date": date.isoformat(), "previous": entries[0]["version"] if entries else None,
             "structure": diff.structure + diff.metadata, "summary": diff.summary(), "rows": _listed(diff.rows) if previous else [],
             "digests": digests(current)}
    _set_descriptor_version(data_dir / datapackage.DESCRIPTOR_NAME, version, date)
    citation = Path(data_dir).parent / "CITATION.cff"
    if citation.is_file():
        _set_citation_version(citation, version, date)
    (Path(data_dir) / HISTORY_NAME).write_text(json.dumps([entry, *entries], ensure_ascii=False, indent=1) + "\n",
                                               encoding="utf-8")
    return entry


def _refused(file: str, field: str, message: str, expected: str) -> Rejected:
    return Rejected([Problem(file, 0, field, f"{message} ; attendu : {expected}")])


def _listed(rows: list[dict]) -> list[dict]:
    kept, per_resource = [], {}
    for row in rows:
        per_resource[row["resource"]] = per_resource.get(row["resource"], 0) + 1
        if per_resource[row["resource"]] <= MAX_ROWS_LISTED:
            kept.append(row)
    return kept


def _order(version: str) -> tuple[int, ...]:
    return tuple(int(n) for n in version.split("."))


def _set_descriptor_version(path: Path, version: str, date: datetime.date) -> None:
    """Edit the two lines in place: the descriptor's comments and layout stay as written."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^version: .*$", f"version: {version}", text, count=1)
    created = f'created: "{date.isoformat()}T00:00:00Z"'
    text = re.sub(r"(?m)^created: .*$", created, text, count=1) if re.search(r"(?m)^created: ", text) \
        else re.sub(r"(?m)^(version: .*)$", rf"\1\n{created}", text, count=1)
    path.write_text(text, encoding="utf-8")


def _set_citation_version(path: Path, version: str, date: datetime.date) -> None:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^version: .*$", f'version: "{version}"', text, count=1)
    text = re.sub(r"(?m)^date-released: .*$", f'date-released: "{date.isoformat()}"', text, count=1)
    path.write_text(text, encoding="utf-8")


CHANGES = {"added": "ajoutée(s)", "changed": "modifiée(s)", "removed": "retirée(s)"}


def describe(entry: dict) -> list[str]:
    """The entry in French, one line per edition and table: for the terminal and CHANGELOG.md."""
    lines = [f"- {sentence}" for sentence in entry["structure"]]
    for line in entry["summary"]:
        where = f"édition {line['edition']}" if line["edition"] is not None else "hors édition"
        counts = ", ".join(f"{line[c]} ligne(s) {word}" for c, word in CHANGES.items() if line[c])
        lines.append(f"- {where}, {line['resource']} : {counts}")
    return lines
