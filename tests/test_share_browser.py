"""The embeds in a real Chromium, framed by a page of another origin: the map draws its markers offline, a territory
card shows, and a page that is not an embed refuses to be framed. Tile requests are answered empty locally."""
from __future__ import annotations

import json
import re
import threading
import urllib.request
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest


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


@pytest.fixture
def offline_page(page):
    """Only loopback is reached; anything else (the OpenStreetMap tiles) gets an empty answer, and is recorded."""
    elsewhere = []

    def route(route):
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.fulfill(status=200, body=b"")

    page.context.route("**/*", route)
    page.elsewhere = elsewhere
    return page


def test_the_embedded_map_draws_its_markers_in_a_frame_of_another_site(live_server, offline_page):
    expected = json.loads(re.search(r'id="marqueurs">(.*?)</script>', urllib.request.urlopen(
        live_server + "/embed/carte?edition=2025", timeout=30).read().decode(), re.S).group(1))
    html = (f"<iframe src='{live_server}/embed/carte?edition=2025' title='Carte' width='700' height='450'></iframe>"
            f"<iframe src='{live_server}/embed/territoire/213801517' title='Fiche' width='500' height='300'></iframe>"
            f"<iframe src='{live_server}/territoire/213801517' title='Page' width='500' height='300'></iframe>")
    with another_site(html) as article:
        offline_page.goto(article)
        embedded = offline_page.frame_locator("iframe[title=Carte]")
        embedded.locator("#carte[data-state=ready]").wait_for()
        assert embedded.locator("#carte").get_attribute("data-markers") == str(len(expected)) != "0"
        assert embedded.locator(".leaflet-overlay-pane path.leaflet-interactive").count() == 0  # canvas, not SVG
        assert embedded.locator(".legende").inner_text().startswith("Label Or")
        assert embedded.locator("details.liste li").count() == len(expected)
        card = offline_page.frame_locator("iframe[title=Fiche]")
        assert card.locator("h1").inner_text() == "Échirolles"
        assert card.locator("img[src$='badge.svg']").evaluate("img => img.complete && img.naturalWidth > 0")
        frames = {frame.name or frame.url: frame.url for frame in offline_page.frames}
    refused = [url for url in frames.values() if url.startswith("chrome-error:")]
    assert len(refused) == 1  # the territory page: X-Frame-Options DENY, frame-ancestors 'none'
    assert all(".tile.openstreetmap.org" in url for url in offline_page.elsewhere)
