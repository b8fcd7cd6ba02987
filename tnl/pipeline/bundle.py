"""The downloads published beside the database: the Data Package as one zip, and SHA-256 sums.

The zip is deterministic (fixed timestamps, sorted entries) so that the same data gives the same bytes
and the same checksum, whoever builds it.
"""
from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

from tnl.pipeline import confinement
from tnl.pipeline.datapackage import DataPackage

ZIP_NAME = "tnl-datapackage.zip"
SUMS_NAME = "SHA256SUMS"
FIXED_TIME = (2016, 1, 1, 0, 0, 0)


def write_zip(package: DataPackage, path: Path) -> Path:
    """Descriptor (as datapackage.json) plus every resource file and the reference-geography provenance."""
    entries = {"datapackage.json": json.dumps(package.descriptor, ensure_ascii=False, indent=2).encode("utf-8")}
    for resource in package.resources:
        entries[resource["path"]] = package.path(resource).read_bytes()
    provenance = package.data_dir / "georef" / "provenance.json"
    if provenance.is_file() and confinement.is_inside(package.data_dir, provenance):
        entries["georef/provenance.json"] = provenance.read_bytes()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(f"territoire-numerique-libre/{name}", date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, entries[name])
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


def read_sums(sums_path: Path) -> dict[str, str]:
    if not sums_path.is_file():
        return {}
    pairs = (line.split("  ", 1) for line in sums_path.read_text(encoding="utf-8").splitlines() if line)
    return {name: digest for digest, name in pairs}
