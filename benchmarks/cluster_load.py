"""The deployment rehearsal under load: nginx in front of 1, 2 and 4 `tnl serve` replicas, with and without the
edge cache; bytes per page with and without gzip; p99 and errors during a rolling release.

Usage: .venv/bin/python benchmarks/cluster_load.py [--db build/tnl.db] [--replicas 1,2,4] [--connections 64,256]
                                                   [--seconds 3] [--phases bytes,walk,roll]

walk: for each number of replicas and edge cache off/on, a fresh cluster; wrk walks distinct territory pages never
asked before (cold), then a few hot pages repeated. roll: wrk (64 connections) runs while `roll` deploys a new
database replica by replica. Prints figures, no pass/fail; on a shared 2-core machine they are noisy, and the
replicas, nginx and wrk share the same two cores (more replicas cannot add CPU here).
Needs wrk and nginx (Debian packages; `make bench` and `make nginx` install them).
"""
from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from serve_load import cpu_seconds  # noqa: E402
from wrk_run import line, wrk  # noqa: E402

from tnl.deploy.cluster import Cluster, free_port  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
HOT = ["/", "/territoire/213801517", "/tnl/palmares?edition=2025", "/tnl/results", "/tnl/results.json"]
BYTES = ["/", "/territoire/213801517", "/tnl/palmares?edition=2021", "/tnl/results", "/tnl/results.json",
         "/tnl/territories.json?_size=50", "/-/static/app.css", "/sitemaps/territoires-1.xml"]


def territory_paths(database: Path) -> list[str]:
    with sqlite3.connect(database) as connection:
        ids = [row[0] for row in connection.execute("select id from territories")]
    random.Random(2026).shuffle(ids)
    return [f"/territoire/{i}" for i in ids]


def measure_bytes(cluster: Cluster) -> None:
    print("bytes per page (identity -> gzip)")
    for path in BYTES:
        sizes = []
        for encoding in ("identity", "gzip"):
            request = urllib.request.Request(cluster.url + path, headers={"Accept-Encoding": encoding})
            with urllib.request.urlopen(request, timeout=60) as response:
                sizes.append(len(response.read()))
        print(f"  {path:40} {sizes[0]:9} -> {sizes[1]:8} B ({sizes[1] / sizes[0]:.0%})")


def replicas_cpu(cluster: Cluster) -> float:
    """CPU seconds used so far by all replicas: per request, what a page costs whatever else runs on the machine."""
    return sum(cpu_seconds(replica["pid"]) for replica in cluster.load()["replicas"])


def settle(cluster: Cluster) -> None:
    """Wait until the replicas have finished what a previous run left queued (wrk stops; the work it asked for does not)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        start = time.monotonic()
        urllib.request.urlopen(cluster.url + "/-/sante.json", timeout=30).read()
        if time.monotonic() - start < 0.02:
            return
        time.sleep(0.2)


def run(cluster: Cluster, label: str, paths: list[str], connections: int, seconds: float) -> None:
    settle(cluster)
    cpu = replicas_cpu(cluster)
    r = wrk(cluster.url, paths, connections, seconds, timeout=5)
    cpu_ms = (replicas_cpu(cluster) - cpu) / max(r["requests"], 1) * 1000
    print(f"{line(label, r)}  replica CPU {cpu_ms:5.2f} ms/req", flush=True)


def walks(database: Path, replicas: list[int], connections: list[int], seconds: float, tmp: Path) -> None:
    pages = territory_paths(database)
    chunk = len(pages) // len(connections)
    for count in replicas:
        for edge in (False, True):
            cluster = Cluster(tmp / f"walk-{count}-{edge}")
            cluster.start(database, replicas=count, port=free_port(), edge_cache=edge)
            try:
                label = f"{count} replica(s), edge cache {'on' if edge else 'off'}"
                for k, c in enumerate(connections):
                    cold = pages[k * chunk:(k + 1) * chunk]  # never asked before on this cluster
                    run(cluster, f"{label}: cold walk c={c}", cold, c, seconds)
                for path in HOT:
                    urllib.request.urlopen(cluster.url + path, timeout=60).read()  # computed once before the hot runs
                for c in connections:
                    run(cluster, f"{label}: hot pages c={c}", HOT, c, seconds)
            finally:
                cluster.stop()


def roll_under_load(database: Path, seconds: float, tmp: Path) -> None:
    new = tmp / "release-2"
    shutil.copytree(database.parent, new, ignore=shutil.ignore_patterns("cluster", "wheels", "releases"))
    with sqlite3.connect(new / "tnl.db") as connection:
        connection.execute("update territories set name = name || ' (v2)' where id = '213801517'")
    cluster = Cluster(tmp / "roll")
    cluster.start(database, replicas=2, port=free_port())
    try:
        pages = territory_paths(database)
        mixed = [p for pair in zip(pages, HOT * (len(pages) // len(HOT))) for p in pair]
        took = {}

        def roll():
            time.sleep(1)
            start = time.monotonic()
            cluster.roll(new / "tnl.db")
            took["seconds"] = time.monotonic() - start

        roller = threading.Thread(target=roll)
        roller.start()
        r = wrk(cluster.url, mixed, 64, seconds, timeout=5)
        roller.join()
        print(line(f"during a roll of 2 replicas ({took['seconds']:.0f} s of {seconds:.0f})", r))
    finally:
        cluster.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / "build" / "tnl.db")
    parser.add_argument("--replicas", default="1,2,4")
    parser.add_argument("--connections", default="64,256")
    parser.add_argument("--seconds", type=float, default=3)
    parser.add_argument("--roll-seconds", type=float, default=60)
    parser.add_argument("--phases", default="bytes,walk,roll")
    args = parser.parse_args()
    phases = args.phases.split(",")
    database = args.db.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        if "bytes" in phases:
            cluster = Cluster(Path(tmp) / "bytes")
            cluster.start(database, replicas=1, port=free_port(), edge_cache=False)
            try:
                measure_bytes(cluster)
            finally:
                cluster.stop()
        if "walk" in phases:
            walks(database, [int(n) for n in args.replicas.split(",")], [int(c) for c in args.connections.split(",")],
                  args.seconds, Path(tmp))
        if "roll" in phases:
            roll_under_load(database, args.roll_seconds, Path(tmp))


if __name__ == "__main__":
    main()
