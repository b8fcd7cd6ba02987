"""The map of labelled territories: plugin wiring, outline of the départements, and the map drawn in a real browser."""
from __future__ import annotations

import json
import math
import re

import pytest
from tnl.dev.browser import TILE
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
    # A block body: returning the Leaflet map would make Playwright serialise its whole object graph (5–7 s a call).
    page.evaluate("() => { window.MAP_DISTINCTIONS.map.setView([20, 0], 1, {animate: false}); }")
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


# One palette for every map: MAP_COLOURS (tnl/distinction_style.py), mirrored by map-distinctions.css for the site's
# maps and written into /embed/carte's page.
MACHADO = {  # Machado, Oliveira & Fernandes (2009), severity 1: what a dichromat sees of a linear RGB colour
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
}


def _linear(hex_colour: str) -> list[float]:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    return [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]


def _lab(linear: list[float]) -> tuple[float, float, float]:
    r, g, b = [min(1.0, max(0.0, c)) for c in linear]
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883
    f = [t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in (x, y, z)]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def _seen(hex_colour: str, vision: str) -> tuple[float, float, float]:
    linear = _linear(hex_colour)
    if vision in MACHADO:
        linear = [sum(m * c for m, c in zip(row, linear)) for row in MACHADO[vision]]
    return _lab(linear)


@pytest.mark.parametrize("vision", ["normale", "deuteranopia", "protanopia"])
def test_map_colours_are_told_apart(vision):
    """Every two distinctions at a CIE76 ΔE of 15 or more (5 is about where people start to tell them apart), also for
    the two commonest colour blindnesses: Niveau 2 and 3, 4 and 5 shared a colour on /embed/carte."""
    from itertools import combinations

    from tnl.distinction_style import MAP_COLOURS

    pairs = list(combinations(MAP_COLOURS.items(), 2))
    assert pairs
    close = [(a, b, round(math.dist(_seen(ca, vision), _seen(cb, vision)), 1)) for (a, ca), (b, cb) in pairs
             if math.dist(_seen(ca, vision), _seen(cb, vision)) < 15]
    assert close == []


async def test_site_maps_and_embed_use_the_one_palette(datasette):
    from tnl.distinction_style import MAP_COLOURS, MAP_OUTLINE

    css = (await datasette.client.get("/static/map-distinctions.css")).text
    assert dict(re.findall(r"--md-(\w+): (#[0-9a-f]{6});", css)) == {**MAP_COLOURS, "outline": MAP_OUTLINE}
    html = (await datasette.client.get("/embed/carte")).text
    markers = json.loads(re.search(r'<script type="application/json" id="marqueurs">(.*?)</script>', html, re.S).group(1))
    assert markers
    assert {(m["cle"], m["couleur"]) for m in markers} <= set(MAP_COLOURS.items())
    by_level = {m["cle"]: m["couleur"] for m in markers}
    assert len(set(by_level.values())) == len(by_level)  # one colour per distinction
