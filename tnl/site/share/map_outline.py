"""The embedded outline of the départements under every map, so the maps show offline."""
from __future__ import annotations

from functools import cache

from datasette import Response

from tnl import PROJECT_ROOT

OUTLINE = PROJECT_ROOT / "data" / "georef" / "departements.geojson"
OUTLINE_PATH = "/-/fond-de-carte/departements.geojson"


@cache
def outline() -> bytes:
    return OUTLINE.read_bytes()


async def departements_geojson():
    try:
        body = outline()
    except FileNotFoundError:  # not cached, so the file is picked up once generated
        return Response.text("Fond de carte absent : data/georef/departements.geojson", status=404)
    return Response(
        body,
        content_type="application/geo+json; charset=utf-8",
        headers={"Cache-Control": "public, max-age=86400"},
    )
