"""In Chromium, at 1280×800 and 390×844: axe-core (WCAG 2.1 A/AA) finds no serious or critical violation, no content
touches the screen's edge, no page scrolls sideways on a phone, and every map is in view without scrolling, also after
a facet is chosen.

Each page type (PAGE_TYPES) is loaded once per width, and that one load serves the four checks."""
from __future__ import annotations

import pytest
from tnl.dev.browser import (
    MAP_PAGES,
    PAGE_TYPES,
    WIDTHS,
    axe_violations,
    horizontal_overflow,
    new_page,
    settle,
    top_of,
)

@pytest.mark.parametrize("name", list(PAGE_TYPES))
@pytest.mark.parametrize("width", list(WIDTHS))
def test_each_page_passes_axe_keeps_its_margin_fits_a_phone_and_shows_its_map(live_server, browser, name, width):
    """One load of each page type at each width, for the four checks (axe, margins, sideways scrolling, map in view)."""
    page = new_page(browser, *WIDTHS[width])
    page.goto(live_server + PAGE_TYPES[name])
    settle(page)
    assert axe_violations(page) == []
    assert_content_keeps_its_margin(page)
    if width == "telephone":
        assert horizontal_overflow(page) == 0
    if name in IN_VIEW_MAPS:
        assert_map_in_view(page, MAP_PAGES[IN_VIEW_MAPS[name]][1], WIDTHS[width][1])
    page.context.close()


IN_VIEW_MAPS = {  # page type: its map (MAP_PAGES), checked in view on the same load
    "carte-labelled_territories": "carte-labelled_territories",
    "carte-results_map": "carte-results_map",
    "territoire-commune": "territoire-pairs",
}


def test_every_map_is_checked_in_view_on_its_page_type():
    assert set(IN_VIEW_MAPS.values()) == set(MAP_PAGES)
    assert all(MAP_PAGES[map_name][0] == PAGE_TYPES[name] for name, map_name in IN_VIEW_MAPS.items())


def assert_map_in_view(page, selector: str, height: int) -> None:
    """The map starts below the top, ends within the first screen, and its legend is whole inside it."""
    box = page.locator(selector).bounding_box()
    assert 0 < top_of(page, selector) and box["y"] + box["height"] <= height
    assert page.locator(".md-legend").is_visible()
    legend = page.locator(".md-legend").bounding_box()
    assert box["x"] <= legend["x"] and legend["x"] + legend["width"] <= box["x"] + box["width"]  # not cut
    assert legend["y"] + legend["height"] <= box["y"] + box["height"]


def test_every_facet_and_filter_lands_on_the_map(live_server, page):
    page.goto(live_server + "/tnl/results_map")
    hrefs = page.locator(".facet-results a[href]").evaluate_all("(links) => links.map((a) => a.getAttribute('href'))")
    assert hrefs and all(href.endswith("#carte") for href in hrefs)
    assert page.locator("form.filters").get_attribute("action").endswith("#carte")


def test_enter_on_a_focused_cluster_zooms_in_and_focus_stays_on_the_map(live_server, page):
    page.goto(live_server + "/tnl/labelled_territories")
    settle(page)
    sizes = page.locator(".leaflet-marker-pane .md-cluster span").all_inner_texts()
    cluster = page.locator(".leaflet-marker-pane .md-cluster").nth(sizes.index(max(sizes, key=int)))  # sure to zoom
    zoom = page.evaluate("() => window.MAP_DISTINCTIONS.map.getZoom()")
    assert cluster.get_attribute("tabindex") == "0"
    assert cluster.get_attribute("title").endswith("territoires ici : Entrée pour zoomer")
    cluster.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => window.MAP_DISTINCTIONS.map.getZoom() > {zoom}")
    page.wait_for_function("() => document.activeElement.closest('.leaflet-marker-pane') !== null")
    marker = page.locator(".leaflet-marker-pane .md-marker").first
    marker.focus()
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") == "solid"  # visible focus
    page.keyboard.press("Enter")
    assert page.locator(".leaflet-popup-content a").get_attribute("href").startswith("/territoire/")


