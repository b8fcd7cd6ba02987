"""Three people's journeys in Chromium, at a desk (1280×800) and on a phone (390×844), asserting what they see.

A journalist checks a figure (it equals its SQL count; the first data row is on the first screen); a researcher
cites a version (its zip, its SHA-256, the citation's author); a mayor finds their commune by name and by postal code,
compares it with its peers and finds a report that can be sent. Every page of a journey keeps margins and nothing
runs off the screen. `make screenshots` keeps each journey's first screen in docs/screenshots/ (persona-*.png).
"""
from __future__ import annotations

import hashlib
import re

import pytest
from tnl.dev.browser import WIDTHS, horizontal_overflow, new_page, settle

MARGIN = 12  # CSS pixels between any text and the screen's edges
MEYLAN = "213802291"


def number(text: str) -> int:
    """A figure as a page writes it, French separators (spaces, narrow no-break spaces) included."""
    return int(re.sub(r"[\s\u202f\u00a0]", "", text))


def in_view(page, locator) -> bool:
    """Wholly on the first screen, without scrolling."""
    box = locator.bounding_box()
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    return box is not None and box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= width \
        and box["y"] + box["height"] <= height


def text_outside_margins(page) -> list[str]:
    """Text of the page's content closer than MARGIN to a side of the screen (scrolling regions left out: what they
    hide is meant to be scrolled to; so is text hidden for screen readers only, which no one sees)."""
    return page.evaluate("""(margin) => {
        const width = window.innerWidth, out = [];
        const scrolls = (e) => { for (let p = e.parentElement; p; p = p.parentElement) {
            const s = getComputedStyle(p); if (['auto', 'scroll'].includes(s.overflowX) && p.scrollWidth > p.clientWidth) return true; }
            return false; };
        const hidden = (e) => { for (let p = e; p; p = p.parentElement) {  // visually hidden (screen readers only)
            const r = p.getBoundingClientRect(), s = getComputedStyle(p);
            if ((r.width <= 1 && s.overflow === 'hidden') || (s.clip && s.clip !== 'auto')
                || r.right <= 0 || r.left >= window.innerWidth) return true; }  // or moved off the screen
            return false; };
        const walker = document.createTreeWalker(document.querySelector('main') || document.body, NodeFilter.SHOW_TEXT);
        for (let n; (n = walker.nextNode());) {
            if (!n.textContent.trim() || scrolls(n.parentElement) || hidden(n.parentElement)) continue;
            const range = document.createRange(); range.selectNodeContents(n);
            for (const r of range.getClientRects()) {
                if (r.width && (r.left < margin || r.right > width - margin)) { out.push(`${Math.round(r.left)}–${Math.round(r.right)} ${n.textContent.trim().slice(0, 40)}`); break; }
            }
        }
        return out.slice(0, 5);
    }""", MARGIN)


def assert_nothing_clipped(page) -> None:
    assert horizontal_overflow(page) == 0, page.url


# --- a journalist checks a figure -------------------------------------------------------------------------------------

@pytest.mark.parametrize("width", WIDTHS)
def test_a_journalist_checks_a_figure_against_its_sql(live_server, browser, db, screenshots, width):
    page = new_page(browser, *WIDTHS[width])
    page.goto(live_server + "/tnl/par_region")
    settle(page)
    page.screenshot(path=str(screenshots / f"persona-journaliste-{width}.png"))
    headers = [h.inner_text().strip() for h in page.locator("table.rows-and-columns thead th").all()]
    first = page.locator("table.rows-and-columns tbody tr").first
    cells = first.locator("td")
    assert "Région" in headers and "Territoires distingués" in headers
    region = cells.nth(headers.index("Région")).inner_text().strip()
    figure = cells.nth(headers.index("Territoires distingués"))
    expected = db.execute(
        "select count(distinct r.territory_id) from results r join territories t on t.id = r.territory_id "
        "join regions g on g.code = t.region_code where g.name = ?", [region]).fetchone()[0]
    assert number(figure.inner_text()) == expected > 0, region
    assert in_view(page, figure), f"{region} : {figure.bounding_box()}"
    assert_nothing_clipped(page)
    page.context.close()


# --- a researcher cites a version -------------------------------------------------------------------------------------

