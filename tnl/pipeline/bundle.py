"""The downloads published beside the database: the Data Package as one zip named by its version, and SHA-256 sums.

The zip is a standard Data Package: `datapackage.json` at its root, every resource beside it, so that
`frictionless validate tnl-donnees-X.Y.Z.zip` (or `Package(...)`) checks every resource, its keys and foreign keys.
Its CSVs are written from the published rows (`published.py`), the same values the database holds, derived points
included, and a README in French. The zip is deterministic (every file dated the version's release date, the
descriptor's `created`; sorted entries): the same data gives the same bytes.

Earlier versions' zips are kept in data/published/, byte for byte as they were served, with their sums: the build
checks them and publishes them beside the current one, so that a version someone cited can still be downloaded.
"""
from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

from tnl.build_layout import SUMS_NAME, ZIP_PREFIX, read_sums
from tnl.pipeline import confinement, datapackage, published
from tnl.pipeline.csv_writer import format_row
from tnl.pipeline.datapackage import DataPackage
from tnl.problems import Problem, Rejected

DESCRIPTOR_JSON = "datapackage.json"
# Where the sources listed in the descriptor come from: the reference geography and the open indicators' raw files.
PROVENANCE_TITLES = {
    "georef/provenance.json": "provenance du référentiel géographique",
    "sources/indicators/provenance.json": "provenance des fichiers sources des indicateurs ouverts",
}
PROVENANCE = tuple(PROVENANCE_TITLES)
README_NAME = "README.md"
PUBLISHED_DIR = "published"  # in data/: the zips of the released versions, as served
FALLBACK_TIME = (2016, 1, 1, 0, 0, 0)  # a package without `created` (never released): the label's first edition


def zip_name(package: DataPackage) -> str:
    return f"{ZIP_PREFIX}{package.descriptor['version']}.zip"


def descriptor_json(package: DataPackage) -> bytes:
    return json.dumps(package.descriptor, ensure_ascii=False, indent=2).encode("utf-8")


def resource_csv(package: DataPackage, resource: dict) -> bytes:
    fields = datapackage.fields(resource)
    lines = [format_row([f["name"] for f in fields])]
    lines += [format_row([published.text(f, row[f["name"]]) for f in fields]) for row in published.rows(package, resource)]
    return "".join(lines).encode("utf-8")


def release_time(package: DataPackage) -> tuple[int, ...]:
    """The date every file of the zip carries: the version's release date (descriptor's `created`, « YYYY-MM-DD… »)."""
    created = str(package.descriptor.get("created") or "")
    try:
        return (int(created[0:4]), int(created[5:7]), int(created[8:10]), 0, 0, 0)
    except ValueError:
        return FALLBACK_TIME


def readme(package: DataPackage) -> bytes:
    """What the zip holds and how to cite it, in French, for whoever opens it without the site."""
    d = package.descriptor
    maintainers = [c for c in d.get("contributors", []) if c.get("role") == "maintainer"] or d.get("contributors", [])
    contact = "".join(f"- {c['title']}" + (f" : {c['email']}" if c.get("email") else "") + (f" ({c['path']})" if c.get("path") else "")
                      + "\n" for c in maintainers)
    files = "".join(f"- `{r['path']}` : {r.get('title', r['name'])}\n" for r in package.resources)
    licence = ", ".join(l.get("title", l.get("name", "")) for l in d.get("licenses", []))
    text = (f"# {d.get('title', d.get('name'))}\n\nVersion {d.get('version')}, publiée le {str(d.get('created', ''))[:10]}.\n\n"
            f"{' '.join(str(d.get('description', '')).split())}\n\n"
            f"## Fichiers\n\n- `{DESCRIPTOR_JSON}` : le descripteur (Data Package) : tables, colonnes, types, clés\n{files}"
            + "".join(f"- `{name}` : {PROVENANCE_TITLES[name]}\n" for name in PROVENANCE if (package.data_dir / name).is_file())
            + f"\nVérifier l'archive : `frictionless validate {ZIP_PREFIX}{d.get('version')}.zip`.\n\n"
            f"## Licence\n\n{licence}.\n\n## Citer\n\n{d.get('title')}, version {d.get('version')}, "
            f"{ZIP_PREFIX}{d.get('version')}.zip (indiquez sa somme SHA-256, publiée sur la page « Versions » du site).\n\n"
            f"## Contact\n\n{contact}")
    return text.encode("utf-8")


def entries(package: DataPackage) -> dict[str, bytes]:
    """Every file of the published package by its path: descriptor, README, resources, provenance of the sources."""
    files = {DESCRIPTOR_JSON: descriptor_json(package), README_NAME: readme(package)}
    for resource in package.resources:
        files[resource["path"]] = resource_csv(package, resource)
    for name in PROVENANCE:
        provenance = package.data_dir / name
        if provenance.is_file() and confinement.is_inside(package.data_dir, provenance):
            files[name] = provenance.read_bytes()
    return files


def write_zip(package: DataPackage, path: Path) -> Path:
    files, when = entries(package), release_time(package)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=when)
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


def published_zips(data_dir: Path) -> dict[str, Path]:
    """The released versions' zips kept in data/published/, by name, each checked against its listed SHA-256:
    a zip that changed, or is missing, is refused (it would no longer be the version people cited)."""
    folder = Path(data_dir) / PUBLISHED_DIR
    listed = read_sums(folder / SUMS_NAME)
    problems = [Problem(str(folder / name), 0, "", "archive publiée absente ou modifiée ; attendu : les octets dont "
                        f"la somme SHA-256 est {digest} ({SUMS_NAME})")
                for name, digest in listed.items()
                if not (folder / name).is_file() or not confinement.is_inside(folder, folder / name)
                or sha256(folder / name) != digest]
    if problems:
        raise Rejected(problems)
    return {name: folder / name for name in listed}
