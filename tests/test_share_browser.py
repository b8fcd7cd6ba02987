"""The embeds in a real Chromium, framed by a page of another origin: the map draws its markers offline, a territory
card shows, and a page that is not an embed refuses to be framed. Tile requests are answered empty locally."""
from __future__ import annotations

import json
import re
import threading
import urllib.request
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tnl.site.share.badges import badge_svg


@contextmanager
def another_site(html: str):
    """A page of another origin, on loopback too (Chromium blocks a public page from framing a loopback one)."""
    body = html.encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/article"
    finally:
        server.shutdown()


def test_the_embedded_map_draws_its_markers_in_a_frame_of_another_site(live_server, page, external_requests, screenshots):
    expected = json.loads(re.search(r'id="marqueurs">(.*?)</script>', urllib.request.urlopen(
        live_server + "/embed/carte?edition=2025", timeout=30).read().decode(), re.S).group(1))
    html = (f"<iframe src='{live_server}/embed/carte?edition=2025' title='Carte' width='700' height='450'></iframe>"
            f"<iframe src='{live_server}/embed/territoire/213801517' title='Fiche' width='500' height='300'></iframe>"
            f"<iframe src='{live_server}/territoire/213801517' title='Page' width='500' height='300'></iframe>")
    with another_site(html) as article:
        page.goto(article)
        embedded = page.frame_locator("iframe[title=Carte]")
        embedded.locator("#carte[data-state=ready]").wait_for()
        assert embedded.locator("#carte").get_attribute("data-markers") == str(len(expected)) != "0"
        assert embedded.locator(".leaflet-overlay-pane path.leaflet-interactive").count() == 0  # canvas, not SVG
        assert embedded.locator(".legende").inner_text().startswith("Label Or")
        assert embedded.locator("details.liste li").count() == len(expected)
        page.locator("iframe[title=Carte]").screenshot(path=str(screenshots / "carte-integree.png"))
        card = page.frame_locator("iframe[title=Fiche]")
        assert card.locator("h1").inner_text() == "Échirolles"
        assert card.locator("img[src$='badge.svg']").evaluate("img => img.complete && img.naturalWidth > 0")
        frames = {frame.name or frame.url: frame.url for frame in page.frames}
    refused = [url for url in frames.values() if url.startswith("chrome-error:")]
    assert len(refused) == 1  # the territory page: X-Frame-Options DENY, frame-ancestors 'none'
    assert all(".tile.openstreetmap.org" in url for url in external_requests)


def test_every_badge_is_drawn_and_stays_legible_at_20_pixels(page, screenshots):
    """Each distinction of both schemes, « labellisé » and « non labellisé », at natural size and 20 px high."""
    variants = [{"edition": 2022, "distinction": f"niveau_{n}", "label": f"Niveau {n}"} for n in range(1, 6)]
    variants += [{"edition": 2025, "distinction": d, "label": d.capitalize()} for d in ("badge", "bronze", "argent", "or")]
    variants += [{"edition": 2019, "distinction": None, "label": "Labellisé (niveau non publié)"}, None]
    cells = "".join(f"<div class='v'>{badge_svg('Exemple', v)}<div class='petit'>{badge_svg('Exemple', v)}</div></div>"
                    for v in variants)
    style = ("body{margin:0;padding:12px;background:#fff;display:grid;grid-template-columns:repeat(2,max-content);"
             "gap:10px 28px} .v{display:flex;flex-direction:column;gap:6px} .petit svg{height:20px;width:auto}")
    page.set_content(f"<!DOCTYPE html><html lang='fr'><head><style>{style}</style></head><body>{cells}</body></html>")
    small = page.locator(".petit svg").evaluate_all("svgs => svgs.map(s => s.getBoundingClientRect().width)")
    assert len(small) == len(variants) and all(width > 40 for width in small)
    page.locator("body").screenshot(path=str(screenshots / "badges.png"))