@pytest.mark.parametrize("width", WIDTHS)
def test_a_researcher_downloads_the_cited_version_and_checks_its_sha256(live_server, browser, screenshots, width):
    page = new_page(browser, *WIDTHS[width])
    page.goto(live_server + "/versions")
    settle(page)
    page.screenshot(path=str(screenshots / f"persona-chercheur-{width}.png"))
    archives = page.locator("section.version .archive-version a[download]")
    assert archives.count() >= 3  # 1.0.0, 1.1.0 and every version since, each still downloadable
    oldest = page.locator("#v1\\.0\\.0 .archive-version")
    assert oldest.locator("a").inner_text() == "tnl-donnees-1.0.0.zip"
    shown = oldest.locator(".somme code").inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", shown)
    oldest.locator("a").scroll_into_view_if_needed()
    assert in_view(page, oldest.locator(".somme code"))  # the whole sum readable, wrapped on a phone
    with page.expect_download() as download:
        oldest.locator("a").click()
    assert download.value.suggested_filename == "tnl-donnees-1.0.0.zip"
    assert hashlib.sha256(open(download.value.path(), "rb").read()).hexdigest() == shown
    citation = page.locator("h2:text('Citer ces données') + p")
    assert citation.inner_text().startswith("ADULLACT, ")
    assert "label@territoire-numerique-libre.org" in citation.inner_text() and "CITATION.cff" in citation.inner_text()
    assert_nothing_clipped(page)
    page.context.close()


# --- a mayor finds their commune, compares it, reports a result ---------------------------------------------------------

def search_and_open_first(page, live_server: str, query: str) -> str:
    """Type in the front page's search box, open the first suggestion with the keyboard; the page's title."""
    page.goto(live_server + "/")
    page.locator("#recherche-territoire").focus()
    page.keyboard.type(query, delay=20)
    page.locator(f".suggestions[data-query='{query}'] [role=option]").first.wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/territoire/[^?#]+$"))
    return page.locator("h1").inner_text()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_mayor_finds_their_commune_by_name_and_compares_it_with_its_peers(live_server, browser, screenshots, width):
    page = new_page(browser, *WIDTHS[width])
    assert search_and_open_first(page, live_server, "Meylan") == "Meylan"
    assert page.url == f"{live_server}/territoire/{MEYLAN}"
    settle(page)
    page.screenshot(path=str(screenshots / f"persona-maire-{width}.png"))
    assert in_view(page, page.locator("h1"))
    summary = page.locator("dl.fiche a[href='#pairs']")
    assert re.match(r"\d[\d\u202f ]* territoires comparables, dont \d+ labellisés? : carte et liste", summary.inner_text())
    page.locator("#pairs").scroll_into_view_if_needed()
    peers = page.locator("#liste-pairs tbody tr")
    assert peers.count() > 0
    assert page.locator("#liste-pairs tbody tr td a").first.inner_text()  # each peer named and linked
    report = page.locator("p.signaler a")
    assert report.get_attribute("href") == f"/signaler?territoire={MEYLAN}"
    assert_nothing_clipped(page)
    page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_mayor_types_their_postal_code_and_lands_on_their_commune(live_server, browser, width):
    page = new_page(browser, *WIDTHS[width])
    try:
        assert search_and_open_first(page, live_server, "38240") == "Meylan"  # not Moissieu-sur-Dolon, Insee 38240
    finally:
        page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_mayors_report_can_be_sent(live_server, browser, width):
    page = new_page(browser, *WIDTHS[width])
    try:
        page.goto(f"{live_server}/signaler?territoire={MEYLAN}")
        send = page.locator("a[href^='mailto:']")
        assert send.count() >= 1
        assert send.first.get_attribute("href").startswith("mailto:label@territoire-numerique-libre.org?")
        assert_nothing_clipped(page)
    finally:
        page.context.close()


# --- every page of these journeys keeps its margins ---------------------------------------------------------------------

JOURNEY_PAGES = ["/tnl/par_region", "/versions", f"/territoire/{MEYLAN}", "/a-propos"]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", JOURNEY_PAGES)
def test_journey_pages_keep_their_margins(live_server, browser, path, width):
    page = new_page(browser, *WIDTHS[width])
    try:
        page.goto(live_server + path)
        settle(page)
        assert text_outside_margins(page) == []
        assert_nothing_clipped(page)
    finally:
        page.context.close()
