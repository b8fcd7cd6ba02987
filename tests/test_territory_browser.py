"""In a real browser: search a territory, follow a suggestion, see the history chart and the peers map."""
from __future__ import annotations


def test_search_then_territory_page(live_server, page):
    # Tiles are aborted by `page` (offline): the outline of the départements still draws.
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server + "/territoire/departement-38")
    box = page.locator("input[data-recherche]")
    box.click()
    box.press_sequentially("echiro", delay=30)
    suggestion = page.locator(".suggestions [role=option]").first
    suggestion.wait_for()
    assert suggestion.inner_text().startswith("Échirolles (38)")
    assert box.get_attribute("aria-expanded") == "true"
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == suggestion.get_attribute("id")
    box.press("Enter")
    page.wait_for_url(live_server + "/territoire/213801517")

    assert page.locator("h1").inner_text() == "Échirolles"
    chart = page.locator("#graphique-historique")
    assert chart.is_visible()
    assert chart.locator("circle").count() >= 4
    assert chart.locator(".rupture").count() == 1
    page.wait_for_selector("#carte-pairs[data-state=ready]", timeout=20_000)
    data = page.evaluate("fetch(document.getElementById('carte-pairs').dataset.json).then(r => r.json())")
    markers = int(page.get_attribute("#carte-pairs", "data-markers"))
    assert markers == len(data["peers"]["markers"]) > 10
    assert page.locator("#carte-pairs .leaflet-overlay-pane canvas").count() >= 1
    assert page.locator("#carte-pairs .leaflet-tooltip").inner_text() == "Échirolles"
    assert errors == []


def test_suggestions_with_the_keyboard_only(live_server, page):
    page.goto(live_server + "/territoire/region-84")
    box = page.locator("input[data-recherche]")
    box.focus()
    box.press_sequentially("st joseph", delay=20)
    page.locator(".suggestions [role=option]").first.wait_for()
    labels = page.locator(".suggestions [role=option] a").all_inner_texts()
    assert labels[0].startswith("Saint-Joseph (974)") and any(label.startswith("Saint-Joseph (972)") for label in labels)
    box.press("ArrowDown")
    box.press("ArrowDown")
    box.press("Escape")
    assert page.locator(".suggestions").is_hidden()
