"""Replay the hostile probes of issue 18 against a real `tnl serve` and print what each one costs the server.

Usage: .venv/bin/python benchmarks/hostile.py [--db build/tnl.db] [--only NAME,NAME] [--sockets 1500] [--issue26] [--port 0]

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
TERRITORY = "213801517"  # Échirolles
ISSUE_26_FIRST = "cache: territory %37 then canonical"
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
    def __init__(self, db: Path, port: int = 0):
        self.db, self.wanted_port = db, port
        self.start()

    def start(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", self.wanted_port))
            self.port = s.getsockname()[1]
        limit = lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (FD_LIMIT, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tnl.cli", "serve", "--db", str(self.db), "--port", str(self.port)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=limit)
        self.stderr_bytes = 0
        self.access_lines = []
        threading.Thread(target=self._drain, daemon=True).start()
        threading.Thread(target=self._access, daemon=True).start()
        for _ in range(600):  # startup builds in-memory indexes: slow on a busy machine
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}{CACHED_PAGE}", timeout=5).read()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("server did not start")

    def _access(self) -> None:
        for line in self.process.stdout:
            self.access_lines.append(line)

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


def raw(port: int, head: bytes, timeout: float = 60) -> tuple[str, dict, bytes, float]:
    """Status, headers (lowercase names), body and seconds of one request sent as the given bytes, in one packet."""
    start = time.perf_counter()
    data = b""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(head)
            while len(data) < READ_CAP and (chunk := s.recv(1 << 20)):
                data += chunk
    except OSError as error:
        return type(error).__name__, {}, b"", time.perf_counter() - start
    seconds = time.perf_counter() - start
    head_part, _, body = data.partition(b"\r\n\r\n")
    lines = head_part.split(b"\r\n")
    status = lines[0].split(b" ")[1].decode() if lines[0].startswith(b"HTTP/") else "no answer"
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower().decode()] = value.strip().decode("latin-1")
    return status, headers, body, seconds


def get(port: int, target: str, extra: str = "", version: str = "HTTP/1.1") -> tuple[str, dict, bytes, float]:
    return raw(port, f"GET {target} {version}\r\nHost: 127.0.0.1\r\n{extra}Connection: close\r\n\r\n".encode("latin-1"))


def described(outcome, *headers: str) -> str:
    status, got, body, seconds = outcome
    shown = "".join(f" {name}={got.get(name, '-')!r}" for name in headers)
    return f"{status} {seconds:.2f}s{shown}"


def poisoning(port: int, variant: str, canonical: str) -> str:
    """A variant of a page's address first, then its canonical address: what every later visitor gets."""
    first = get(port, variant)
    then = get(port, canonical)
    return f"{variant} → {described(first, 'x-cache')} ; puis {canonical} → {described(then, 'x-cache')}"


def open_redirect(port: int) -> str:
    first = get(port, "/\\evil.example/")
    then = get(port, "/%5Cevil.example/")
    return (f"/\\evil.example/ → {described(first, 'location')} ; "
            f"puis /%5Cevil.example/ → {described(then, 'location', 'x-cache')}")


def scheme_in_key(port: int) -> str:
    first = get(port, "/robots.txt", "X-Forwarded-Proto: https\r\n")
    then = get(port, "/robots.txt")
    sitemap = next((l for l in then[2].decode().splitlines() if l.startswith("Sitemap")), "-")
    return f"X-Forwarded-Proto: https → {first[0]} ; puis sans → {then[0]} {then[1].get('x-cache')} « {sitemap} »"


def host_header(port: int) -> str:
    status, _, body, _ = get(port, "/robots.txt?h=1", "X-Forwarded-Host: evil.example\r\n")
    status2, _, body2, _ = raw(port, b"GET /robots.txt?h=2 HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n")
    sitemap = next((l for l in body2.decode("utf-8", "replace").splitlines() if l.startswith("Sitemap")), "-")
    return f"Host: evil.example → {status2} « {sitemap} »"


