"""In a real browser: the peers' map of a territory page is in view without scrolling, on a laptop and on a phone,
and colouring it by an open indicator says in text what the colours mean."""
from __future__ import annotations

import pytest
from tnl.dev.browser import offline


@pytest.mark.parametrize("width, height", [(1280, 800), (390, 844)])
def test_peers_map_top_in_view(live_server, browser, external_requests, width, height):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="fr-FR")
    offline(context, external_requests)
    page = context.new_page()
    page.goto(live_server + "/territoire/213802291")
    page.wait_for_selector("#carte-pairs[data-state=ready]", timeout=20_000)
    top = page.evaluate("document.getElementById('carte-pairs').getBoundingClientRect().top + window.scrollY")
    assert 0 < top < height - 150, top  # its top, and a good part of it, before the fold
    page.select_option("#couleur-pairs", "open_data_published_2022")
    assert page.get_attribute("#carte-pairs", "data-colour") == "open_data_published_2022"
    assert " de vos " in page.locator("#legende-comparaison").inner_text()
    context.close()
