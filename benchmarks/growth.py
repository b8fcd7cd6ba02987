"""Build time, database size and key-query latency as the data grows: synthetic packages at 10×, 100×, 1000×… today's rows.

Usage: .venv/bin/python benchmarks/growth.py [--scales 1,10,100,1000] [--requests 60] [--values-per-result N]
                                             [--cache tmp/growth] [--compare OTHER_CHECKOUT] [--rounds 2]

For each scale: benchmarks/synthetic.py writes a scaled copy of the package (never into data/), `tnl build` builds it
in a fresh process (total time, validation share, peak resident memory), then `tnl serve` serves it and each key
query is requested sequentially on a fresh connection, every request with a distinct URL (an ignored `_n=`
parameter, or a distinct territory), so that the in-memory response cache never answers: these are the costs of
computing each response. Beside the wall-clock p50/p99, the server's CPU time per request (/proc, 10 ms ticks
summed over the requests), which a loaded machine changes far less.
Scale `max` is every territory in every edition. Prints figures only; no pass/fail.

Packages and builds are kept under --cache (tmp/ is ignored by git and removed by `make clean`): a package per
(scale, values per result, content of data/ and synthetic.py), a build per (package, content of the code a build
reads). A 100× build takes minutes; a rerun with the same code and data reuses it, and prints the build figures of
the run that made it, marked "(cached)".

--compare DIR: a before/after in one run. DIR is another copy of the code (e.g. `git archive main | tar -x -C DIR`,
with node_modules linked); each scale is built by both, served by both at once (each its own build: indexes and
canned queries are part of the cost), and each query's requests alternate between them in --rounds rounds, the same
URLs on both.
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from serve_load import MAP_QUERY, cpu_seconds  # noqa: E402
from synthetic import generate  # noqa: E402
from territory_latency import get, start_server  # noqa: E402

from tnl.pipeline.datapackage import DEFAULT_DATA_DIR  # noqa: E402

THIS = HERE.parent
CODE = ("tnl", "schemas", "metadata.yml", "pyproject.toml", "requirements.txt")  # what a build reads beside its data
QUERIES = {
    "results JSON ?edition=": lambda k, ctx: f"/tnl/results.json?edition={ctx['editions'][k % len(ctx['editions'])]}&_n={k}",
    "faceted JSON (territories)": lambda k, ctx: f"/tnl/territories.json?_facet=kind&_facet=region_code&kind=commune&_n={k}",
    "palmares ?edition=": lambda k, ctx: f"/tnl/palmares.json?edition={ctx['editions'][k % len(ctx['editions'])]}&_n={k}",
    "par_region": lambda k, ctx: f"/tnl/par_region.json?_n={k}",
    "par_departement ?edition=": lambda k, ctx: f"/tnl/par_departement.json?edition={ctx['editions'][k % len(ctx['editions'])]}&_n={k}",
    "derniere_distinction": lambda k, ctx: f"/tnl/derniere_distinction.json?_n={k}",
    "territory page (labelled)": lambda k, ctx: f"/territoire/{ctx['labelled'][k % len(ctx['labelled'])]}",
    "map data (labelled_territories)": lambda k, ctx: f"/tnl/labelled_territories.json?{MAP_QUERY}&_n={k}",
}
# A build with another copy of the code: that copy's `tnl` first on the path, this folder's build_time.py.
BUILD = ("import json, sys; sys.path.insert(0, sys.argv[3]); from build_time import timed_build; "
         "print(json.dumps(timed_build(sys.argv[1], sys.argv[2])))")


def load() -> str:
    return f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)"


def content_hash(paths: list[Path], *extra: str) -> str:
    """SHA-256 over extra and the relative paths and bytes of every file under paths (bytecode left out)."""
    digest = hashlib.sha256("\0".join(extra).encode())
    for top in paths:
        files = sorted(p for p in top.rglob("*") if p.is_file()) if top.is_dir() else [top]
        for path in files:
            if "__pycache__" not in path.parts and path.suffix != ".pyc":
                digest.update(str(path.relative_to(top.parent)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def cached_package(cache: Path, scale: str, values_per_result: int | None) -> tuple[Path, dict, str]:
    """(package folder, row counts, key): generated once per scale, options and content of data/ and synthetic.py."""
    key = content_hash([DEFAULT_DATA_DIR, HERE / "synthetic.py"], scale, str(values_per_result))
    folder = cache / f"package-{scale}-{key}"
    done = folder / "counts.json"
    if not done.exists():
        start = time.perf_counter()
        counts = generate(folder / "data", scale, values_per_result=values_per_result)
        print(f"scale {scale}: package generated in {time.perf_counter() - start:.1f} s", flush=True)
        done.write_text(json.dumps(counts), encoding="utf-8")
    return folder / "data", json.loads(done.read_text(encoding="utf-8")), key


def cached_build(cache: Path, scale: str, package: Path, package_key: str, checkout: Path) -> tuple[Path, dict]:
    """(database, build figures) of package built by checkout's code: built once per content of both."""
    folder = cache / f"build-{scale}-{content_hash([checkout / c for c in CODE], package_key)}"
    done = folder / "figures.json"
    if done.exists():
        return folder / "tnl.db", json.loads(done.read_text(encoding="utf-8")) | {"cached": True}
    before = load()
    output = subprocess.run([sys.executable, "-c", BUILD, str(package), str(folder / "tnl.db"), str(HERE)],
                            cwd=checkout, env=dict(os.environ, PYTHONPATH=str(checkout)), check=True,
                            stdout=subprocess.PIPE, text=True).stdout
    total, validation, peak = json.loads(output.splitlines()[-1])
    figures = {"total": total, "validation": validation, "peak": peak, "load": f"{before}, then {load()}"}
    done.write_text(json.dumps(figures), encoding="utf-8")
    return folder / "tnl.db", figures | {"cached": False}


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


