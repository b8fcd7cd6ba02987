"""Throughput, latency and memory of the site against a stock Datasette, in one run, on loopback.

Starts `tnl serve` (our settings, plugins and in-memory response cache) and a stock `datasette`
(default settings, no plugins, same metadata) on the same database, side by side, then runs wrk against each page
at several concurrencies, on ours then on stock (interleaved: both see the same machine state).
Prints requests per second, p50/p99 latency, server RSS, the ratios and the machine's load average; no pass/fail.

Usage: .venv/bin/python benchmarks/serve_load.py [--db build/tnl.db] [--seconds 5] [--connections 1,16,64]
Needs wrk (Debian package `wrk`; `make bench` installs it).
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from wrk_run import machine_load  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
# What the map page asks for: datasette-cluster-map 0.18.2's query string, plus the `_nofacet=1` that
# static/map-distinctions.js adds to it.
MAP_QUERY = "_size=max&_labels=on&_extra=count&_extra=next_url&_shape=objects&_nofacet=1"
PAGES = {
    "trivial JSON (floor)": "/-/versions.json",
    "front page": "/",
    "results table HTML": "/tnl/results",
    "results table JSON": "/tnl/results.json",
    "faceted JSON": "/tnl/territories.json?_facet=kind&_facet=region_code&kind=commune",
    "full-text search": "/tnl/territories.json?_search=saint",
    "canned query": "/tnl/palmares.json?edition=2021",
    "map data": f"/tnl/labelled_territories.json?{MAP_QUERY}",
}
OURS_ONLY = {
    "territory page": "/territoire/213801517",
    "search suggestions": "/-/recherche.json?q=saint",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(command: list[str], port: int):
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(url + "/-/versions.json", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far: divided by requests, what one response costs the server."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def wrk(url: str, connections: int, seconds: int) -> dict:
    output = subprocess.run(
        ["wrk", f"-t{min(connections, 2)}", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True, text=True, check=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if "Requests/sec" not in output or not re.search(r"^\s+50%", output, re.M):  # no request completed
        return {"rps": 0.0, "p50": float("nan"), "p99": float("nan"), "errors": 0}
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": to_ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1)),
        "p99": to_ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1)),
        "errors": int(errors.group(1)) if errors else 0,
    }


def measure(url: str, pid: int, path: str, connections: int, seconds: int) -> dict:
    return wrk(url + path, connections, seconds) | {"rss": rss_mb(pid), "load": machine_load()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / "build" / "tnl.db")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", default="1,16,64")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk (or make bench)")
    connections = [int(c) for c in args.connections.split(",")]
    bin_dir = Path(sys.executable).parent
    ours_port, stock_port = free_port(), free_port()
    # Stock: same database and metadata (so canned queries exist), default settings, no plugins or templates.
    stock_command = [str(bin_dir / "datasette"), "serve", str(args.db), "--metadata",
                     str(args.db.with_name("metadata.json")), "--port", str(stock_port)]
    ours, stock = {}, {}
    with ExitStack() as stack:
        ours_url, ours_pid = stack.enter_context(
            server([str(bin_dir / "tnl"), "serve", "--db", str(args.db), "--port", str(ours_port)], ours_port))
        stock_url, stock_pid = stack.enter_context(server(stock_command, stock_port))
        for name, path in (PAGES | OURS_ONLY).items():
            urllib.request.urlopen(ours_url + path, timeout=60).read()  # first request: compute, and warm the cache
            if name in PAGES:
                urllib.request.urlopen(stock_url + path, timeout=60).read()
            for c in connections:
                ours[(name, c)] = measure(ours_url, ours_pid, path, c, args.seconds)
                if name in PAGES:
                    stock[(name, c)] = measure(stock_url, stock_pid, path, c, args.seconds)
    print(f"{'page':24} {'conn':>4} | {'ours req/s':>10} {'p50 ms':>7} {'p99 ms':>7} {'RSS MB':>6} | "
          f"{'stock req/s':>11} {'p50 ms':>7} {'p99 ms':>7} | {'vs stock':>8} {'vs floor':>8} | load (ours / stock)")
    for name in PAGES | OURS_ONLY:
        for c in connections:
            o = ours[(name, c)]
            floor = ours[("trivial JSON (floor)", c)]["rps"]
            s = stock.get((name, c))
            stock_cols = f"{s['rps']:11.0f} {s['p50']:7.1f} {s['p99']:7.1f}" if s else f"{'-':>11} {'-':>7} {'-':>7}"
            ratio = f"{o['rps'] / s['rps']:7.1f}x" if s and s["rps"] else f"{'-':>8}"
            errors = f"  ({o['errors']} errors)" if o["errors"] else ""
            print(f"{name:24} {c:4} | {o['rps']:10.0f} {o['p50']:7.1f} {o['p99']:7.1f} {o['rss']:6.0f} | "
                  f"{stock_cols} | {ratio} {o['rps'] / floor:7.0%} | {o['load']} / {s['load'] if s else '-'}{errors}")


if __name__ == "__main__":
    main()
