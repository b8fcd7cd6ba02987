"""Downloads built beside the database: the Data Package zip and the SHA-256 sums (the SQLite file is Datasette's /tnl.db)."""
from functools import lru_cache
from pathlib import Path

from datasette.utils.asgi import Response

from tnl.pipeline import bundle
from tnl.site.instance_cache import database

FILES = {bundle.ZIP_NAME: "application/zip", bundle.SUMS_NAME: "text/plain; charset=utf-8"}


def build_dir(datasette) -> Path:
    return Path(database(datasette).path).parent


async def download(datasette, request):
    name = request.url_vars["name"]
    path = build_dir(datasette) / name
    if name not in FILES or not path.is_file():
        return Response.text("Fichier introuvable.", status=404)
    return Response(
        path.read_bytes(),
        content_type=FILES[name],
        headers={
            "content-disposition": f'attachment; filename="{name}"',
            "cache-control": "public, max-age=3600",
        },
    )


@lru_cache(maxsize=4)
def sums(directory: Path) -> dict[str, str]:
    return bundle.read_sums(directory / bundle.SUMS_NAME)  # the build is immutable: read once
