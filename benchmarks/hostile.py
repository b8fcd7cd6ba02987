"""Replay the hostile probes of issue 18 against a real `tnl serve` and print what each one costs the server.

Usage: .venv/bin/python benchmarks/hostile.py [--db build/tnl.db] [--only NAME,NAME] [--sockets 1500]

Starts `tnl serve` on a loopback port with at most 1,024 open files (a small production limit, so that the slow-client
probe shows exhaustion with a bounded number of sockets), then runs each probe and prints: status, seconds, bytes
read (reading stops at 64 MB), the server's peak resident memory during the probe and after it, and the latency of
an already cached page requested every 0.1 s while the probe runs (median / max, "—" when it never answered).
The server is killed and restarted if it goes over 3 GB. Sizes stay below what would threaten a shared machine
(1e8 instead of 1e9 bytes, 3,000 parameters instead of 5,000). Figures only, no pass/fail; noisy on a busy machine.
"""
from __future__ import annotations

import argparse
import re
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

READ_CAP = 64 * 1024 * 1024
KILL_RSS_MB = 3 * 1024
CACHED_PAGE = "/tnl/editions.json"
FD_LIMIT = 1024


def sql(query: str, extension: str = ".json") -> str:
    return f"/tnl{extension}?sql={quote(query)}"


def many_params(path: str, count: int) -> str:
    return path + "?" + "&".join(f"p{i}=1" for i in range(count))


# name -> (method, path, extra headers); each sent once on a fresh connection.
REQUESTS = {
    "zeroblob 1e8 (JSON)": ("GET", sql("select zeroblob(100000000)")),
    "randomblob 1e8 (JSON)": ("GET", sql("select randomblob(100000000)")),
    "printf width 1e8 (JSON)": ("GET", sql("select printf('%.*c', 100000000, 'x')")),
    "printf width 5e7 (HTML)": ("GET", sql("select printf('%.*c', 50000000, 'x')", "")),
    "2000 rows x 50 KB (JSON)": ("GET", sql("with recursive n(i) as (select 1 union all select i + 1 from n limit 2000) "
                                             "select zeroblob(50000) from n")),
    "3000 params territories.json": ("GET", many_params("/tnl/territories.json", 3000)),
    "3000 params palmares.json": ("GET", many_params("/tnl/palmares.json", 3000)),
    "_timelimit=x": ("GET", "/tnl/territories.json?_timelimit=x"),
    "_through=x": ("GET", "/tnl/territories.json?_through=x"),
    "_facet={}": ("GET", "/tnl/territories.json?_facet=%7B%7D"),
    "_facet=%00": ("GET", "/tnl/territories.json?_facet=%00"),
    "_where=%00": ("GET", "/tnl/territories.json?_where=%00"),
    "population__gt=1e20": ("GET", "/tnl/territories.json?population__gt=99999999999999999999"),
    "territory_history _next=x": ("GET", "/tnl/territory_history.json?_next=x"),
    "_nocol=name (HTML)": ("GET", "/tnl/territories?_nocol=name"),
    ".csvfr cell of 140 000": ("GET", sql("select printf('%.*c', 140000, 'x') as a", ".csvfr")),
    "OPTIONS /territoire/213801517": ("OPTIONS", "/territoire/213801517"),
    "OPTIONS /": ("OPTIONS", "/"),
    "zeroblob 1e9 (JSON)": ("GET", sql("select zeroblob(1000000000)")),
}
FORMULAS = "select '=1+1' as a, ' =1+1' as b, char(10) || '@SUM(A1)' as c, '-2+3' as d, char(9) || '+1' as e"


