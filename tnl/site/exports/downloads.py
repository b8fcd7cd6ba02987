"""Downloads built beside the database: the versioned Data Package zip, its files one by one, and the SHA-256 sums
(the SQLite file is Datasette's /tnl.db).

/-/telechargements/tnl-donnees-X.Y.Z.zip   the current release's zip, and every earlier version's as it was published
                                             (data/published/); tnl-datapackage.zip redirects to the current one
/-/paquet/datapackage.json (and /-/paquet/results.csv…)   the same package unzipped, read from the zip itself, so that
                                             `frictionless validate <site>/-/paquet/datapackage.json` checks the
                                             files researchers download, byte for byte
"""
from __future__ import annotations

import zipfile
from functools import lru_cache
from pathlib import Path

from datasette.utils.asgi import Response

from tnl.build_layout import SUMS_NAME, ZIP_PREFIX, read_sums
from tnl.site.http.instance_cache import database

STABLE_ZIP = "tnl-datapackage.zip"  # the unversioned address of earlier pages and scripts: redirects to the current zip
PACKAGE_PATH = "/-/paquet/"
CONTENT_TYPES = {".zip": "application/zip", ".json": "application/json; charset=utf-8", ".csv": "text/csv; charset=utf-8",
                 "": "text/plain; charset=utf-8"}
CACHE = {"cache-control": "public, max-age=3600"}


def build_dir(datasette) -> Path:
    return Path(database(datasette).path).parent


@lru_cache(maxsize=4)
def sums(directory: Path) -> dict[str, str]:
    return read_sums(directory / SUMS_NAME)  # the build is immutable: read once


def current_zip(directory: Path) -> str | None:
    """The zip of this build: the first one the sums, written last by the build, name (earlier versions' follow)."""
    return next((name for name in sums(directory) if name.startswith(ZIP_PREFIX)), None)


@lru_cache(maxsize=4)
def _members(archive: Path) -> frozenset[str]:
    with zipfile.ZipFile(archive) as z:
        return frozenset(z.namelist())


async def download(datasette, request):
    directory, name = build_dir(datasette), request.url_vars["name"]
    current = current_zip(directory)
    if name == STABLE_ZIP and current:
        return Response.redirect(f"/-/telechargements/{current}")
    served = {n for n in sums(directory) if n.startswith(ZIP_PREFIX)} | {SUMS_NAME}
    if name not in served or not (directory / name).is_file():
        return Response.text("Fichier introuvable.", status=404)
    return _file(name, (directory / name).read_bytes(), attachment=True)


async def package_file(datasette, request):
    """One file of the current zip, as the unzipped package serves it."""
    directory, name = build_dir(datasette), request.url_vars["name"]
    current = current_zip(directory)
    if not current or name not in _members(directory / current):
        return Response.text("Fichier introuvable.", status=404)
    with zipfile.ZipFile(directory / current) as z:
        return _file(name, z.read(name), attachment=False)


def _file(name: str, content: bytes, attachment: bool) -> Response:
    headers = dict(CACHE)
    if attachment:
        headers["content-disposition"] = f'attachment; filename="{name}"'
    return Response(content, content_type=CONTENT_TYPES.get(Path(name).suffix, CONTENT_TYPES[""]), headers=headers)
