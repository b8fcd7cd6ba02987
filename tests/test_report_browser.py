"""/signaler in Chromium at both widths: the form fits the screen (no clipped label, the text area within it), the
distinctions follow the edition chosen, and the e-mail link goes to the label's contact with the facts and no
internal command."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tnl.dev.browser import WIDTHS, horizontal_overflow, new_page, settle
from tnl.site.pages.report_page import DEFAULT_EMAIL

FIELDS = ("label[for=territoire]", "#territoire", "label[for=edition]", "#edition", "label[for=distinction]",
          "#distinction", "label[for=texte-signalement]", "#texte-signalement")


def assert_fits(page, selector: str, width: int) -> None:
    element = page.locator(selector).first
    box = element.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, (selector, box)
    clipped = element.evaluate("e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'hidden'")
    assert not clipped, selector


@pytest.mark.parametrize("device", sorted(WIDTHS))
def test_the_report_form_fits_and_sends_the_facts_to_the_label(live_server, browser, screenshots, device):
    width, height = WIDTHS[device]
    page = new_page(browser, width, height)
    page.goto(live_server + "/signaler?territoire=213801517&edition=2024")
    settle(page)
    assert horizontal_overflow(page) == 0
    for selector in FIELDS:
        assert_fits(page, selector, width)
    for label in page.locator(".signalement-choix label").all():  # each label on one or more whole lines, not cut
        assert label.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), label.inner_text()

    # 2024 is scored in levels: the 2025 medals are not offered, and choosing 2025 swaps the lists.
    def offered() -> list[str]:
        return page.locator("#distinction optgroup:not([hidden]):not([disabled]) option").evaluate_all(
            "options => options.map(o => o.value)")
    assert offered() == ["niveau_1", "niveau_2", "niveau_3", "niveau_4", "niveau_5"]
    page.select_option("#edition", "2025")
    assert offered() == ["badge", "bronze", "argent", "or"]
    page.select_option("#edition", "2024")
    page.select_option("#distinction", "niveau_4")
    page.click("text=Préparer le message")
    page.wait_for_load_state()

    link = page.locator(f'a[href^="mailto:{DEFAULT_EMAIL}?"]')
    assert link.count() == 1 and link.is_visible()
    assert_fits(page, f'a[href^="mailto:{DEFAULT_EMAIL}?"]', width)
    body = parse_qs(urlsplit(link.get_attribute("href")).query)["body"][0]
    assert "Territoire : Échirolles (identifiant 213801517)\nÉdition : 2024\nDistinction : Niveau 4" in body
    assert "(code niveau_4)\n" in body
    for internal in ("tnl ", "add-result", "--edition", "--territory"):
        assert internal not in body
    assert page.locator("#texte-signalement").input_value() == body
    page.screenshot(path=str(screenshots / f"signaler-{device}.png"), full_page=True)
    page.context.close()
