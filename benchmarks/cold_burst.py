"""A freshly started server hit by 64 connections on URLs nobody asked before, second by second.

Usage: .venv/bin/python benchmarks/cold_burst.py [--db build/tnl.db] [--code /path/to/other/checkout] [--seconds 5]

Starts `tnl serve` from the code of this checkout (or of --code, e.g. a checkout of the previous release, for
before/after), then for each burst URL runs wrk (64 connections, 2 s timeout) on the never-requested URL. Prints
requests, rate, p50/p99, timeouts and errors, the responses completed in each second, and the second from which
the rate reaches half of its best second (recovered). Figures are noisy on a shared machine.
Needs wrk (Debian package `wrk`).
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from wrk_run import line, wrk  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BURST_URLS = [
    "/tnl/territories.json?_size=50&_facet=departement_code&_facet=kind",
    "/tnl/territories?_size=100&_facet=region_code&_sort=population",
    "/tnl/results?_facet=edition&_facet=distinction&_sort_desc=edition",
]


def start(code: Path, database: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "tnl.cli", "serve", "--db", str(database), "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=code,
                               env=os.environ | {"PYTHONPATH": str(code)})
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=1).read()  # not one of the burst URLs
            return process, base
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / "build" / "tnl.db")
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout whose tnl/ and plugins/ serve the site")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    process, base = start(args.code.resolve(), args.db.resolve())
    try:
        print(f"code {args.code.resolve()}, {args.connections} connections, timeout 2 s, {args.seconds} s per URL")
        for url in BURST_URLS:
            r = wrk(base, [url], args.connections, args.seconds, timeout=2)
            best = max(r["per_second"], default=0)
            recovered = next((s + 1 for s, n in enumerate(r["per_second"]) if n >= best / 2), None)
            print(line(url[:44], r), flush=True)
            print(f"  responses per second: {r['per_second']}; rate at half its best from second {recovered}")
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a server still buried under the burst's backlog
            process.kill()
            process.wait()


if __name__ == "__main__":
    main()