def test_each_map_has_a_list_equivalent_a_link_away(live_server, page):
    for path, target in [("/tnl/labelled_territories", "#liste"), ("/territoire/213801517", "#liste-pairs")]:
        page.goto(live_server + path)
        link = page.locator(f".carte-liens a[href='{target}']")
        assert link.count() == 1
        assert page.locator(f"{target} a[href^='/']").count() > 0  # links a keyboard reaches


def test_peers_map_and_cluster_map_share_one_scale(live_server, page):
    """The same distinction gets the same colour on both maps; never labelled is a small dark dot, not silver."""
    page.goto(live_server + "/territoire/213801517")
    page.wait_for_selector("#carte-pairs[data-state=ready]")
    colours = page.evaluate("""() => {
        const probe = (cls) => { const s = document.createElement('span'); s.className = 'md-swatch ' + cls;
            document.body.append(s); const c = getComputedStyle(s); const r = [c.backgroundColor, c.borderTopColor]; s.remove(); return r; };
        return {argent: probe('md-argent'), jamais: probe('md-jamais'), n1: probe('md-niveau_1'), n5: probe('md-niveau_5')};
    }""")
    assert colours["jamais"][0] == "rgb(85, 85, 85)" and colours["argent"][0] == "rgb(186, 186, 186)"
    legend = page.locator("#carte-pairs .md-legend").inner_text().splitlines()
    assert legend[0] == "Dernière distinction" and any(line.startswith("Jamais labellisé (") for line in legend)


async def test_a_territory_without_peers_says_how_to_widen(datasette):
    response = await datasette.client.get("/territoire/217500016")  # Paris: no commune of its size in its région
    assert response.status_code == 200
    assert "<strong>0</strong> pair ;" in response.text
    assert "Aucun pair selon ces règles : élargissez la fourchette de population" in response.text
    assert 'href="?perimetre=national#pairs">comparez avec toute la France</a>' in response.text
    assert '<form class="reglage-pairs" method="get" action="#pairs">' in response.text


def test_a_map_without_distinctions_claims_none_missing(live_server, page):
    page.goto(live_server + "/tnl/territories?kind=region")
    page.wait_for_selector(".leaflet-marker-pane .md-marker")
    assert page.locator(".md-legend").inner_text().splitlines() == ["Sur la carte", "Territoire (18)"]


async def test_the_territory_card_leads_to_the_peers_map(datasette):
    response = await datasette.client.get("/territoire/213801517")
    data = (await datasette.client.get("/territoire/213801517.json")).json()["peers"]["summary"]
    assert (f'<dt>Pairs</dt>\n  <dd><a href="#pairs">{data["total"]} territoires comparables, dont {data["labelled"]} '
            f'labellisé{"s" if data["labelled"] > 1 else ""} : carte et liste</a></dd>') in response.text


MARGIN = 12  # CSS pixels between the screen's edge and the content, as the header has (16)


