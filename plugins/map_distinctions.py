"""Colours cluster-map's markers by distinction, with a French legend, over an outline of the départements."""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from datasette import Response, hookimpl
from datasette_cluster_map import find_columns

OUTLINE = Path(__file__).resolve().parent.parent / "data" / "georef" / "departements.geojson"
OUTLINE_PATH = "/-/fond-de-carte/departements.geojson"


@hookimpl
def extra_js_urls(database, table, columns, view_name, datasette):
    if not find_columns(database, table, columns, view_name, datasette):
        return []
    return [{"url": datasette.urls.path("/static/map-distinctions.js"), "module": True}]


@hookimpl
def extra_css_urls(database, table, columns, view_name, datasette):
    if not find_columns(database, table, columns, view_name, datasette):
        return []
    return [datasette.urls.path("/static/map-distinctions.css")]


@hookimpl
def extra_body_script(database, table, columns, view_name, datasette):
    if not find_columns(database, table, columns, view_name, datasette):
        return []
    config = {"outline": datasette.urls.path(OUTLINE_PATH), "territory": datasette.urls.path("/territoire/")}
    return "window.MAP_DISTINCTIONS = {};".format(json.dumps(config))


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


@hookimpl
def register_routes():
    return [(r"^/-/fond-de-carte/departements\.geojson$", departements_geojson)]
