"""A freshly started server hit by 64 connections on URLs nobody asked before, second by second.

Usage: .venv/bin/python benchmarks/cold_burst.py [--db build/tnl.db] [--code /path/to/checkout] [--before /path/to/other]
                                                 [--seconds 5]

Starts `tnl serve` from the code of this checkout (or of --code), and with --before a second one from another
checkout (e.g. a worktree of the previous release) beside it, then for each burst URL runs wrk (64 connections,
2 s timeout) on the never-requested URL, on each server in turn (before/after in one run). Prints requests, rate,
p50/p99, timeouts and errors, the machine's load average, the responses completed in each second, and the second
from which the rate reaches half of its best second (recovered). Figures are noisy on a shared machine.
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
    parser.add_argument("--before", type=Path, help="another checkout served beside it, measured in turn")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    codes = {"after": args.code.resolve()} | ({"before": args.before.resolve()} if args.before else {})
    servers = {name: start(code, args.db.resolve()) for name, code in codes.items()}
    try:
        print(f"{args.connections} connections, timeout 2 s, {args.seconds} s per URL; "
              + ", ".join(f"{name}: code {code}" for name, code in codes.items()))
        for url in BURST_URLS:
            for name, (process, base) in servers.items():
                r = wrk(base, [url], args.connections, args.seconds, timeout=2)
                best = max(r["per_second"], default=0)
                recovered = next((s + 1 for s, n in enumerate(r["per_second"]) if n >= best / 2), None)
                print(line(f"{name:6} {url[:37]}", r), flush=True)
                print(f"  responses per second: {r['per_second']}; rate at half its best from second {recovered}")
    finally:
        for process, _ in servers.values():
            process.terminate()
        for process, _ in servers.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a server still buried under the burst's backlog
                process.kill()
                process.wait()


if __name__ == "__main__":
    main()
