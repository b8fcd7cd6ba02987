"""Heavy requests in flight, normal pages measured: issue 27's mix against a real `tnl serve`.

Usage: .venv/bin/python benchmarks/heavy_mix.py [--db build/tnl.db] [--port 8671] [--timeout 30] [--probe NAME]
       .venv/bin/python benchmarks/heavy_mix.py --url http://127.0.0.1:8080 --pid PID [--pid PID]   (a running site,
       e.g. `make cluster`: nginx in front of replicas; the memory is the sum of the given processes')

Starts `tnl serve` on a loopback port, then for each probe sends its heavy requests all at once (each client reads
its whole answer, or gives up after --timeout seconds) while a territory page and the front page are requested
one after the other. Prints per probe: answers by status, time-outs, seconds to the first and last answer, the
normal pages' p50/p99/max (ms), the server's resident memory before/max/after (MB), and the machine's load average
(`uptime`: the machine is shared, figures are noisy). Figures only, no pass/fail.

Probes:
- mix: 32 identical heavy requests (8 each of four URLs) and 16 different ones (.xlsx, complete CSV, `_size=max`
  pages, national peers JSON, large SQL results, /-/paquet/ downloads): the issue's target is p99 < 300 ms and less
  than 300 MB of growth;
- xlsx-same (32 × the territories' .xlsx), xlsx-different (16 filtered .xlsx), paquet (64 × the big CSV of the
  package), peers (64 × a national peers JSON), size-max (16 × `_size=max` HTML), csv-size1 (a complete CSV asked
  with `_size=1`, whole and filtered), non-readers (160 clients ask for a filtered CSV and never read it, while 4
  others download it), search (64 distinct searches of many one-letter words).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import httpx

NORMAL_PAGES = ("/territoire/213801517", "/")
BIG_COMMUNE = "217500016"  # Paris: the most peers nationally
XLSX = "/tnl/territories.xlsx"
CSV = "/tnl/territories.csv"
PEERS = f"/territoire/{BIG_COMMUNE}.json?perimetre=national&min=0.01&max=100"
SIZE_MAX = "/tnl/territories?_size=max"
PAQUET = "/-/paquet/territories.csv"
FILTERED_CSV = "/tnl/territories.csv?kind=commune"  # computed and streamed (not a prebuilt file)
NON_READERS = 160  # the non-readers probe: clients that ask for FILTERED_CSV and never read


def sql(query: str, extension: str = ".json") -> str:
    return f"/tnl{extension}?sql={quote(query)}"


def different() -> list[str]:
    """Sixteen distinct heavy URLs, a few of each kind."""
    return [
        "/tnl/territories.xlsx?kind=commune", "/tnl/territories.xlsx?kind=epci", "/tnl/results.xlsx",
        "/tnl/territories.csv?kind=commune", "/tnl/territories.csvfr", "/tnl/territory_history.csv",
        "/tnl/territories?_size=max&kind=commune", "/tnl/territories.json?_size=max",
        "/tnl/territory_history?_size=max",
        f"/territoire/{BIG_COMMUNE}.json?perimetre=national&min=0.02&max=50",
        "/territoire/213801517.json?perimetre=national&min=0.01&max=100",
        sql("select * from territories limit 2000"), sql("select * from territories order by name limit 2000", ""),
        sql("select t.*, r.* from territories t left join results r on r.territory_id = t.id limit 2000"),
        "/-/paquet/results.csv", "/-/telechargements/SHA256SUMS",
    ]


PROBES = {
    "mix": lambda: [XLSX] * 8 + [CSV] * 8 + [PEERS] * 8 + [PAQUET] * 8 + different(),
    "xlsx-same": lambda: [XLSX] * 32,
    "xlsx-different": lambda: different()[:3] + [f"/tnl/territories.xlsx?population__gt={n}" for n in range(13)],
    "paquet": lambda: [PAQUET] * 64,
    "peers": lambda: [PEERS] * 64,
    "size-max": lambda: [SIZE_MAX] * 16,
    "csv-size1": lambda: [CSV + "?_size=1", CSV + "?_size=1&kind=commune"],
    "non-readers": lambda: [FILTERED_CSV] * 4,
    "search": lambda: ["/-/recherche.json?q=" + quote(" ".join("abcdefghijklmnopqrstuvwxyz"[(i + j) % 26]
                                                                for j in range(40))) for i in range(64)],
}


def rss_mb(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            match = re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text())
        except OSError:
            continue
        total += int(match.group(1)) / 1024 if match else 0.0
    return total


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


async def heavy(client: httpx.AsyncClient, url: str, timeout: float, started: float) -> tuple[str, float]:
    try:
        async with client.stream("GET", url, timeout=httpx.Timeout(timeout)) as response:
            async for _ in response.aiter_raw(256 * 1024):
                if time.monotonic() - started > timeout:
                    return "time-out", time.monotonic() - started
            return str(response.status_code), time.monotonic() - started
    except httpx.TimeoutException:
        return "time-out", time.monotonic() - started
    except httpx.HTTPError as error:
        return type(error).__name__, time.monotonic() - started


async def sample(client: httpx.AsyncClient, stop: asyncio.Event, latencies: list, failures: list) -> None:
    turn = 0
    while not stop.is_set():
        page, started = NORMAL_PAGES[turn % len(NORMAL_PAGES)], time.monotonic()
        turn += 1
        try:
            response = await client.get(page, timeout=30)
            (latencies if response.status_code == 200 else failures).append((time.monotonic() - started) * 1000)
        except httpx.HTTPError:
            failures.append((time.monotonic() - started) * 1000)
        await asyncio.sleep(0.05)


async def memory(pid: list[int], stop: asyncio.Event, peak: list) -> None:
    while not stop.is_set():
        peak[0] = max(peak[0], rss_mb(pid))
        await asyncio.sleep(0.05)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def never_reading(base: str, url: str, count: int) -> list:
    """count connections that send their request and then read nothing."""
    host, port = base.removeprefix("http://").split(":")
    connections = []
    for _ in range(count):
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(f"GET {url} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        connections.append(writer)
    return connections


async def run_probe(base: str, pid: list[int], urls: list[str], timeout: float, non_readers: int = 0) -> str:
    stalled = await never_reading(base, urls[0], non_readers) if non_readers else []
    limits = httpx.Limits(max_connections=len(urls) + 4, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base, limits=limits) as heavy_client, \
            httpx.AsyncClient(base_url=base) as normal_client:
        for page in NORMAL_PAGES:  # warm: the normal pages are measured as cached pages, as visitors mostly get them
            try:
                await normal_client.get(page, timeout=30)
            except httpx.HTTPError:  # still busy with the previous probe's abandoned work: measured as it is
                pass
        before, peak = rss_mb(pid), [0.0]
        stop, latencies, failures = asyncio.Event(), [], []
        watchers = [asyncio.create_task(sample(normal_client, stop, latencies, failures)),
                    asyncio.create_task(memory(pid, stop, peak))]
        started = time.monotonic()
        results = await asyncio.gather(*(heavy(heavy_client, url, timeout, started) for url in urls))
        stop.set()
        await asyncio.gather(*watchers)
    for writer in stalled:
        writer.close()
    await asyncio.sleep(2)
    after = rss_mb(pid)
    statuses: dict[str, int] = {}
    for status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    answered = [seconds for status, seconds in results if status != "time-out"]
    pages = (f"p50 {statistics.median(latencies):.0f} / p99 {percentile(latencies, 99):.0f} / max {max(latencies):.0f} ms"
             f" ({len(latencies)} pages, {len(failures)} failed)" if latencies else f"no page answered ({len(failures)} failed)")
    return (f"{len(urls)} requests{f' (and {non_readers} that never read)' if non_readers else ''}: {', '.join(f'{k}×{v}' for k, v in sorted(statuses.items()))}; "
            f"answers {min(answered, default=0):.1f}–{max(answered, default=0):.1f} s; normal pages {pages}; "
            f"RSS {before:.0f} / {max(peak[0], before):.0f} / {after:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=Path("build/tnl.db"))
    parser.add_argument("--port", type=int, default=8671)
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--probe", action="append", choices=sorted(PROBES), help="default: every probe")
    parser.add_argument("--url", help="a site already running (its processes given with --pid)")
    parser.add_argument("--pid", type=int, action="append", default=[])
    args = parser.parse_args()
    if args.url:
        for name in args.probe or PROBES:
            print(f"{name} [{load()}]: {asyncio.run(run_probe(args.url, args.pid, PROBES[name](), args.timeout, NON_READERS if name == 'non-readers' else 0))}"
                  f" [{load()}]", flush=True)
        return
    server = subprocess.Popen([sys.executable, "-m", "tnl.cli", "serve", "--db", str(args.db), "--port", str(args.port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(600):
            try:
                httpx.get(base + "/-/sante.json", timeout=5).raise_for_status()
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        for name in args.probe or PROBES:
            print(f"{name} [{load()}]: {asyncio.run(run_probe(base, [server.pid], PROBES[name](), args.timeout, NON_READERS if name == 'non-readers' else 0))}"
                  f" [{load()}]", flush=True)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            print("graceful shutdown took more than 15 s: killed")


if __name__ == "__main__":
    main()
