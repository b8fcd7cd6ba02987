"""Figures for the public face, no pass/fail: axe-core's serious/critical WCAG 2.1 A/AA violations per page type and
width, where each map starts (CSS px from the top of the page) and how far each page scrolls sideways.

Usage: .venv/bin/python benchmarks/public_face.py [--db build/tnl.db] [--pages accueil,carte-results_map]
Needs `make test`'s tools: Debian's chromium and node_modules/axe-core. Starts `tnl serve` on a free loopback port;
the browser is offline (tiles answered locally).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from tnl.dev.browser import (  # noqa: E402
    MAP_PAGES,
    PAGE_TYPES,
    WIDTHS,
    axe_violations,
    horizontal_overflow,
    launch,
    new_page,
    settle,
    top_of,
)
from territory_latency import start_server  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, default=ROOT / "build" / "tnl.db")
    parser.add_argument("--pages", default="", help="comma-separated page types (default: all)")
    args = parser.parse_args()
    chosen = [name for name in args.pages.split(",") if name] or list(PAGE_TYPES)

    from playwright.sync_api import sync_playwright

    process, base = start_server(args.db)
    try:
        with sync_playwright() as playwright:
            browser = launch(playwright)
            print("page type | width | serious/critical rules (nodes) | sideways px")
            totals = {width: 0 for width in WIDTHS}
            for name in chosen:
                for width, (w, h) in WIDTHS.items():
                    page = new_page(browser, w, h)
                    page.goto(base + PAGE_TYPES[name])
                    settle(page)
                    found = axe_violations(page)
                    totals[width] += len(found)
                    rules = ", ".join(f"{v['id']}:{v['impact'][0]}({v['count']})" for v in found) or "-"
                    print(f"{name} | {w} | {len(found)} {rules} | {horizontal_overflow(page)}", flush=True)
                    page.context.close()
            print("total rules violated:", ", ".join(f"{w}={n}" for w, n in totals.items()))
            print("\nmap page | width | map top (px) | viewport height | whole map in view")
            for name, (path, selector) in MAP_PAGES.items():
                for width, (w, h) in WIDTHS.items():
                    page = new_page(browser, w, h)
                    page.goto(base + path)
                    settle(page)
                    top = top_of(page, selector)
                    bottom = top + page.locator(selector).first.bounding_box()["height"]
                    print(f"{name} | {w} | {top:.0f} | {h} | {'oui' if bottom <= h else 'non'}", flush=True)
                    page.context.close()
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
