"""Screenshots for the README: the set of badges (every distinction of both schemes, level not published, never
labelled) and the embedded map inside an iframe of another page. Writes docs/screenshots/badges.png and
docs/screenshots/carte-integree.png; run by hand after a change to badges or embeds (tests never write them).

Usage: .venv/bin/python scripts/screenshots_share.py [--db build/tnl.db]
Starts `tnl serve` on a free loopback port and drives Debian's chromium; every OpenStreetMap tile request is answered
empty locally (the map shows the embedded outline of the départements): nothing leaves loopback.
"""
from __future__ import annotations

import argparse
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from tnl import PROJECT_ROOT
from tnl.site.badges import badge_svg

OUTPUT = PROJECT_ROOT / "docs" / "screenshots"


def start_server(db: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "tnl.cli", "serve", "--db", str(db), "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            urllib.request.urlopen(url + "/-/versions.json", timeout=5)
            return process, url
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not start")


@contextmanager
def another_site(html: str):
    """A page of another origin on loopback (Chromium blocks a public page from framing a loopback one)."""
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


def badges_page(db: Path) -> str:
    """Every variant at its natural size and at a small one (height 20 px), drawn by the site's own function."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute("select id, label, scheme from distinctions order by scheme desc, rank").fetchall()
    variants = [{"edition": 2025 if scheme.startswith("badge") else 2022, "distinction": d, "label": label}
                for d, label, scheme in rows]
    variants += [{"edition": 2019, "distinction": None, "label": "Labellisé (niveau non publié)"}, None]
    cells = "".join(f"<div class='v'>{badge_svg('Exemple', v)}<div class='petit'>{badge_svg('Exemple', v)}</div></div>"
                    for v in variants)
    style = ("body{margin:0;padding:12px;background:#fff;display:grid;grid-template-columns:repeat(2,max-content);"
             "gap:10px 28px} .v{display:flex;flex-direction:column;gap:6px} .petit svg{height:20px;width:auto}")
    return f"<!DOCTYPE html><html lang='fr'><head><style>{style}</style></head><body>{cells}</body></html>"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("build/tnl.db"))
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    process, base = start_server(args.db)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                                 args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
            context = browser.new_context(viewport={"width": 840, "height": 560}, locale="fr-FR", device_scale_factor=1)
            context.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).hostname == "127.0.0.1"
                          else route.fulfill(status=200, body=b""))  # the tiles: empty, never fetched
            page = context.new_page()
            page.set_content(badges_page(args.db))
            page.locator("body").screenshot(path=str(OUTPUT / "badges.png"))
            article = ("<!DOCTYPE html><html lang='fr'><body style='font:15px sans-serif;margin:16px;background:#fafafa'>"
                       "<h2 style='margin:0 0 8px'>Un article de presse</h2><p>…et la carte des lauréats 2025 :</p>"
                       f"<iframe src='{base}/embed/carte?edition=2025' title='Carte' width='100%' height='430' "
                       "style='border:1px solid #ccc;background:#fff'></iframe></body></html>")
            with another_site(article) as article_url:
                page.goto(article_url)
                page.frame_locator("iframe").locator("#carte[data-state=ready]").wait_for()
                page.screenshot(path=str(OUTPUT / "carte-integree.png"))
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=10)
    print(f"Écrit : {OUTPUT / 'badges.png'}, {OUTPUT / 'carte-integree.png'}")


if __name__ == "__main__":
    main()