def parallel_sql(port: int, query: str, count: int) -> str:
    """`count` copies of a costly query at once, and how long an uncached SQL page waits meanwhile."""
    results = []
    threads = [threading.Thread(target=lambda i=i: results.append(get(port, sql(f"{query} as n{i}_{time.time_ns()}"))))
               for i in range(count)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    waited = get(port, sql(f"select {time.time_ns()} as fresh"))
    for thread in threads:
        thread.join()
    return (f"{count} à la fois : {' '.join(sorted({r[0] for r in results}))}, "
            f"{max(r[3] for r in results):.1f} s ; page SQL non cachée pendant ce temps : {waited[0]} en {waited[3]:.1f} s")


def head_one_packet(port: int) -> str:
    status, _, _, seconds = raw(port, b"GET /" + b"a" * 60_000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    return f"chemin de 60 000 caractères en un paquet → {status} {seconds:.2f}s"


INTROSPECTION = ["/-/databases.json", "/-/threads.json", "/-/plugins.json", "/-/messages", "/-/allow-debug",
                 "/-/patterns", "/-/versions.json", "/-/settings.json", "/-/config.json", "/-/metadata.json",
                 "/-/actor.json", "/-/permissions", "/-/sessions"]


def introspection(port: int) -> str:
    out = []
    for path in INTROSPECTION:
        status, _, body, _ = get(port, path)
        leaks = " (chemin du serveur)" if b'"path"' in body and b"/" in body else ""
        out.append(f"{path} {status}{leaks}")
    return " ; ".join(out)


def http_version(port: int) -> str:
    return " ; ".join(f"{v} → {get(port, '/tnl/editions.json', version=v)[0]}" for v in ("HTTP/9.9", "HTTP/2.0", "HTTP/1.1"))


def report_echo(port: int) -> str:
    status, _, body, _ = get(port, "/signaler?territoire=a%00b%E2%80%AEc")
    shown = [name for name, marks in (("NUL", (b"\x00", b"&#0;", b"\\x00", "\u2400".encode())),
                                      ("U+202E", ("\u202e".encode(), b"&#8238;", b"&#x202e;")))
             if any(mark in body for mark in marks)]
    return f"/signaler?territoire=a%00b%E2%80%AEc → {status}, caractères renvoyés : {', '.join(shown) or 'aucun'}"


def log_forging(server) -> str:
    before = len(server.access_lines)
    get(server.port, "/x%0A2026-01-01T00:00:00Z%20forged%201.2.3.4%20%22GET%20/admin%22%20200%1B[2J")
    time.sleep(0.5)
    new = server.access_lines[before:]
    forged = [line for line in new if b"forged" in line and not line.split(b" ", 1)[0].startswith(b"20") or
              line.startswith(b"2026-01-01")]
    control = any(c < 32 and c != 10 for line in new for c in line.rstrip(b"\n"))
    return f"{len(new)} ligne(s) écrite(s) pour 1 requête ; ligne forgée : {'oui' if forged else 'non'} ; caractère de contrôle : {'oui' if control else 'non'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("build/tnl.db"))
    parser.add_argument("--only", default="", help="comma-separated probe names (default: all)")
    parser.add_argument("--sockets", type=int, default=1500, help="slow-client sockets (at most 2,000)")
    parser.add_argument("--port", type=int, default=0, help="loopback port of the server (default: a free one)")
    parser.add_argument("--issue26", action="store_true", help="only the probes of issue 26")
    args = parser.parse_args()
    server = Server(args.db, args.port)
    special = {
        "slow clients": lambda: slow_clients(server.port, min(args.sockets, 2000), 12),
        "2000 404s with 30 KB query strings": lambda: not_found_keys(server.port, 2000),
        "16 concurrent territories.csvfr": lambda: concurrent_exports(server.port, 16),
        "formula cells in .csv and .csvfr": lambda: formulas(server.port),
        # Issue 26: the cache, redirects, SQL limits, renderers and the HTTP surface.
        "cache: territory %37 then canonical": lambda: poisoning(server.port, f"/territoire/{TERRITORY[:-1]}%37",
                                                                 f"/territoire/{TERRITORY}"),
        "cache: badge %2F then canonical": lambda: poisoning(server.port, f"/territoire/{TERRITORY}%2Fbadge.svg",
                                                             f"/territoire/{TERRITORY}/badge.svg"),
        "cache: embed %2F then canonical": lambda: poisoning(server.port, f"/embed%2Fterritoire%2F{TERRITORY}",
                                                             f"/embed/territoire/{TERRITORY}"),
        "cache: table %2F then canonical": lambda: poisoning(server.port, "/tnl%2Fregions", "/tnl/regions"),
        "open redirect /\\evil.example/": lambda: open_redirect(server.port),
        "printf BLOB format (JSON)": lambda: described(get(server.port, sql("select printf(cast('%.2147483647c' as blob),'x')")), "content-type"),
        "printf hex literal format (JSON)": lambda: described(get(server.port, sql("select printf(x'252e3231343734383336343763','x')")), "content-type"),
        "printf computed format (JSON)": lambda: described(get(server.port, sql("select printf('%.' || '2147483647' || 'c','x')")), "content-type"),
        "4 printf BLOB at once": lambda: parallel_sql(server.port, "select printf(cast('%.200000000c' as blob),'x')", 4),
        ".xlsx of char(1)": lambda: described(get(server.port, sql("select char(1)", ".xlsx")), "content-type"),
        ".xlsx of a BLOB": lambda: described(get(server.port, sql("select x'00ff'", ".xlsx")), "content-type"),
        ".atom of a query": lambda: described(get(server.port, sql("select 1 as atom_id, 'x' as atom_title, '2020-01-01' as atom_updated", ".atom")), "content-type"),
        "X-Forwarded-Proto and the cache": lambda: scheme_in_key(server.port),
        "Host header in absolute URLs": lambda: host_header(server.port),
        "log forging %0A": lambda: log_forging(server),
        "head of 60,000 chars in one packet": lambda: head_one_packet(server.port),
        "introspection pages": lambda: introspection(server.port),
        "HTTP/9.9": lambda: http_version(server.port),
        "/signaler NUL and U+202E": lambda: report_echo(server.port),
    }
    probes = {name: (lambda m=method, p=path: request(server.port, m, p)) for name, (method, path) in REQUESTS.items()}
    probes.update(special)
    wanted = [n for n in args.only.split(",") if n] or list(probes)[list(probes).index(ISSUE_26_FIRST) if args.issue26 else 0:]
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
