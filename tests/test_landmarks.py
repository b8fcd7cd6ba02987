"""Every page type has a skip link to one <main> landmark, and headings that never skip a level (h1 -> h2 -> h3)."""
from __future__ import annotations

import re

import pytest

PAGES = [
    "/", "/tnl", "/tnl/results", "/tnl/results?edition=2024", "/tnl/results_map", "/tnl/labelled_territories",
    "/tnl/territories?kind=commune", "/tnl/territories/213801517", "/tnl/results/2023,210500740", "/tnl/editions/2023",
    "/tnl/territory_history", "/tnl/palmares", "/tnl/progressions", "/tnl/fideles", "/tnl/par_region",
    "/tnl?sql=select+1", "/territoire/213801517", "/territoire/200040715", "/territoire/region-84", "/a-propos",
    "/indicateurs", "/glossaire", "/tnl/nope", "/territoire/999999999",
]


@pytest.mark.parametrize("path", PAGES)
async def test_skip_link_main_landmark_and_heading_order(datasette, path):
    r = await datasette.client.get(path)
    body = r.text.split("<body", 1)[1]
    first_link = re.search(r"<a\b[^>]*>", body).group(0)
    assert first_link == '<a class="lien-evitement" href="#contenu">', path
    assert body.count('<main id="contenu"') == 1 and body.count("</main>") == 1, path
    assert body.count("<header><nav aria-label=\"Fil d'Ariane\">") == 1 and body.count('<footer class="ft">') == 1, path
    levels = [int(level) for level in re.findall(r"<h([1-6])\b", body)]
    assert levels[0] == 1 and levels.count(1) == 1, (path, levels)
    jumps = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
    assert jumps == [], (path, levels)
