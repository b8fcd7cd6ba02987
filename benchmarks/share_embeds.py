"""Size and time to render of badges, embeds, feeds and preview images (cold and cached), the time to the first
marker of the embedded map in headless Chromium, and the build time the preview images add.

Usage: .venv/bin/python benchmarks/share_embeds.py [--db build/tnl.db] [--repeat 50] [--no-browser]
Starts `tnl serve` on a free loopback port. "Cold" is the first request of a URL (the response cache has never seen
it); "cached" is the median of the next ones. In Chromium every OpenStreetMap tile request is answered empty
locally: nothing leaves loopback. Prints figures only; no pass/fail. Figures vary a lot on shared cores.
"""
from __future__ import annotations

import argparse
import gzip
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from tnl.dev.browser import launch
from tnl.pipeline.preview_cards import write_cards

PATHS = [
    "/territoire/213801517/badge.svg",  # Label Or 2025
    "/territoire/215403957/badge.svg",  # Niveau 5 2019
    "/territoire/departement-38/badge.svg",  # non labellisé
    "/embed/territoire/213801517",
    "/embed/carte",
    "/embed/carte?edition=2025",
    "/embed/carte?edition=2021&region_code=84",
    "/territoire/213801517.atom",
    "/territoire/region-84.atom",
    "/-/cartes/213801517.png",
]


def start_server(db: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "tnl.cli", "serve", "--db", str(db), "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):  # a loaded machine may take tens of seconds
        try:
            urllib.request.urlopen(url + "/-/versions.json", timeout=5)
            return process, url
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not start")


def timed_get(url: str) -> tuple[float, bytes]:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as response:
        body = response.read()
    return (time.perf_counter() - start) * 1000, body


def server_figures(base: str, repeat: int) -> None:
    print(f"{'adresse':45} {'octets':>8} {'gzip':>7} {'froid ms':>9} {'en cache ms':>12}")
    for path in PATHS:
        cold, body = timed_get(base + path)
        cached = statistics.median(timed_get(base + path)[0] for _ in range(repeat))
        print(f"{path:45} {len(body):8} {len(gzip.compress(body)):7} {cold:9.1f} {cached:12.2f}")


def browser_figures(base: str, runs: int) -> None:
    """Playwright's request routing turns the browser's HTTP cache off: every visit downloads everything, and
    "cold"/"cached" refer to the server's response cache (a fresh URL each cold run: an unused parameter)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        for label, path in (("carte intégrée", "/embed/carte?"), ("carte intégrée, 2025", "/embed/carte?edition=2025&")):
            figures = {"froid": [], "en cache": []}
            for run in range(runs):
                context = browser.new_context(viewport={"width": 800, "height": 500}, locale="fr-FR")
                context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base)
                              else route.fulfill(status=200, body=b""))  # the tiles: empty, never fetched
                page = context.new_page()
                for visit, url in (("froid", f"{base}{path}essai={run}"), ("en cache", f"{base}{path}essai={run}")):
                    page.goto(url)
                    page.wait_for_selector("#carte[data-state=ready]")
                    first_marker = float(page.get_attribute("#carte", "data-first-marker-at"))
                    transferred = page.evaluate("""performance.getEntriesByType('navigation').concat(
                        performance.getEntriesByType('resource')).reduce((sum, e) => sum + e.transferSize, 0)""")
                    figures[visit].append((first_marker, transferred))
                context.close()
            for visit, values in figures.items():
                times = sorted(v[0] for v in values)
                print(f"{label} (serveur {visit}) : premier marqueur à {statistics.median(times):.0f} ms après le début "
                      f"de la navigation (médiane de {runs} ; min {times[0]:.0f}, max {times[-1]:.0f}) ; "
                      f"{values[-1][1] / 1024:.0f} Kio transférés (en-têtes compris, gzip)")
        browser.close()


def build_figures(db: Path, runs: int) -> None:
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "tnl.db"
        shutil.copy(db, copy)
        for _ in range(runs):
            start = time.perf_counter()
            directory = write_cards(copy)
            times.append(time.perf_counter() - start)
        count = len(list(directory.glob("*.png")))
        size = sum(p.stat().st_size for p in directory.glob("*.png"))
    print(f"images d'aperçu au build : {count} images, {size / 1024:.0f} Kio, {statistics.median(times):.2f} s "
          f"(médiane de {runs} ; min {min(times):.2f}, max {max(times):.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("build/tnl.db"))
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    build_figures(args.db, 3)
    process, base = start_server(args.db)
    try:
        server_figures(base, args.repeat)
        if not args.no_browser:
            browser_figures(base, args.runs)
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