def context(db: Path) -> dict:
    conn = sqlite3.connect(db)
    labelled = [r[0] for r in conn.execute("select distinct territory_id from results order by territory_id")]
    random.Random(1).shuffle(labelled)
    ctx = {"editions": [r[0] for r in conn.execute("select edition from editions order by edition")], "labelled": labelled}
    conn.close()
    return ctx


def measure(builds: dict[str, tuple[Path, Path]], requests: int, rounds: int) -> dict[str, dict]:
    """{label: {query: (p50, p99, statuses, CPU ms)}}; builds: {label: (database, checkout)}, served at once, each
    query's requests alternating between them round by round (the same URLs on each)."""
    ctx = context(next(iter(builds.values()))[0])
    servers = {label: start_server(db, checkout if checkout != THIS else None) for label, (db, checkout) in builds.items()}
    try:
        figures = {label: {} for label in builds}
        for name, url in QUERIES.items():
            spent, statuses, cpu = ({label: [] for label in builds}, {label: set() for label in builds},
                                    dict.fromkeys(builds, 0.0))
            for process, base in servers.values():
                asyncio.run(timings(base, [url(-1, ctx)]))  # first request: lazy work such as table counts
            per_round = -(-requests // rounds)
            for start in range(0, requests, per_round):
                paths = [url(k, ctx) for k in range(start, min(requests, start + per_round))]
                for label, (process, base) in servers.items():
                    before = cpu_seconds(process.pid)
                    times, codes = asyncio.run(timings(base, paths))
                    cpu[label] += cpu_seconds(process.pid) - before
                    spent[label] += times
                    statuses[label] |= codes
            for label in builds:
                figures[label][name] = (percentile(spent[label], 0.5), percentile(spent[label], 0.99), statuses[label],
                                        cpu[label] / requests * 1000)
        return figures
    finally:
        for process, _ in servers.values():
            process.terminate()
            process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10,100,1000")
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--values-per-result", type=int, default=None)
    parser.add_argument("--cache", type=Path, default=THIS / "tmp" / "growth", help="packages and builds, kept for reruns")
    parser.add_argument("--compare", type=Path, default=None, help="another copy of the code: its figures beside these")
    parser.add_argument("--rounds", type=int, default=2, help="alternations of each query's requests between the builds")
    args = parser.parse_args()
    checkouts = {"before": args.compare.resolve(), "after": THIS} if args.compare else {"": THIS}
    print(load(), flush=True)
    rows = []
    for scale in args.scales.split(","):
        package, counts, key = cached_package(args.cache, scale, args.values_per_result)
        builds = {}
        for label, checkout in checkouts.items():
            db, built = cached_build(args.cache, scale, package, key, checkout)
            size = db.stat().st_size / 1e6
            print(f"scale {scale}{' ' + label if label else ''}: {counts}; build {built['total']:.1f} s "
                  f"(validation {built['validation']:.1f} s, {built['validation'] / built['total']:.0%}), peak memory "
                  f"{built['peak']:.0f} MB{' (cached; ' + built['load'] + ')' if built['cached'] else ''}; "
                  f"database {size:.1f} MB", flush=True)
            builds[label] = (db, checkout, built, size)
        print(f"  measuring ({load()})", flush=True)
        figures = measure({label: (db, checkout) for label, (db, checkout, _, _) in builds.items()}, args.requests,
                          args.rounds)
        for label, (db, checkout, built, size) in builds.items():
            for name, (p50, p99, statuses, cpu_ms) in figures[label].items():
                print(f"  {label:6} {name:34} p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  server CPU {cpu_ms:6.1f} ms/req  "
                      f"status {sorted(statuses)}", flush=True)
            rows.append((scale, label, counts, built, size, figures[label]))
    print()
    names = list(QUERIES)
    print(f"{load()}: the wall-clock p50/p99 grow with it, the server's CPU time per request much less")
    print(f"{'scale':>6} {'':6} {'results':>8} {'values':>9} {'build s':>8} {'valid.':>6} {'RSS MB':>7} {'DB MB':>7} | "
          + " | ".join(f"{n[:20]:>20}" for n in names))
    print(f"{'':>6} {'':6} {'':>8} {'':>9} {'':>8} {'':>6} {'':>7} {'':>7} | "
          + " | ".join(f"{'p50/p99/CPU ms':>20}" for _ in names))
    for scale, label, counts, built, size, figures in rows:
        cells = " | ".join(f"{figures[n][0]:6.1f}/{figures[n][1]:7.1f}/{figures[n][3]:5.1f}" for n in names)
        print(f"{scale:>6} {label:6} {counts['results']:8} {counts['indicator_values']:9} {built['total']:8.1f} "
              f"{built['validation'] / built['total']:6.0%} {built['peak']:7.0f} {size:7.1f} | {cells}")


if __name__ == "__main__":
    main()
