"""Journeys of a visitor in Chromium, on a phone-sized screen and with the keyboard only."""
from __future__ import annotations

from urllib.parse import quote_plus

from tnl.dev.browser import WIDTHS, new_page, settle
from test_map import assert_draws


def test_find_a_commune_by_keyboard_and_reach_its_page(live_server, browser):
    page = new_page(browser, *WIDTHS["telephone"])
    page.goto(live_server + "/")
    for _ in range(30):  # Tab from the top of the page to the search box
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "recherche-territoire":
            break
    assert page.evaluate("() => document.activeElement.id") == "recherche-territoire"
    page.keyboard.type("echirole", delay=20)  # a letter short, and one wrong
    page.locator(".suggestions[data-query='echirole'] [role=option]").first.wait_for()
    status = page.locator(".recherche-territoire [role=status]")
    assert status.inner_text().endswith("suggestions : flèches haut et bas pour choisir, Entrée pour ouvrir.")
    page.keyboard.press("ArrowDown")
    assert page.locator("#recherche-territoire").get_attribute("aria-activedescendant") == "suggestions-1-0"
    page.keyboard.press("Enter")
    page.wait_for_url(live_server + "/territoire/213801517")
    assert page.locator("h1").inner_text() == "Échirolles"
    page.context.close()


def test_enter_without_choosing_opens_the_results_with_the_best_first_in_view(live_server, browser):
    page = new_page(browser, *WIDTHS["telephone"])
    page.goto(live_server + "/")
    box = page.locator("#recherche-territoire")
    box.focus()
    page.keyboard.type("Saint-Denis (93)", delay=10)
    page.locator(".suggestions[data-query='Saint-Denis (93)'] [role=option]").first.wait_for()
    page.keyboard.press("Enter")
    page.wait_for_url(live_server + "/recherche?q=" + quote_plus("Saint-Denis (93)"))
    first = page.locator(".resultats-recherche a").first
    assert first.inner_text() == "Saint-Denis (93)"
    assert first.bounding_box()["y"] + first.bounding_box()["height"] <= WIDTHS["telephone"][1]
    assert page.locator("#recherche-territoire").input_value() == "Saint-Denis (93)"
    first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(live_server + "/territoire/929939411")
    page.context.close()


def test_filter_the_map_by_region_and_see_it_follow_without_scrolling(live_server, browser, db):
    region = "Auvergne-Rhône-Alpes"
    expected = db.execute("select count(*) from results_map where latitude is not null and region_name = ?",
                          [region]).fetchone()[0]
    width, height = WIDTHS["telephone"]
    page = new_page(browser, width, height)
    page.goto(live_server + "/tnl/results_map")
    settle(page)
    page.locator(".filtres-carte summary").click()  # folded above the map on a phone
    page.locator(f".facet-results a[href*='region_name={quote_plus(region)}']").click()
    page.wait_for_url(f"**region_name={quote_plus(region)}*#carte")
    settle(page)
    box = page.locator(".map-distinctions").bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= height  # in view, where the reader left it
    assert_draws(page, expected)
    page.context.close()


def test_the_map_and_a_territory_on_a_phone(live_server, browser, screenshots):
    """What the README shows (`make screenshots` keeps the pictures): the map first, then a territory page."""
    width, height = WIDTHS["telephone"]
    page = new_page(browser, width, height)
    page.goto(live_server + "/tnl/labelled_territories")
    settle(page)
    page.wait_for_function("() => !document.querySelector('.leaflet-zoom-anim')")  # no zoom animation in the picture
    box = page.locator(".map-distinctions").bounding_box()
    assert box["y"] + box["height"] <= height
    page.screenshot(path=str(screenshots / "carte.png"))
    page.goto(live_server + "/territoire/213801517")
    settle(page)
    assert page.locator("#graphique-historique").is_visible()
    page.screenshot(path=str(screenshots / "territoire.png"), full_page=True, clip={"x": 0, "y": 0, "width": width, "height": 1400})
    page.context.close()
