"""CPU time of a cold page, in process, through the whole ASGI stack `tnl serve` runs (every wrapper included).

Usage: .venv/bin/python benchmarks/cold_page_profile.py [--db build/tnl.db] [--requests 200] [--profile 60]
                                                       [--compare OTHER_CHECKOUT [--compare-db ITS_DB]] [--rounds 3]

Builds the site as `tnl serve` does (tnl/site/http/serve.py: Datasette, its startup hooks, every asgi_wrapper) and
calls the resulting ASGI app directly, with no socket nor HTTP parser: what is measured is what the site itself pays
for a response the response cache has never seen. Page types:
- territory page: `/territoire/<id>`, ids in the order of benchmarks/random_walk.py's cold walk (never requested);
- territories table: `/tnl/territories?kind=commune&_n=<k>`, results table: `/tnl/results?_n=<k>`; `_n` is ignored
  by Datasette and only makes every URL distinct, so the response cache never answers.
Each request is sent with `Accept-Encoding: gzip` (the cache gzips what it keeps). For each page type it prints the
CPU time per cold request (time.process_time, every thread of the process: Datasette's SQL threads included), then
the top 10 functions by cumulative and by own CPU time under cProfile over other cold URLs (SQL on the main
thread there, so that the profile sees it). cProfile's cost per call inflates code made of many small calls (a deep
copy of the metadata showed several times its real cost): the profile says where to look, the CPU time per request,
measured without it, says what a change is worth. The machine's load average is printed beside the figures: CPU time
depends on it far less than wall-clock time does.

--compare DIR runs the same measurement on the checkout DIR (e.g. a `git worktree` of main) and on this one, in
alternate child processes (DIR, this, DIR, this…), and prints both per round: a before/after in one run.
--compare-db serves DIR its own build of the same data (a build's indexes and canned queries are part of the cost).
"""
from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import logging
import os
import pstats
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()
PAGE_TYPES = ("territory page", "territories table", "results table")


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} cores)"


def cold_urls(db: Path, count: int, skip: int = 0) -> dict[str, list[str]]:
    """`count` distinct URLs per page type, after the first `skip` of each (another pass gets other URLs)."""
    conn = sqlite3.connect(db)
    territories = conn.execute("select id, name from territories").fetchall()  # as benchmarks/random_walk.py
    conn.close()
    random.Random(2025).shuffle(territories)
    ids = [i for i, _ in territories][skip:skip + count]
    return {
        "territory page": [f"/territoire/{i}" for i in ids],
        "territories table": [f"/tnl/territories?kind=commune&_n={k}" for k in range(skip, skip + count)],
        "results table": [f"/tnl/results?_n={k}" for k in range(skip, skip + count)],
    }


def scope_for(url: str) -> dict:
    path, _, query = url.partition("?")
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
            "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
            "headers": [(b"host", b"localhost"), (b"accept-encoding", b"gzip, deflate, br"), (b"user-agent", b"bench")],
            "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 8000)}


async def request(app, url: str) -> tuple[int, int]:
    """One GET through the app: (status, body bytes)."""
    sent, answered = False, {"status": 0, "bytes": 0}

    async def receive():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # no disconnect: the client waits for the whole response

    async def send(event):
        if event["type"] == "http.response.start":
            answered["status"] = event["status"]
        elif event["type"] == "http.response.body":
            answered["bytes"] += len(event.get("body", b""))

    await app(scope_for(url), receive, send)
    return answered["status"], answered["bytes"]


async def site(db: Path, in_one_thread: bool = False):
    from tnl.site.http.serve import datasette_app

    logging.getLogger("tnl.access").addHandler(logging.StreamHandler(open(os.devnull, "w")))  # the line is still made
    datasette = datasette_app(db)
    if in_one_thread:
        datasette.executor = None  # SQL on the calling thread, where cProfile sees it (Datasette's num_sql_threads=0)
    await datasette.invoke_startup()
    app = datasette.app()
    for url in ("/", "/tnl/territories?kind=region", "/tnl/results?edition=2020", "/territoire/region-84"):
        await request(app, url)  # first requests: lazy loading (table counts, templates, references)
    return app