class Server:
    def __init__(self, db: Path):
        self.db = db
        self.start()

    def start(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        limit = lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (FD_LIMIT, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tnl.cli", "serve", "--db", str(self.db), "--port", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=limit)
        self.stderr_bytes = 0
        threading.Thread(target=self._drain, daemon=True).start()
        for _ in range(600):  # startup builds in-memory indexes: slow on a busy machine
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}{CACHED_PAGE}", timeout=5).read()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("server did not start")

    def _drain(self) -> None:
        for line in self.process.stderr:
            if line.startswith(b"Traceback") and not getattr(self, "tracebacks", 0):
                self.first_traceback = line
            if getattr(self, "first_traceback", b"") and len(self.first_traceback) < 3000 and not line.startswith(b"Traceback"):
                self.first_traceback += line
            self.stderr_bytes += len(line)
            self.tracebacks = getattr(self, "tracebacks", 0) + line.startswith(b"Traceback")

    def rss_mb(self) -> float:
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return 0.0
        match = re.search(r"VmRSS:\s+(\d+)", status)
        return int(match.group(1)) / 1024 if match else 0.0

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()


def request(port: int, method: str, path: str, timeout: float = 60) -> tuple[str, int, bytes]:
    """Status, bytes read (at most READ_CAP) and the first 300 bytes of the body, on a fresh connection."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(f"{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nOrigin: http://example.org\r\n"
                      f"Access-Control-Request-Method: GET\r\nConnection: close\r\n\r\n".encode())
            data, size = b"", 0
            while size < READ_CAP:
                chunk = s.recv(1 << 20)
                if not chunk:
                    break
                size += len(chunk)
                if len(data) < 65536:
                    data += chunk[:65536]
    except OSError as error:
        return type(error).__name__, 0, b""
    status = data.split(b" ", 2)[1].decode() if data.startswith(b"HTTP/") else "no answer"
    head, _, body = data.partition(b"\r\n\r\n")
    return status, size, body


class Watch:
    """Samples the server's memory every 50 ms and a cached page's latency every 100 ms while a probe runs."""

    def __init__(self, server: Server):
        self.server, self.peak, self.latencies, self.failures, self.killed = server, 0.0, [], 0, False
        self.done = threading.Event()
        self.threads = [threading.Thread(target=self._memory), threading.Thread(target=self._latency)]
        for thread in self.threads:
            thread.start()

    def _memory(self) -> None:
        while not self.done.wait(0.05):
            rss = self.server.rss_mb()
            self.peak = max(self.peak, rss)
            if rss > KILL_RSS_MB:
                self.killed = True
                self.server.process.kill()

    def _latency(self) -> None:
        while not self.done.wait(0.1):
            start = time.perf_counter()
            status, _, _ = request(self.server.port, "GET", CACHED_PAGE, timeout=5)
            if status == "200":
                self.latencies.append((time.perf_counter() - start) * 1000)
            else:
                self.failures += 1

    def stop(self) -> str:
        self.done.set()
        for thread in self.threads:
            thread.join()
        if not self.latencies:
            return f"aucune réponse ({self.failures} essais)" if self.failures else "sonde trop brève"
        text = f"{statistics.median(self.latencies):.0f} / {max(self.latencies):.0f} ms"
        return text + (f" ({self.failures} sans réponse)" if self.failures else "")


def slow_clients(port: int, sockets: int, seconds: float) -> str:
    """Slowloris: `sockets` connections each sending one header byte per second; returns what a new visitor got."""
    opened = []
    for _ in range(sockets):
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=2)
            s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            opened.append(s)
        except OSError:
            break
    served, refused, end = 0, 0, time.monotonic() + seconds
    while time.monotonic() < end:
        for s in list(opened):
            try:
                s.send(b"X")
            except OSError:
                opened.remove(s)
        status, _, _ = request(port, "GET", CACHED_PAGE, timeout=1)
        served, refused = (served + 1, refused) if status == "200" else (served, refused + 1)
        time.sleep(0.9)
    still_open = len(opened)
    for s in opened:
        s.close()
    return f"visiteur servi {served}/{served + refused} fois ; connexions lentes encore ouvertes à la fin : {still_open}"


def not_found_keys(port: int, count: int) -> str:
    statuses = {}
    for i in range(count):
        status, _, _ = request(port, "GET", f"/nexiste-pas-{i}?q=" + "x" * 30000)
        statuses[status] = statuses.get(status, 0) + 1
    return " ".join(f"{k}×{v}" for k, v in sorted(statuses.items()))


def concurrent_exports(port: int, count: int) -> str:
    results = []
    threads = [threading.Thread(target=lambda: results.append(request(port, "GET", "/tnl/territories.csvfr")))
               for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return " ".join(sorted({f"{s} ({n / 1e6:.1f} Mo)" for s, n, _ in results}))


def formulas(port: int) -> str:
    out = []
    for extension in (".csv", ".csvfr"):
        status, _, body = request(port, "GET", sql(FORMULAS, extension) + "&_size=max")
        out.append(f"{extension} {status} {body.decode('utf-8', 'replace').strip()!r}")
    return " | ".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("build/tnl.db"))
    parser.add_argument("--only", default="", help="comma-separated probe names (default: all)")
    parser.add_argument("--sockets", type=int, default=1500, help="slow-client sockets (at most 2,000)")
    args = parser.parse_args()
    server = Server(args.db)
    special = {
        "slow clients": lambda: slow_clients(server.port, min(args.sockets, 2000), 12),
        "2000 404s with 30 KB query strings": lambda: not_found_keys(server.port, 2000),
        "16 concurrent territories.csvfr": lambda: concurrent_exports(server.port, 16),
        "formula cells in .csv and .csvfr": lambda: formulas(server.port),
    }
    probes = {name: (lambda m=method, p=path: request(server.port, m, p)) for name, (method, path) in REQUESTS.items()}
    probes.update(special)
    wanted = [n for n in args.only.split(",") if n] or list(probes)
    print(f"serveur : pid {server.process.pid}, {server.rss_mb():.0f} Mo au départ ; page en cache : {CACHED_PAGE}")
    print(f"{'sonde':38} {'statut':>8} {'durée':>8} {'lu':>10} {'pic':>8} {'après':>8}  page en cache (médiane / max)")
    for name in wanted:
        if server.process.poll() is not None:
            server.start()
        tracebacks_before = getattr(server, "tracebacks", 0)
        watch = Watch(server)
        start = time.perf_counter()
        outcome = probes[name]()
        seconds = time.perf_counter() - start
        cached = watch.stop()
        after = server.rss_mb()
        if isinstance(outcome, tuple):
            status, size, body = outcome
            status = "tué >3Go" if watch.killed else status
            if b"Traceback" in body or b"traceback" in body:
                status += "+trace"
            print(f"{name:38} {status:>8} {seconds:7.2f}s {size / 1e6:8.1f}Mo {watch.peak:6.0f}Mo {after:6.0f}Mo  {cached}")
            excerpt = re.sub(r"\s+", " ", body[:200].decode("utf-8", "replace"))
            print(f"{'':38} corps : {excerpt[:150]!r}")
        else:
            print(f"{name:38} {'':>8} {seconds:7.2f}s {'':>10} {watch.peak:6.0f}Mo {after:6.0f}Mo  {cached}")
            print(f"{'':38} {outcome}")
        if getattr(server, "tracebacks", 0) > tracebacks_before:
            print(f"{'':38} journal du serveur : {server.tracebacks - tracebacks_before} traceback(s)")
    print(f"journal du serveur : {server.stderr_bytes / 1e6:.1f} Mo au total")
    if getattr(server, "first_traceback", None):
        print("premier traceback du journal :\n" + server.first_traceback.decode("utf-8", "replace")[-1500:])
    server.stop()


if __name__ == "__main__":
    main()
