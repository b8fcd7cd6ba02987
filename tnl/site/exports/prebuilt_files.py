"""Addresses answered by a file the build wrote (tnl/pipeline/exports.py), sent as a file (tnl/site/http/file_responses.py):

/-/telechargements/<zip> and SHA256SUMS    the release's downloads (every version's zip the sums name)
/-/paquet/<file>                           the Data Package's files, unzipped by the build (paquet/)
/tnl/<table or view>.csv and .xlsx         the complete exports (exports/), when the address asks for no filter

These never reach the response cache nor the heavy-request queue: reading a file costs little, and its bytes would
only be copied again. Any other query string (filters, sort, SQL) goes to the site, which computes the export.
A release built without these files (`tnl build --sans-exports`) is served by the site in the same way, only
computed. Behind nginx, the same files are served by nginx itself (deploy/nginx.conf.template).
"""
from __future__ import annotations

import hashlib
from functools import wraps
from pathlib import Path
from urllib.parse import parse_qsl, unquote

from tnl.build_layout import EXPORTS_DIRECTORY, PACKAGE_DIRECTORY, SUMS_NAME, ZIP_PREFIX
from tnl.site.exports.downloads import CACHE, CONTENT_TYPES, build_dir, sums
from tnl.site.exports.xlsx import CONTENT_TYPE as XLSX
from tnl.site.http.etag import site_fingerprint
from tnl.site.http.file_responses import send_file
from tnl.site.http.instance_cache import database
from tnl.site.http.single_flight import unless_disconnected

# Parameters that do not change a complete export: the export's own page size and streaming, the download flag.
NEUTRAL = {"csv": {"_size", "_stream", "_dl"}, "xlsx": {"_size", "_stream", "_dl", "_nofacet", "_nocount"}}


def prebuilt(datasette, scope) -> tuple[Path, str, dict[str, str]] | None:
    """(file, content type, headers) answering this request, if the build wrote one."""
    path = scope["path"]
    if path.startswith("/-/telechargements/"):
        directory = build_dir(datasette)
        name = path.removeprefix("/-/telechargements/")
        if name == SUMS_NAME or (name.startswith(ZIP_PREFIX) and name in sums(directory)):  # every version's zip
            return _existing(directory, name, CONTENT_TYPES.get(Path(name).suffix, CONTENT_TYPES[""]),
                             {**CACHE, "content-disposition": f'attachment; filename="{name}"'})
        return None
    if path.startswith("/-/paquet/"):
        name = path.removeprefix("/-/paquet/")
        return _existing(build_dir(datasette) / PACKAGE_DIRECTORY, name,
                         CONTENT_TYPES.get(Path(name).suffix, CONTENT_TYPES[""]), dict(CACHE))
    prefix = f"/{database(datasette).name}/"
    if not path.startswith(prefix) or "." not in path:
        return None
    name, _, extension = unquote(path.removeprefix(prefix)).rpartition(".")
    query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    if extension not in NEUTRAL or any(key not in NEUTRAL[extension] for key, _ in query):
        return None
    if any(key == "_size" and not (value == "max" or (value.isdigit() and int(value) > 0)) for key, value in query):
        return None  # Datasette answers an invalid page size with its 400
    directory = build_dir(datasette)  # only here: every page of the site goes through this test
    if extension == "xlsx":
        return _existing(directory / EXPORTS_DIRECTORY, f"{name}.xlsx", XLSX,
                         {**CACHE, "content-disposition": f'attachment; filename="{name}.xlsx"'})
    downloaded = any(key == "_dl" for key, _ in query)  # as Datasette: CSV shown in the browser unless downloaded
    return _existing(directory / EXPORTS_DIRECTORY, f"{name}.csv",
                     "text/csv; charset=utf-8" if downloaded else "text/plain; charset=utf-8",
                     {**CACHE, **({"content-disposition": f'attachment; filename="{name}.csv"'} if downloaded else {})})


def _existing(folder: Path, name: str, content_type: str, headers: dict[str, str]):
    if not name or name.startswith(".") or "/." in name or "\\" in name:
        return None
    path = folder / name
    try:
        inside = path.resolve().is_relative_to(folder.resolve())
    except OSError:
        return None
    return (path, content_type, headers) if inside and path.is_file() else None


def etag(datasette, path: Path) -> str:
    """One per file of a release: every address answered by the same file has the same validator."""
    name = hashlib.sha256(str(path.relative_to(build_dir(datasette))).encode()).hexdigest()[:16]
    return f'"{site_fingerprint(datasette)[:16]}-{name}"'


def wrap(app, datasette):
    @wraps(app)
    async def files(scope, receive, send):
        found = prebuilt(datasette, scope) if scope["type"] == "http" and scope["method"] in ("GET", "HEAD") else None
        if found is None:
            await app(scope, receive, send)
            return
        path, content_type, headers = found
        headers = {**headers, "access-control-allow-origin": "*", "x-cache": "file"}
        await unless_disconnected(send_file(scope, send, path, content_type, etag(datasette, path), headers), receive)

    return files
