"""Latency of territory pages and of the search endpoint under concurrent load, and the largest peers map in Chromium.

Usage: .venv/bin/python benchmarks/territory_latency.py [--db build/tnl.db] [--requests 400] [--concurrency 16] [--no-browser]
Starts `tnl serve` on a free loopback port. "Cold" requests use distinct URLs (the response cache has never seen them);
"warm" ones repeat them. Prints figures only; no pass/fail.
"""
from __future__ import annotations

import argparse
import asyncio
import bisect
import math
import os
import random
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

from tnl.dev.browser import launch
from tnl.text import normalise


def start_server(db: Path, checkout: Path | None = None) -> tuple[subprocess.Popen, str]:
    """`tnl serve` of db on a free loopback port; checkout: another copy of the code to serve it with (a before)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, PYTHONPATH=str(checkout)) if checkout else None
    process = subprocess.Popen([sys.executable, "-m", "tnl.cli", "serve", "--db", str(Path(db).resolve()), "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=checkout, env=env)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):  # a minute: a loaded machine (or a large synthetic database) starts slowly
        try:
            urllib.request.urlopen(url + "/territoire/region-84", timeout=5)  # also loads the in-memory indexes
            return process, url
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not start")


async def get(host: str, port: int, path: str) -> int:
    """One GET on a fresh connection, read to EOF: a client far lighter than the server it measures (httpx is not)."""
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode())
    response = await reader.read(-1)
    writer.close()
    return int(response.split(b" ", 2)[1])


async def load(base: str, paths: list[str], concurrency: int) -> tuple[list[float], float, set[int]]:
    host, port = base.rsplit("/", 1)[1].split(":")
    semaphore, timings, statuses = asyncio.Semaphore(concurrency), [], set()

    async def one(path):
        async with semaphore:
            start = time.perf_counter()
            statuses.add(await get(host, int(port), path))
            timings.append(time.perf_counter() - start)
    start = time.perf_counter()
    await asyncio.gather(*(one(p) for p in paths))
    return timings, time.perf_counter() - start, statuses


def report(name: str, timings: list[float], elapsed: float, statuses: set[int]) -> None:
    ordered = sorted(timings)
    p = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000
    print(f"{name:42} n={len(ordered):4}  p50={p(0.5):7.1f} ms  p99={p(0.99):7.1f} ms  max={ordered[-1] * 1000:7.1f} ms"
          f"  {len(ordered) / elapsed:6.0f} req/s  status={sorted(statuses)}")


def largest_group(conn) -> tuple[str, int, int]:
    """The commune whose default nationwide band (half to double) holds the most communes."""
    rows = conn.execute("select population, id from territories where kind = 'commune' order by population").fetchall()
    populations = [r[0] for r in rows]
    count, population = max((bisect.bisect_right(populations, math.floor(p * 2)) - bisect.bisect_left(populations, math.ceil(p / 2)) - 1, p)
                            for p in set(populations))
    return rows[bisect.bisect_left(populations, population)][1], population, count


def browser_times(base: str, cases: list[tuple[str, str]]) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        for name, path in cases:
            runs = []
            for _ in range(3):
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.route("**/*.tile.openstreetmap.org/**", lambda route: route.abort())
                page.goto(base + path)
                page.wait_for_selector("#carte-pairs[data-state=ready]", timeout=60_000)
                runs.append({k: int(page.get_attribute("#carte-pairs", f"data-{k}")) for k in ("markers", "draw-ms", "ready-at")})
                page.close()
            best = min(runs, key=lambda r: r["ready-at"])
            print(f"{name:42} markers={best['markers']:6}  drawn in {best['draw-ms']} ms (Leaflet), "
                  f"map ready {best['ready-at']} ms after navigation start (best of 3; {[r['ready-at'] for r in runs]})")
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("build/tnl.db"))
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    conn = sqlite3.connect(args.db)
    rng = random.Random(2025)
    territories = conn.execute("select id, name from territories").fetchall()
    sample = rng.sample(territories, args.requests)
    pages = [f"/territoire/{i}" for i, _ in sample]
    # "&n=": distinct URLs even when two names share a prefix, so that every request misses the response cache.
    searches = [f"/-/recherche.json?q={quote(normalise(name)[:rng.randint(3, 10)])}&n={k}" for k, (_, name) in enumerate(sample)]
    worst_id, worst_population, worst_count = largest_group(conn)
    band_id = conn.execute("select id from territories where kind = 'commune' and population >= 1414 order by population limit 1").fetchone()[0]
    process, base = start_server(args.db)
    try:
        print(f"Server {base}, database {args.db} ({len(territories)} territories), concurrency {args.concurrency}")
        for name, paths in (("territory page, cold (distinct ids)", pages), ("territory page, warm (cache hits)", pages),
                            ("territory .json, cold", [p + ".json" for p in pages]),
                            ("search, cold (distinct queries)", searches), ("search, warm", searches)):
            report(name, *asyncio.run(load(base, paths, args.concurrency)))
        report("page of the largest peer group, cold", *asyncio.run(load(
            base, [f"/territoire/{worst_id}?perimetre=national&page={k}" for k in range(1, 33)], args.concurrency)))
        if not args.no_browser:
            print(f"Largest default group: communes of {math.ceil(worst_population / 2)}–{2 * worst_population} inhabitants "
                  f"nationwide ({worst_count} peers of {worst_id})")
            browser_times(base, [
                ("peers map, communes 1,000–2,000 nationwide", f"/territoire/{band_id}?perimetre=national&min=0.7072&max=1.4143"),
                ("peers map, largest default group", f"/territoire/{worst_id}?perimetre=national"),
                ("peers map, Échirolles (région)", "/territoire/213801517"),
            ])
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