def assert_content_keeps_its_margin(page) -> None:
    """Nothing of the page's content touches the screen's edge (Datasette's margin is for `section.content`)."""
    lefts = page.evaluate("""() => [...document.querySelectorAll(
            'main h1, main h2, main p, main table, main form, main ul, main dl, main details, main figure')]
        .filter((el) => el.getBoundingClientRect().width > 0 && !el.closest('.leaflet-container'))
        .map((el) => [el.tagName + '.' + el.className, el.getBoundingClientRect().left])""")
    assert lefts
    assert [(what, left) for what, left in lefts if left < MARGIN] == []


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two CSS colours given as « rgb(r, g, b) »."""
    def luminance(colour: str) -> float:
        channels = [int(c) / 255 for c in colour[colour.index("(") + 1:colour.index(")")].split(",")[:3]]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("region", ["header", "footer", "main"])
def test_focus_ring_stands_out_from_its_background(live_server, page, region):
    page.goto(live_server + "/tnl/results")
    page.keyboard.press("Tab")  # keyboard use: :focus-visible applies to what takes the focus next
    ring = page.evaluate("""(region) => {
        const link = document.querySelector(region + ' a[href]');
        link.focus();
        let box = link, background = 'rgba(0, 0, 0, 0)';
        while (box && (background === 'rgba(0, 0, 0, 0)' || background === 'transparent')) {
            background = getComputedStyle(box).backgroundColor; box = box.parentElement; }
        const style = getComputedStyle(link);
        return {outline: style.outlineColor, width: style.outlineWidth, style: style.outlineStyle, background};
    }""", region)
    assert ring["style"] == "solid" and float(ring["width"][:-2]) >= 2, ring
    assert contrast(ring["outline"], ring["background"]) >= 3, ring


def test_a_skip_link_leads_to_the_map_markers(live_server, page):
    """/tnl/results_map: the markers were 77 tabs away, behind the facets; now the second tab stop leads to them."""
    page.goto(live_server + "/tnl/results_map")
    settle(page)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Aller aux marqueurs de la carte"
    page.keyboard.press("Enter")
    assert page.evaluate("() => !!document.activeElement.closest('.leaflet-marker-pane')")


def test_map_controls_speak_french(live_server, page):
    page.goto(live_server + "/tnl/results_map")
    settle(page)
    assert page.locator(".leaflet-control-zoom-in").get_attribute("title") == "Zoomer"
    assert page.locator(".leaflet-control-zoom-out").get_attribute("title") == "Dézoomer"
    assert "contributeurs" in page.locator(".leaflet-control-attribution").inner_text()
    text = page.locator("#carte").inner_text()
    for english in ("Showing", "load all", "contributors", "Zoom"):
        assert english not in text


def test_history_chart_opens_on_its_first_edition_with_its_axis_in_view(live_server, browser):
    page = new_page(browser, *WIDTHS["telephone"])
    page.goto(live_server + "/territoire/213801517")
    settle(page)
    chart = page.locator(".graphique-historique .defilement")
    assert chart.evaluate("(el) => el.scrollWidth > el.clientWidth")  # it scrolls on a phone
    assert chart.evaluate("(el) => el.scrollLeft") == 0
    axis = page.locator(".graphique-historique .axe-fixe")
    for scrolled in (False, True):
        if scrolled:
            chart.evaluate("(el) => { el.scrollLeft = el.scrollWidth; }")
        box = axis.bounding_box()
        assert axis.is_visible() and box["x"] >= 0 and box["width"] > 40
        assert "Niveau 5" in axis.text_content() and "Niveau 1" in axis.text_content()
    page.context.close()


def test_key_columns_of_the_peers_stay_in_view_on_a_phone(live_server, browser):
    page = new_page(browser, *WIDTHS["telephone"])
    page.goto(live_server + "/territoire/213801517")
    settle(page)
    latest = page.locator("#liste-pairs td[data-label='Dernière distinction']").first
    box = latest.bounding_box()
    assert latest.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= WIDTHS["telephone"][0]
    page.goto(live_server + "/")
    rows = page.evaluate("() => [...document.querySelectorAll('table.couverture tbody tr')].map((r) => r.getBoundingClientRect().height)")
    assert rows and max(rows) < 180
    page.context.close()


def test_suggestions_count_is_announced(live_server, page):
    page.goto(live_server + "/")
    page.locator("#recherche-territoire").fill("saint")
    status = page.locator(".recherche-territoire [role=status]")
    status.wait_for(state="attached")
    page.wait_for_function("() => /suggestion/.test(document.querySelector('.recherche-territoire [role=status]').textContent)")
    assert status.text_content().startswith("10 suggestions")
