"""Cold territory pages and search queries under load: a random walk where every URL is requested once, with wrk.

Usage: .venv/bin/python benchmarks/random_walk.py [--db build/tnl.db] [--connections 16] [--searches 30000] [--seconds 20]

Starts `tnl serve`, then runs wrk with a Lua script that walks a shuffled list of paths (each wrk thread takes a
disjoint stride), so no URL is ever requested twice: the response cache never answers. Phases:
  1. territory pages from a shuffled list of all of them (about 36,000), each at most once, 2. distinct search queries,
  3. one key page repeated (cache hits), against a trivial response (the floor).
Prints requests per second, p50/p99 latency, the server's CPU time per request and its RSS before and after each
phase; no pass/fail.
Needs wrk (Debian package `wrk`).
"""
from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

from serve_load import cpu_seconds, rss_mb, to_ms  # noqa: E402
from territory_latency import start_server  # noqa: E402
from wrk_run import machine_load  # noqa: E402

from tnl.text import normalise  # noqa: E402

LUA = r"""
-- Each thread walks its own stride of the shared list of paths; a thread that reaches the end stops its requests.
local paths = {}
for line in io.lines(os.getenv("WALK_FILE")) do paths[#paths + 1] = line end
local threads = 0
function setup(thread)
  thread:set("offset", threads)
  threads = threads + 1
end
function init(args)
  stride = tonumber(os.getenv("WALK_THREADS"))
  position = offset + 1
end
function request()
  local path = paths[position]
  if path == nil then
    wrk.thread:stop()
    path = paths[1]
  end
  position = position + stride
  return wrk.format("GET", path)
end
"""


def run_wrk(base: str, paths: list[str] | None, url_path: str, connections: int, seconds: int, workdir: Path) -> dict:
    import os
    import re
    import subprocess

    threads = min(connections, 2)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    env = dict(os.environ)
    if paths is not None:
        walk = workdir / "paths.txt"
        walk.write_text("\n".join(paths) + "\n", encoding="utf-8")
        script = workdir / "walk.lua"
        script.write_text(LUA, encoding="utf-8")
        env |= {"WALK_FILE": str(walk), "WALK_THREADS": str(threads)}
        command += ["-s", str(script)]
    output = subprocess.run(command + [base + url_path], capture_output=True, text=True, env=env, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": to_ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1)),
        "p99": to_ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1)),
        "errors": int(errors.group(1)) if errors else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("build/tnl.db"))
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--searches", type=int, default=30000)
    parser.add_argument("--seconds", type=int, default=20, help="length of each walk phase")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    conn = sqlite3.connect(args.db)
    rng = random.Random(2025)
    territories = conn.execute("select id, name from territories").fetchall()
    conn.close()
    rng.shuffle(territories)
    pages = [f"/territoire/{i}" for i, _ in territories]
    names = [name for _, name in territories]
    searches = [f"/-/recherche.json?q={quote(normalise(rng.choice(names))[:rng.randint(3, 12)])}&n={k}"
                for k in range(args.searches)]
    process, base = start_server(args.db)
    try:
        pid = process.pid
        print(f"Server {base} (pid {pid}), {len(pages)} territory pages, {len(searches)} search queries, "
              f"{args.connections} connections; RSS at start {rss_mb(pid):.0f} MB")
        with tempfile.TemporaryDirectory() as tmp:
            phases = [("territory pages, cold random walk", pages, pages[0]),
                      ("search queries, cold (distinct)", searches, searches[0])]
            for name, paths, first in phases:
                before, cpu = rss_mb(pid), cpu_seconds(pid)
                r = run_wrk(base, paths, first, args.connections, args.seconds, Path(tmp))
                errors = f"  ({r['errors']} errors)" if r["errors"] else ""
                if r["requests"] >= len(paths):  # wrk keeps its clock running once the list is walked: the rate is too low
                    errors += f"  (list of {len(paths)} walked before the end: rate under-estimated, lower --seconds)"
                cpu_ms = (cpu_seconds(pid) - cpu) / r["requests"] * 1000
                print(f"{name:36} {r['requests']:6} req  {r['rps']:7.0f} req/s  p50 {r['p50']:7.1f} ms  p99 {r['p99']:7.1f} ms  "
                      f"server CPU {cpu_ms:.2f} ms/req  RSS {before:.0f} -> {rss_mb(pid):.0f} MB  load {machine_load()}{errors}",
                      flush=True)
            floor = run_wrk(base, None, "/-/versions.json", args.connections, 5, Path(tmp)) | {"load": machine_load()}
            key = run_wrk(base, None, "/territoire/213801517", args.connections, 5, Path(tmp)) | {"load": machine_load()}
            for name, r in (("trivial JSON (floor)", floor), ("key page repeated (cache hits)", key)):
                print(f"{name:36} {r['requests']:6} req  {r['rps']:7.0f} req/s  p50 {r['p50']:7.1f} ms  p99 {r['p99']:7.1f} ms  "
                      f"load {r['load']}")
            print(f"key page repeated / floor: {key['rps'] / floor['rps']:.0%}; RSS at end {rss_mb(pid):.0f} MB")
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
