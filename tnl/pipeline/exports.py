"""What the site would compute again and again, written once by the build beside the zip, served as files.

    paquet/<file>             the Data Package's files unzipped, byte for byte the zip's (served at /-/paquet/<file>)
    exports/<name>.csv        the complete CSV of each table and view (/tnl/<name>.csv without filters)
    exports/<name>.xlsx       its Excel workbook (/tnl/<name>.xlsx without filters)
    exports/SHA256SUMS        the SHA-256 of each export

The exports are the site's own answers to those addresses, asked of the site in process (tnl/site/http/serve.py): the
same bytes as on demand, by construction. Filtered exports and SQL results stay computed on demand.
"""
from __future__ import annotations

import asyncio
import zipfile
from pathlib import Path
from typing import Callable

from tnl.build_layout import EXPORTS_DIRECTORY, PACKAGE_DIRECTORY, SUMS_NAME
from tnl.pipeline import bundle

FORMATS = ("csv", "xlsx")


def write_package_files(archive: Path) -> Path:
    """The zip's members unzipped beside it, in paquet/ (the zip is the build's own: no path leaves the folder)."""
    folder = archive.with_name(PACKAGE_DIRECTORY)
    with zipfile.ZipFile(archive) as z:
        for name in z.namelist():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(z.read(name))
    return folder


def write_exports(database: Path, report: Callable[[str], None]) -> Path:
    folder = Path(database).with_name(EXPORTS_DIRECTORY)
    folder.mkdir()
    written = asyncio.run(_export_all(Path(database), folder, report))
    bundle.write_sums(written, folder / SUMS_NAME)
    return folder


async def _export_all(database: Path, folder: Path, report: Callable[[str], None]) -> list[Path]:
    from tnl.site.http.serve import datasette_app  # the site, only when exporting: the pipeline does not need it otherwise

    datasette = datasette_app(database)
    db = datasette.get_database(database.stem)
    hidden = set(await db.hidden_table_names())
    names = [name for name in await db.table_names() if name not in hidden] + await db.view_names()
    report(f"Exports complets (CSV et Excel) de {len(names)} tables et vues…")
    written = []
    for name in names:
        for extension in FORMATS:
            response = await datasette.client.get(f"/{database.stem}/{name}.{extension}")
            if response.status_code != 200:
                raise RuntimeError(f"export {name}.{extension}: {response.status_code} {response.text[:200]}")
            path = folder / f"{name}.{extension}"
            path.write_bytes(response.content)
            written.append(path)
    return written
