"""The downloads published beside the database: the Data Package as one zip named by its version, and SHA-256 sums.

The zip is a standard Data Package: `datapackage.json` at its root, every resource beside it, so that
`frictionless validate tnl-donnees-X.Y.Z.zip` (or `Package(...)`) checks every resource, its keys and foreign keys.
Its CSVs are written from the published rows (`published.py`), the same values the database holds, derived points
included. The zip is deterministic (fixed timestamps, sorted entries): the same data gives the same bytes.
"""
from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

from tnl.build_layout import ZIP_PREFIX
from tnl.pipeline import confinement, datapackage, published
from tnl.pipeline.csv_writer import format_row
from tnl.pipeline.datapackage import DataPackage

DESCRIPTOR_JSON = "datapackage.json"
# Where the sources listed in the descriptor come from: the reference geography and the open indicators' raw files.
PROVENANCE = ("georef/provenance.json", "sources/indicators/provenance.json")
FIXED_TIME = (2016, 1, 1, 0, 0, 0)


def zip_name(package: DataPackage) -> str:
    return f"{ZIP_PREFIX}{package.descriptor['version']}.zip"


def descriptor_json(package: DataPackage) -> bytes:
    return json.dumps(package.descriptor, ensure_ascii=False, indent=2).encode("utf-8")


def resource_csv(package: DataPackage, resource: dict) -> bytes:
    fields = datapackage.fields(resource)
    lines = [format_row([f["name"] for f in fields])]
    lines += [format_row([published.text(f, row[f["name"]]) for f in fields]) for row in published.rows(package, resource)]
    return "".join(lines).encode("utf-8")


def entries(package: DataPackage) -> dict[str, bytes]:
    """Every file of the published package by its path: descriptor, resources, provenance of the sources."""
    files = {DESCRIPTOR_JSON: descriptor_json(package)}
    for resource in package.resources:
        files[resource["path"]] = resource_csv(package, resource)
    for name in PROVENANCE:
        provenance = package.data_dir / name
        if provenance.is_file() and confinement.is_inside(package.data_dir, provenance):
            files[name] = provenance.read_bytes()
    return files


def write_zip(package: DataPackage, path: Path) -> Path:
    files = entries(package)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return path


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_sums(paths: list[Path], sums_path: Path) -> dict[str, str]:
    """A `sha256sum -c` compatible file; returns {file name: digest}."""
    sums = {p.name: sha256(p) for p in paths}
    sums_path.write_text("".join(f"{digest}  {name}\n" for name, digest in sums.items()), encoding="utf-8")
    return sums
