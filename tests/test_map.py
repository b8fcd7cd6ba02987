"""The map of labelled territories: plugin wiring, outline of the départements, and the map drawn in a real browser."""
from __future__ import annotations

import json
import re

import pytest
from browser import TILE
from playwright.sync_api import TimeoutError as PlaywrightTimeout

OUTLINE = "/-/fond-de-carte/departements.geojson"
LABELS = {
    "niveau_1": "Niveau 1", "niveau_2": "Niveau 2", "niveau_3": "Niveau 3", "niveau_4": "Niveau 4",
    "niveau_5": "Niveau 5", "badge": "Badge", "bronze": "Label Bronze", "argent": "Label Argent", "or": "Label Or",
    None: "Labellisé, niveau non publié",
}


@pytest.mark.parametrize("path", ["/tnl/results_map", "/tnl/labelled_territories", "/tnl/results_map?edition=2025"])
async def test_map_pages_load_the_plugin(datasette, path):
    html = (await datasette.client.get(path)).text
    assert "datasette-cluster-map.js" in html
    assert '<script type="module" src="/static/map-distinctions.js"></script>' in html
    assert '<link rel="stylesheet" href="/static/map-distinctions.css">' in html
    assert OUTLINE in html


@pytest.mark.parametrize("path", ["/tnl", "/tnl/editions", "/tnl/results"])
async def test_other_pages_do_not(datasette, path):
    response = await datasette.client.get(path)
    assert response.status_code == 200
    html = response.text
    assert "map-distinctions" not in html
    assert "datasette-cluster-map.js" not in html


@pytest.mark.parametrize("name", ["map-distinctions.js", "map-distinctions.css"])
async def test_plugin_assets_are_served(datasette, name):
    assert (await datasette.client.get(f"/static/{name}")).status_code == 200


async def test_outline_of_the_departements(datasette):
    response = await datasette.client.get(OUTLINE)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=86400"
    assert response.headers["content-type"].startswith("application/geo+json")
    features = json.loads(response.content)["features"]
    assert len(features) >= 101
    codes = {feature["properties"]["code"] for feature in features}
    assert {"01", "2A", "2B", "75", "95", "971", "972", "973", "974", "976"} <= codes
    assert all(feature["properties"]["nom"] for feature in features)


async def test_tiles_get_a_referrer(datasette):
    # OpenStreetMap refuses tile requests without a Referer; Datasette alone sends `no-referrer`.
    policy = (await datasette.client.get("/tnl/labelled_territories")).headers["referrer-policy"]
    assert policy in {"strict-origin-when-cross-origin", "strict-origin", "origin", "origin-when-cross-origin"}


DRAWN = """() => {
    const pane = document.querySelector('.leaflet-marker-pane');
    let n = pane.querySelectorAll('.md-marker').length;
    pane.querySelectorAll('.marker-cluster span').forEach((s) => (n += parseInt(s.textContent, 10)));
    return n;
}"""


def assert_draws(page, expected: int) -> None:
    """Zoomed out to the whole world, the single markers plus the counts of the clusters are the expected territories."""
    page.evaluate("() => window.MAP_DISTINCTIONS.map.setView([20, 0], 1, {animate: false})")
    try:
        page.wait_for_function(f"(expected) => ({DRAWN})() === expected", arg=expected, timeout=15_000)
    except PlaywrightTimeout:
        pytest.fail(f"{page.evaluate(DRAWN)} territories drawn on the map, {expected} expected")


def test_map_of_labelled_territories(live_server, page, external_requests, db):
    expected = db.execute("select count(*) from labelled_territories where latitude is not null").fetchone()[0]
    assert 0 < expected <= 2000, "more than one page of cluster-map: click « load all » first"
    tile_requests = []
    page.on("request", lambda request: tile_requests.append(request) if TILE.match(request.url) else None)

    page.goto(live_server + "/tnl/labelled_territories")
    page.wait_for_selector(".leaflet-marker-pane .leaflet-marker-icon")
    page.wait_for_selector("path.md-outline", state="attached")
    features = page.evaluate(f"() => fetch('{OUTLINE}').then((r) => r.json()).then((d) => d.features.length)")
    assert page.locator("path.md-outline").count() == features
    assert page.locator(".md-marker, .md-cluster").count() > 0
    assert page.locator(".leaflet-marker-pane > :not(.md-marker):not(.md-cluster)").count() == 0, "default icons"

    legend = page.inner_text(".md-legend").splitlines()
    present = db.execute(
        "select latest_distinction, count(*) from labelled_territories where latitude is not null group by 1"
    ).fetchall()
    assert legend[0] == "Dernière distinction"
    assert sorted(legend[1:]) == sorted(f"{LABELS[distinction]} ({n})" for distinction, n in present)

    assert tile_requests, "no tile requested"
    assert any((request.headers.get("referer") or "").startswith(live_server) for request in tile_requests)
    assert external_requests and all(TILE.match(url) for url in external_requests)  # tiles only, answered locally by `page`

    assert_draws(page, expected)


def test_map_follows_the_filters(live_server, page, db):
    edition = db.execute("select max(edition) from results_map where latitude is not null").fetchone()[0]
    expected = db.execute(
        "select count(*) from results_map where latitude is not null and edition = ?", [edition]
    ).fetchone()[0]
    page.goto(f"{live_server}/tnl/results_map?edition={edition}")
    page.wait_for_selector(".leaflet-marker-pane .leaflet-marker-icon")
    assert page.inner_text(".md-legend").splitlines()[0] == "Distinction"
    assert_draws(page, expected)


def test_popup_escapes_html(live_server, page, db):
    territory_id, name = db.execute(
        "select id, name from labelled_territories where latitude is not null limit 1"
    ).fetchone()
    hostile = '<img src=x onerror="window.hacked = 1">'

    def one_hostile_row(route):
        data = route.fetch().json()
        data["rows"][0]["name"] = hostile
        route.fulfill(json=data)

    page.route(re.compile(r"/tnl/labelled_territories\.json\?.*_shape=objects"), one_hostile_row)
    page.goto(f"{live_server}/tnl/labelled_territories?id={territory_id}")
    page.click(".md-marker")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert hostile in popup.inner_text()
    assert re.search(r"· édition \d{4}$", popup.inner_text())
    assert popup.locator("img").count() == 0
    assert popup.locator("a").get_attribute("href") == f"/territoire/{territory_id}"
    assert page.evaluate("() => window.hacked") is None
