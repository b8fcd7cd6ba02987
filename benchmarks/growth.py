"""Build time, database size and key-query latency as the data grows: synthetic packages at 10×, 100×, 1000×… today's rows.

Usage: .venv/bin/python benchmarks/growth.py [--scales 1,10,100,1000] [--requests 60] [--values-per-result N] [--keep DIR]

For each scale: benchmarks/synthetic.py writes a scaled copy of the package into a temporary directory (never data/),
`tnl build` builds it in a fresh process (total time, validation share, peak resident memory), then `tnl serve` serves
it and each key query is requested sequentially on a fresh connection, every request with a distinct URL (an ignored
`_n=` parameter, or a distinct territory), so that the in-memory response cache never answers: these are the costs of
computing each response. Beside the wall-clock p50/p99, the server's CPU time per request (/proc, 10 ms ticks
summed over the requests), which a loaded machine changes far less.
Scale `max` is every territory in every edition. Prints figures only; no pass/fail.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_time import timed_build  # noqa: E402
from serve_load import MAP_QUERY, cpu_seconds  # noqa: E402
from synthetic import generate  # noqa: E402
from territory_latency import get, start_server  # noqa: E402

QUERIES = {
    "results JSON ?edition=": lambda k, ctx: f"/tnl/results.json?edition={ctx['editions'][k % len(ctx['editions'])]}&_n={k}",
    "faceted JSON (territories)": lambda k, ctx: f"/tnl/territories.json?_facet=kind&_facet=region_code&kind=commune&_n={k}",
    "palmares ?edition=": lambda k, ctx: f"/tnl/palmares.json?edition={ctx['editions'][k % len(ctx['editions'])]}&_n={k}",
    "par_region": lambda k, ctx: f"/tnl/par_region.json?_n={k}",
    "derniere_distinction": lambda k, ctx: f"/tnl/derniere_distinction.json?_n={k}",
    "territory page (labelled)": lambda k, ctx: f"/territoire/{ctx['labelled'][k % len(ctx['labelled'])]}",
    "map data (labelled_territories)": lambda k, ctx: f"/tnl/labelled_territories.json?{MAP_QUERY}&_n={k}",
}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def timings(base: str, paths: list[str]) -> tuple[list[float], set[int]]:
    host, port = base.rsplit("/", 1)[1].split(":")
    spent, statuses = [], set()
    for path in paths:
        start = time.perf_counter()
        statuses.add(await get(host, int(port), path))
        spent.append((time.perf_counter() - start) * 1000)
    return spent, statuses


def measure(db: Path, requests: int) -> dict:
    conn = sqlite3.connect(db)
    labelled = [r[0] for r in conn.execute("select distinct territory_id from results")]
    random.Random(1).shuffle(labelled)
    ctx = {"editions": [r[0] for r in conn.execute("select edition from editions order by edition")], "labelled": labelled}
    conn.close()
    process, base = start_server(db)
    try:
        figures = {}
        for name, url in QUERIES.items():
            asyncio.run(timings(base, [url(-1, ctx)]))  # first request: lazy work such as table counts
            cpu = cpu_seconds(process.pid)
            spent, statuses = asyncio.run(timings(base, [url(k, ctx) for k in range(requests)]))
            cpu_ms = (cpu_seconds(process.pid) - cpu) / requests * 1000
            figures[name] = (percentile(spent, 0.5), percentile(spent, 0.99), statuses, cpu_ms)
        return figures
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10,100,1000")
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--values-per-result", type=int, default=None)
    parser.add_argument("--keep", type=Path, default=None, help="write packages and databases here rather than in a temp dir")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        for scale in args.scales.split(","):
            data, output = root / f"data-{scale}", root / f"build-{scale}" / "tnl.db"
            start = time.perf_counter()
            counts = generate(data, scale, values_per_result=args.values_per_result)
            generated = time.perf_counter() - start
            total, validation, peak = timed_build(data, output)
            size = output.stat().st_size / 1e6
            print(f"scale {scale}: {counts} generated in {generated:.1f} s; build {total:.1f} s "
                  f"(validation {validation:.1f} s, {validation / total:.0%}), peak memory {peak:.0f} MB; "
                  f"database {size:.1f} MB", flush=True)
            figures = measure(output, args.requests)
            for name, (p50, p99, statuses, cpu_ms) in figures.items():
                print(f"  {name:34} p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  server CPU {cpu_ms:6.1f} ms/req  "
                      f"status {sorted(statuses)}", flush=True)
            rows.append((scale, counts, total, validation, peak, size, figures))
    print()
    names = list(QUERIES)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores): the wall-clock "
          "p50/p99 grow with it, the server's CPU time per request much less")
    print(f"{'scale':>6} {'results':>8} {'values':>9} {'build s':>8} {'valid.':>6} {'RSS MB':>7} {'DB MB':>7} | "
          + " | ".join(f"{n[:20]:>20}" for n in names))
    print(f"{'':>6} {'':>8} {'':>9} {'':>8} {'':>6} {'':>7} {'':>7} | " + " | ".join(f"{'p50/p99/CPU ms':>20}" for _ in names))
    for scale, counts, total, validation, peak, size, figures in rows:
        cells = " | ".join(f"{figures[n][0]:6.1f}/{figures[n][1]:7.1f}/{figures[n][3]:5.1f}" for n in names)
        print(f"{scale:>6} {counts['results']:8} {counts['indicator_values']:9} {total:8.1f} {validation / total:6.0%} "
              f"{peak:7.0f} {size:7.1f} | {cells}")


if __name__ == "__main__":
    main()
