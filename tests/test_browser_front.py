"""The front page in a real headless Chromium: it renders, in French, without console errors."""
from __future__ import annotations

from pathlib import Path

SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def test_front_page_renders_without_console_errors(live_server, page):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    response = page.goto(live_server + "/")
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text().startswith("Territoire Numérique Libre")
    assert page.locator("table.couverture tbody tr").count() == 10
    assert page.locator("table.palmares tbody tr").count() >= 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "accueil.png"), full_page=True)
    assert errors == []