async def measure(db: Path, requests: int, profile: int, args_dump: str | None = None,
                  page_types: tuple = PAGE_TYPES) -> None:
    import tnl
    app = await site(db)
    print(f"code: {Path(tnl.__file__).resolve().parent.parent}; {load()}", flush=True)
    urls = cold_urls(db, requests)
    for page_type in page_types:
        statuses, size = set(), 0
        cpu, wall = time.process_time(), time.perf_counter()
        for url in urls[page_type]:
            status, size_ = await request(app, url)
            statuses.add(status)
            size += size_
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        print(f"  {page_type:18} {len(urls[page_type])} cold requests  CPU {cpu / len(urls[page_type]) * 1000:6.2f} ms/req  "
              f"(wall {wall / len(urls[page_type]) * 1000:6.2f} ms)  {size // len(urls[page_type])} bytes gzipped  "
              f"status {sorted(statuses)}", flush=True)
    if not profile:
        return
    app = await site(db, in_one_thread=True)  # another instance, its own caches: still cold
    urls = cold_urls(db, profile, skip=requests)
    for page_type in page_types:
        profiler = cProfile.Profile(time.process_time)  # CPU time: waiting for a SQL thread costs nothing
        profiler.enable()
        for url in urls[page_type]:
            await request(app, url)
        profiler.disable()
        print(f"\n  {page_type}: top 10 under cProfile, {profile} cold requests ({load()})")
        for sort in ("cumulative", "tottime"):
            print(f"  -- by {sort} time (ms per request):")
            print(top(profiler, sort, profile), end="")
        if args_dump:
            profiler.dump_stats(f"{args_dump}-{page_type.replace(' ', '_')}.prof")


# Pass-through frames (the event loop, coroutine plumbing, each wrapper's own call) hide the costs under them.
PLUMBING = ("asyncio/", "concurrent/futures", "threading.py", "{method 'run' of '_contextvars", "{built-in method _asyncio",
            "single_flight.py", "cold_page_profile.py", "selectors.py", "{method 'control' of", "{method 'poll' of",
            "{method 'acquire' of", "queue.py", "{method 'select' of")


def top(profiler: cProfile.Profile, sort: str, requests: int, count: int = 10) -> str:
    stats = pstats.Stats(profiler)
    total = max(cumulative for (_, _, _, cumulative, _) in stats.stats.values())
    rows = []
    for (filename, line, function), (_, calls, own, cumulative, _) in stats.stats.items():
        where = f"{_short(filename)}:{line}({function})" if line else function
        if any(p in where for p in PLUMBING) or (sort == "cumulative" and cumulative > 0.8 * total):
            continue  # the spine every request goes through (each wrapper, Datasette's router) hides what it calls
        rows.append((cumulative if sort == "cumulative" else own, calls, own, cumulative, where))
    rows.sort(reverse=True)
    out = io.StringIO()
    for _, calls, own, cumulative, where in rows[:count]:
        out.write(f"     {cumulative / requests * 1000:7.2f} cum  {own / requests * 1000:6.2f} own  "
                  f"{calls / requests:7.1f} calls  {where}\n")
    return out.getvalue()


def _short(filename: str) -> str:
    for marker in ("site-packages/", "/tnl/", "/plugins/", "lib/python3"):
        if marker in filename:
            return filename[filename.index(marker) + len(marker):] if marker != "/tnl/" else "tnl/" + filename.split("/tnl/", 1)[1]
    return filename


def compare(args) -> None:
    """Alternate child processes on the other checkout and on this one: before/after in one run."""
    this = HERE.parent.parent
    for round_ in range(args.rounds):
        for checkout in (args.compare.resolve(), this):
            print(f"round {round_ + 1}, {'before' if checkout != this else 'after'}:", flush=True)
            env = dict(os.environ, PYTHONPATH=str(checkout))
            db = args.compare_db if checkout != this and args.compare_db else args.db
            subprocess.run([sys.executable, str(HERE), "--db", str(db.resolve()), "--requests", str(args.requests),
                            "--profile", str(args.profile if round_ == args.rounds - 1 else 0), "--pages", args.pages],
                           env=env, cwd=checkout, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("build/tnl.db"))
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--profile", type=int, default=60, help="cold requests per page type under cProfile (0: none)")
    parser.add_argument("--compare", type=Path, default=None, help="another checkout, measured alternately with this one")
    parser.add_argument("--compare-db", type=Path, default=None,
                        help="the database the other checkout serves (its own build: indexes differ), default --db")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pages", default=",".join(PAGE_TYPES), help="page types, comma-separated")
    parser.add_argument("--dump", default=None, help="write each page type's cProfile stats to DUMP-<page type>.prof")
    args = parser.parse_args()
    if args.compare:
        compare(args)
    else:
        asyncio.run(measure(args.db, args.requests, args.profile, args.dump, tuple(args.pages.split(","))))


if __name__ == "__main__":
    main()
