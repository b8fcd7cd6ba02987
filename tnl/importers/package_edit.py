"""Read the tables an importer edits, and write several of them at once: staged, validated whole, then renamed.

Shared by `tnl import-official` and `tnl add-result` / `tnl remove-result`, so that every command that edits
data/ publishes all of its files or none.
"""
from __future__ import annotations

import csv
import os
import shutil
import tempfile
from pathlib import Path

from tnl.pipeline import datapackage
from tnl.pipeline.csv_writer import write_csv
from tnl.pipeline.validate import validate
from tnl.problems import Rejected
from tnl.vocabulary import split_sources

STAGING_PREFIX = ".edit-"


def read_tables(data_dir: Path, names: tuple[str, ...]) -> dict[str, list[dict]]:
    """The rows of each named resource, as dicts of text (the CSV as written, before any typing)."""
    package = datapackage.read(data_dir)
    return {name: read_csv(package.path(name))[1] for name in names}


def read_csv(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def joined_sources(*fields: str) -> str:
    """The sources of every « a | b » field, in order, each once: a row keeps every source that supports it."""
    sources = [s for field in fields for s in split_sources(field)]
    return " | ".join(dict.fromkeys(sources))


def canonical(rows: list[dict]) -> list[tuple]:
    """Rows compared regardless of order."""
    return sorted(tuple(sorted(r.items())) for r in rows)


def write_tables(data_dir: Path, tables: dict[str, list[dict]]) -> None:
    """Replace the named resources' files with these rows, all or none.

    The new files are written in a staging folder beside data/ (the other files linked in), the whole package
    is validated there, and only then is each file renamed over its original. A rename that fails puts back the
    files already replaced. Raises Rejected, writing nothing, if the staged package is invalid.
    """
    data_dir = Path(data_dir)
    package = datapackage.read(data_dir)
    paths = {name: package.resource(name)["path"] for name in tables}
    for leftover in data_dir.glob(STAGING_PREFIX + "*"):  # left by a command that was killed
        shutil.rmtree(leftover, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=data_dir))
    try:
        for entry in data_dir.iterdir():
            if entry.name not in paths.values() and entry != staging:
                # Files hard-linked, folders mirrored (georef/ holds resources too), symlinks as themselves:
                # validation refuses a symlink leading out of its folder.
                if entry.is_dir() and not entry.is_symlink():
                    shutil.copytree(entry, staging / entry.name, symlinks=True, copy_function=os.link)
                else:
                    os.link(entry, staging / entry.name, follow_symlinks=False)
        for name, path in paths.items():
            header, _ = read_csv(data_dir / path)
            (staging / path).unlink(missing_ok=True)  # a hard link to the original: never write through it
            write_csv(staging / path, header, ([row.get(column, "") for column in header] for row in tables[name]))
        problems = validate(staging)
        if problems:
            raise Rejected(problems)
        _replace_all(staging, data_dir, list(paths.values()))
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _replace_all(staging: Path, data_dir: Path, paths: list[str]) -> None:
    backups = staging / ".originals"
    backups.mkdir()
    for path in paths:
        os.link(data_dir / path, backups / path)  # a second name for the original: restoring it is a rename
    done = []
    try:
        for path in paths:
            os.replace(staging / path, data_dir / path)
            done.append(path)
    except OSError:
        for path in done:
            os.replace(backups / path, data_dir / path)
        raise
