"""Colours cluster-map's markers by distinction, with a French legend, over an outline of the départements."""
import json

from datasette import hookimpl
from datasette_cluster_map import find_columns

from tnl.site.share.map_outline import OUTLINE_PATH, departements_geojson


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


@hookimpl
def register_routes():
    return [(r"^/-/fond-de-carte/departements\.geojson$", departements_geojson)]
