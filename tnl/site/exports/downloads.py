"""Downloads built beside the database: the versioned Data Package zip, its files one by one, and the SHA-256 sums
(the SQLite file is Datasette's /tnl.db).

/-/telechargements/tnl-donnees-X.Y.Z.zip   the current release's zip, and every earlier version's as it was published
                                             (data/published/); tnl-datapackage.zip redirects to the current one
/-/paquet/datapackage.json (and /-/paquet/results.csv…)   the same package unzipped by the build from the zip
                                             itself, so that `frictionless validate <site>/-/paquet/datapackage.json`
                                             checks the files researchers download, byte for byte

The files themselves are sent by prebuilt_files.py (ranges, pieces read in a thread); the routes here answer what
no file does: the stable zip address's redirect, and 404s in French.
"""
from __future__ import annotations

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


async def download(datasette, request):
    current = current_zip(build_dir(datasette))
    if request.url_vars["name"] == STABLE_ZIP and current:
        return Response.redirect(f"/-/telechargements/{current}")
    return Response.text("Fichier introuvable.", status=404)


async def package_file(datasette, request):
    """Reached only when no file of the unzipped package answers (prebuilt_files.py): a 404 in French."""
    return Response.text("Fichier introuvable.", status=404)
