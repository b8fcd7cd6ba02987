"""Shared by the browser tests and benchmarks/public_face.py: an offline page, axe-core, and the site's page types."""
from __future__ import annotations

import base64
import re
from functools import cache

from tnl import PROJECT_ROOT

AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"  # pinned in package.json, installed by `make test`
# Debian's chromium-headless-shell (`make browser`): the headless-only build of Chromium that Playwright itself runs
# for headless pages, same Blink engine as the browser, about 2.5 times less CPU per page load and axe run here.
CHROMIUM = "/usr/bin/chromium-headless-shell"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
WIDTHS = {"bureau": (1280, 800), "telephone": (390, 844)}
# A transparent 1×1 PNG: the OpenStreetMap tiles are answered locally, nothing leaves the loopback.
EMPTY_PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")
TILE = re.compile(r"^https://[abc]\.tile\.openstreetmap\.org/\d+/\d+/\d+\.png$")
WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")

# Every kind of page a visitor reaches; the territory ids are chosen to have results (history chart, peers).
PAGE_TYPES = {
    "accueil": "/",
    "base": "/tnl",
    "a-propos": "/a-propos",
    "indicateurs": "/indicateurs",
    "indicateurs-ouverts": "/indicateurs-ouverts",
    "recherche": "/recherche?q=st+joseph",
    "table-results": "/tnl/results",
    "table-territories": "/tnl/territories",
    "table-editions": "/tnl/editions",
    "table-distinctions": "/tnl/distinctions",
    "table-mentions": "/tnl/mentions",
    "table-indicators": "/tnl/indicators",
    "table-indicator_values": "/tnl/indicator_values",
    "table-indicator_aggregates": "/tnl/indicator_aggregates",
    "table-questionnaire_mapping": "/tnl/questionnaire_mapping",
    "table-regions": "/tnl/regions",
    "table-departements": "/tnl/departements",
    "table-announced_counts": "/tnl/announced_counts",
    "table-open_questions": "/tnl/open_questions",
    "table-coverage": "/tnl/coverage",
    "table-coverage_by_distinction": "/tnl/coverage_by_distinction",
    "table-territory_history": "/tnl/territory_history",
    "carte-labelled_territories": "/tnl/labelled_territories",
    "carte-results_map": "/tnl/results_map",
    "requete-palmares": "/tnl/palmares",
    "requete-nouveaux_laureats": "/tnl/nouveaux_laureats",
    "requete-progressions": "/tnl/progressions",
    "requete-fideles": "/tnl/fideles",
    "requete-par_region": "/tnl/par_region",
    "requete-par_departement": "/tnl/par_departement",
    "requete-derniere_distinction": "/tnl/derniere_distinction",
    "requete-agregats_indicateurs": "/tnl/agregats_indicateurs",
    "requete-publient_sans_label": "/tnl/publient_sans_label",
    "requete-labellises_sans_donnees_ouvertes": "/tnl/labellises_sans_donnees_ouvertes",
    "requete-indicateurs_par_departement": "/tnl/indicateurs_par_departement",
    "carte-open_data_publishers": "/tnl/open_data_publishers",
    "territoire-commune": "/territoire/213801517",
    "territoire-epci": "/territoire/200066918",
    "territoire-departement": "/territoire/departement-22",
    "territoire-region": "/territoire/region-44",
    "territoire-organisme": "/territoire/association-adico",
    "ligne": "/tnl/territories/213801517",
}
MAP_PAGES = {
    "carte-labelled_territories": ("/tnl/labelled_territories", ".map-distinctions"),
    "carte-results_map": ("/tnl/results_map", ".map-distinctions"),
    "territoire-pairs": ("/territoire/213801517", "#carte-pairs"),
}


# Any URL whose host is not the loopback. A pattern, not a Python function: Playwright then intercepts only these
# requests in the browser, instead of stopping every request of every page to ask Python.
BEYOND_LOOPBACK = re.compile(r"^(?!https?://(?:127\.0\.0\.1|localhost)(?::\d+)?/)")


def offline(context, external: list[str] | None = None) -> None:
    """Tiles get an empty PNG and any other request beyond the loopback is aborted; both are listed in external."""
    def answer(route):
        if external is not None:
            external.append(route.request.url)
        if TILE.search(route.request.url):
            route.fulfill(status=200, content_type="image/png", body=EMPTY_PNG)
        else:
            route.abort()

    context.route(BEYOND_LOOPBACK, answer)


def launch(playwright):
    """Debian's headless Chromium, offline-minded (no QUIC, no background requests, no updates); close it when done."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def new_page(browser, width: int = 1280, height: int = 800):
    """A French, offline page of the given viewport; close it with page.context.close()."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="fr-FR")
    offline(context)
    return context.new_page()


@cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def axe_violations(page, impacts=BLOCKING) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations of the page as it is now, of the given impacts: rule id, impact, targets."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())  # evaluated by the browser's debugger protocol: the page's CSP does not apply
    result = page.evaluate(
        """(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
            .then((r) => r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
                                                   targets: v.nodes.map((n) => n.target.join(' ')).slice(0, 5),
                                                   count: v.nodes.length})))""",
        WCAG_A_AA,
    )
    return [v for v in result if v["impact"] in impacts]


def settle(page) -> None:
    """Loaded, and the maps drawn when there is one (axe and measures then see the page a reader sees).

    Waits on the page's own signals, not on `networkidle` (half a second of silence after every load): the load
    event covers styles, fonts and scripts; the maps' data come later, and their markers or state say when. A cluster
    map is settled once framed (static/map-distinctions.js sets data-state=ready) and no zoom or cluster animation
    runs: before that, its markers are replaced as it re-clusters, and a focused one is lost.
    """
    page.wait_for_load_state("load")
    if page.locator(".leaflet-container").count():
        page.wait_for_selector(".leaflet-marker-pane > *, #carte-pairs[data-state=ready]", state="attached", timeout=20_000)
    if page.locator("script[src*='map-distinctions.js']").count():  # cluster-map frames its markers once loaded
        page.wait_for_function("""() => document.querySelector('.map-distinctions[data-state=ready]')
            && !document.querySelector('.leaflet-zoom-anim, .leaflet-cluster-anim')""", timeout=20_000)


def top_of(page, selector: str) -> float:
    """Where the element starts, in CSS pixels from the top of the page as loaded (no scrolling)."""
    return page.locator(selector).first.bounding_box()["y"] + page.evaluate("() => window.scrollY")


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than its viewport (0: no sideways scrolling)."""
    return page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
