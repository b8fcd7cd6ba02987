"""The front page in a real headless Chromium: it renders, in French, without console errors."""
from __future__ import annotations


def test_front_page_renders_without_console_errors(live_server, page, external_requests, screenshots):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    response = page.goto(live_server + "/")
    assert response.status == 200
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text().startswith("Territoire Numérique Libre")
    assert page.locator("table.couverture tbody tr").count() == 10
    assert page.locator("table.palmares tbody tr").count() >= 1
    page.screenshot(path=str(screenshots / "accueil.png"), full_page=True)
    assert errors == []
    assert external_requests == []  # the front page needs nothing beyond the site itself
