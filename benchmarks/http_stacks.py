"""HTTP servers side by side on the same built site, in one run: hot pages, the cold walk, the cold bursts, and
nginx serving the saved HTML of a territory page as a static file (the physical ceiling of a hot page here).

Usage: .venv/bin/python benchmarks/http_stacks.py [--db build/tnl.db] [--seconds 10] [--stacks tnl,uvicorn,uvicorn-asyncio,granian,hypercorn]
                                                  [--before /path/to/other/checkout] [--gzip]

Every candidate serves the same Datasette app (tnl/site/http/serve.py's `datasette_app`, plugins included) on its
own loopback port; all are started first, then each measuring point is run on every candidate in turn (order
reversed at every point, so that no candidate always runs first), with the machine's load average printed beside
each figure. Candidates:
  tnl        `tnl serve` of this checkout (what production runs: uvicorn, httptools, asyncio's loop, the guard);
  before     `tnl serve` of --before (e.g. a worktree of main), for before/after in the same run;
  uvicorn    uvicorn with httptools and uvloop and its own settings only (no connection guard);
  uvicorn-asyncio  the same with asyncio's own event loop;
  granian    granian (Rust, hyper), ASGI, one worker, uvloop, its HTTP/1 header read timeout;
  hypercorn  hypercorn with uvloop;
  nginx      (static point only) Debian's nginx sending the saved HTML of the territory page from a tmp folder.
CPU ms per request: the server's process tree's CPU time over the point, divided by its requests: less
sensitive to the machine's load than wall time. Figures only, no pass/fail; wrk from Debian.
wrk sends no Accept-Encoding: responses are measured uncompressed, and the response cache gzips a page only for a
client that takes gzip. --gzip sends `Accept-Encoding: gzip` with every request, as browsers (and nginx's gzip
variant) do: a cold page then also pays its compression.
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from wrk_run import machine_load, wrk  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TERRITORY = "/territoire/213801517"
HOT = ["/-/versions.json", "/", "/tnl/results.json", "/tnl/territories.json", TERRITORY]
BURSTS = [  # benchmarks/cold_burst.py's
    "/tnl/territories.json?_size=50&_facet=departement_code&_facet=kind",
    "/tnl/territories?_size=100&_facet=region_code&_sort=population",
    "/tnl/results?_facet=edition&_facet=distinction&_sort_desc=edition",
]
NGINX_CONF = """worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    types {{ text/html html; }}
    client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {tmp}/www;
        location = {territory} {{ default_type text/html; try_files /territory.html =404; }}
    }}
}}
"""


def site():
    """The ASGI app every candidate but `tnl serve` loads (granian and hypercorn as a factory, in their worker)."""
    from tnl.site.http.serve import datasette_app

    return datasette_app(Path(os.environ["TNL_DB"])).app()


def run_uvicorn(database: Path, port: int, loop: str) -> None:
    """uvicorn with httptools and uvloop (or asyncio's loop), its own settings only: `uvicorn.run` without a guard."""
    import uvicorn

    os.environ["TNL_DB"] = str(database)
    uvicorn.run(site(), host="127.0.0.1", port=port, http="httptools", loop=loop, lifespan="on",
                log_level="warning", timeout_keep_alive=5, backlog=128, timeout_graceful_shutdown=10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def command(stack: str, database: Path, port: int, before: Path | None) -> tuple[list[str], dict, Path]:
    env = os.environ | {"TNL_DB": str(database), "PYTHONPATH": f"{ROOT / 'benchmarks'}:{ROOT}"}
    here = Path(__file__).resolve()
    if stack == "tnl":
        return [str(BIN / "python"), "-m", "tnl.cli", "serve", "--db", str(database), "--port", str(port)], env, ROOT
    if stack == "before":
        return ([str(BIN / "python"), "-m", "tnl.cli", "serve", "--db", str(database), "--port", str(port)],
                os.environ | {"PYTHONPATH": str(before)}, before)
    if stack in ("uvicorn", "uvicorn-asyncio"):
        loop = "asyncio" if stack == "uvicorn-asyncio" else "uvloop"
        return [str(BIN / "python"), str(here), "--run-uvicorn", str(port), "--loop", loop, "--db", str(database)], env, ROOT
    if stack == "granian":
        return [str(BIN / "granian"), "--interface", "asgi", "--factory", "--host", "127.0.0.1", "--port", str(port),
                "--workers", "1", "--loop", "uvloop", "--http", "1", "--no-ws", "--backlog", "128",
                "--http1-header-read-timeout", "10000", "--log-level", "warning", "http_stacks:site"], env, ROOT
    if stack == "hypercorn":
        return [str(BIN / "hypercorn"), "--bind", f"127.0.0.1:{port}", "--worker-class", "uvloop", "--keep-alive", "5",
                "--backlog", "128", "--log-level", "warning", "http_stacks:site()"], env, ROOT
    raise ValueError(stack)


def start(stack: str, database: Path, before: Path | None) -> tuple[subprocess.Popen, str]:
    port = free_port()
    argv, env, cwd = command(stack, database, port, before)
    process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               preexec_fn=small_file_limit)
    return process, f"http://127.0.0.1:{port}"


def small_file_limit() -> None:
    """1,024 open files, a small production limit (as benchmarks/hostile.py): slow clients show exhaustion sooner."""
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))


def wait_ready(base: str, process: subprocess.Popen) -> None:
    for _ in range(1200):
        if process.poll() is not None:
            raise RuntimeError(f"{base}: server exited ({process.returncode})")
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=2).read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{base}: server did not start")


def tree_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its descendants (granian's worker, hypercorn's)."""
    parents, cpu = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        cpu[int(entry.name)] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [p for p, pp in parents.items() if pp == parent and p not in tree]
        tree.update(children)
        frontier += children
    return sum(cpu.get(p, 0.0) for p in tree)


REQUEST_HEADERS: dict[str, str] = {}  # sent with every request of every point (--gzip)


def point(name: str, servers: dict, order: list[str], paths: dict, connections: int, seconds: int,
          timeout: float = 2) -> None:
    """One measuring point on every candidate in turn; paths: candidate -> list of paths."""
    print(f"\n{name} — {connections} connections, {seconds} s{', Accept-Encoding: gzip' if REQUEST_HEADERS else ''}")
    for stack in order:
        process, base = servers[stack]
        before_cpu = tree_cpu_seconds(process.pid)
        machine = machine_load()
        r = wrk(base, paths[stack], connections, seconds, timeout=timeout, headers=REQUEST_HEADERS)
        cpu_ms = (tree_cpu_seconds(process.pid) - before_cpu) / r["requests"] * 1000 if r["requests"] else float("nan")
        errors = r["non2xx"] + r["socket_errors"]
        print(f"  {stack:10} {r['rps']:8.0f} req/s  p50 {r['p50']:7.1f} ms  p99 {r['p99']:7.1f} ms  "
              f"CPU {cpu_ms:5.2f} ms/req  timeouts {r['timeouts']:4}  errors {errors:4}  load {machine}", flush=True)


def territory_pages(database: Path) -> list[str]:
    conn = sqlite3.connect(database)
    ids = [row[0] for row in conn.execute("select id from territories order by id")]
    conn.close()
    random.Random(2025).shuffle(ids)
    return [f"/territoire/{i}" for i in ids]


def start_nginx(tmp: Path, html: bytes) -> tuple[subprocess.Popen, str]:
    port = free_port()
    tmp.chmod(0o755)  # nginx's worker runs as an unprivileged user when started by root
    (tmp / "www").mkdir(mode=0o755)
    (tmp / "www" / "territory.html").write_bytes(html)
    (tmp / "nginx.conf").write_text(NGINX_CONF.format(tmp=tmp, port=port, territory=TERRITORY), encoding="utf-8")
    process = subprocess.Popen(["/usr/sbin/nginx", "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-e",
                                str(tmp / "error.log"), "-g", "daemon off;"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + TERRITORY, timeout=1).read()
            break
        except OSError:
            time.sleep(0.1)
    return process, base


# --- protections: what each candidate does to slow and hostile clients (run with --probes) -----------------------

def _open(base: str) -> socket.socket:
    host, port = base.rsplit("/", 1)[1].split(":")
    return socket.create_connection((host, int(port)), timeout=5)


def _closed_after(s: socket.socket, limit: float, trickle: bytes = b"") -> str:
    """Seconds until the server closes this connection (sending `trickle` every 0.5 s meanwhile), or "open"."""
    start, got = time.monotonic(), b""
    s.settimeout(0.5)
    while time.monotonic() - start < limit:
        try:
            if trickle:
                s.sendall(trickle)
            chunk = s.recv(65536)
            if not chunk:
                return f"fermée à {time.monotonic() - start:.1f} s" + (f" après « {got[:12].decode(errors='replace')} »" if got else "")
            got += chunk
        except TimeoutError:
            continue
        except OSError as error:
            return f"{type(error).__name__} à {time.monotonic() - start:.1f} s"
    return f"ouverte après {limit:.0f} s"


def probe_trickled_head(base: str) -> str:
    s = _open(base)
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
    with s:
        return _closed_after(s, 40, trickle=b"X")


def probe_silent_connection(base: str) -> str:
    with _open(base) as s:
        return _closed_after(s, 40)


def probe_idle_keep_alive(base: str) -> str:
    with _open(base) as s:
        s.sendall(b"GET /-/versions.json HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.5)
        s.recv(65536)
        return _closed_after(s, 40)


def probe_head_in_one_packet(base: str) -> str:
    with _open(base) as s:
        s.sendall(b"GET /" + b"a" * 60_000 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        s.settimeout(10)
        try:
            answer = s.recv(65536)
        except OSError as error:
            return type(error).__name__
    head, _, body = answer.partition(b"\r\n\r\n")
    return (head.split(b"\r\n")[0].decode() or "fermée sans réponse") + (f" « {body[:40].decode(errors='replace')} »" if body else "")


def probe_long_header_trickled(base: str) -> str:
    """A 40 KiB header sent 1 KiB at a time."""
    with _open(base) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Long: ")
        s.settimeout(10)
        for _ in range(40):
            try:
                s.sendall(b"a" * 1024)
            except OSError:
                break  # refused: what did the server say?
            time.sleep(0.02)
        try:
            s.sendall(b"\r\nConnection: close\r\n\r\n")
        except OSError:
            pass
        try:
            answer = s.recv(65536)
        except OSError as error:
            return type(error).__name__
    return answer.split(b"\r\n")[0].decode() or "fermée sans réponse"


def probe_not_reading(base: str) -> str:
    """A client asking for a large export and never reading it: is the connection aborted within 40 s?"""
    full = len(urllib.request.urlopen(base + "/tnl/territories.csv?_stream=on", timeout=60).read())
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    host, port = base.rsplit("/", 1)[1].split(":")
    s.connect((host, int(port)))
    s.sendall(b"GET /tnl/territories.csv?_stream=on HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    time.sleep(40)
    s.settimeout(5)
    data = b""
    try:
        while chunk := s.recv(1 << 20):
            data += chunk
        body = data.partition(b"\r\n\r\n")[2]  # chunked or not: a complete body is at least the plain one
        outcome = "réponse complète" if len(body) >= full else "réponse coupée par le serveur"
    except ConnectionResetError:
        outcome = "connexion réinitialisée par le serveur"
    except TimeoutError:
        outcome = "connexion encore ouverte"
    s.close()
    return f"{outcome} ({len(data) / 1e6:.1f} Mo lus après 40 s)"


def probe_slow_clients(base: str) -> str:
    from hostile import slow_clients

    return slow_clients(int(base.rsplit(":", 1)[1]), 1500, 12)


PROBES = {
    "en-tête au goutte-à-goutte": probe_trickled_head,
    "connexion muette": probe_silent_connection,
    "keep-alive inactif": probe_idle_keep_alive,
    "en-tête de 60 000 car. en un paquet": probe_head_in_one_packet,
    "en-tête de 40 Kio par 1 Kio": probe_long_header_trickled,
    "client qui ne lit pas": probe_not_reading,
}


def probes(servers: dict) -> None:
    """Every probe on every candidate at once (threads), then 1,500 slow clients on each in turn."""
    import threading

    results = {}

    def run(stack, name, probe):
        try:
            results[(stack, name)] = probe(servers[stack][1])
        except Exception as error:  # a probe's own failure is a figure too
            results[(stack, name)] = f"{type(error).__name__}: {error}"

    threads = [threading.Thread(target=run, args=(stack, name, probe))
               for stack in servers for name, probe in PROBES.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for stack in servers:
        results[(stack, "1 500 clients lents")] = probe_slow_clients(servers[stack][1])
    for stack in servers:
        print(f"\n{stack}")
        for name in list(PROBES) + ["1 500 clients lents"]:
            print(f"  {name:38} {results[(stack, name)]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / "build" / "tnl.db")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--stacks", default="tnl,uvicorn,uvicorn-asyncio,granian,hypercorn")
    parser.add_argument("--before", type=Path, help="a checkout whose `tnl serve` runs as candidate `before`")
    parser.add_argument("--hot-connections", type=int, default=16)
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: hot,static,walk,burst")
    parser.add_argument("--probes", action="store_true", help="the slow and hostile client probes instead of load")
    parser.add_argument("--gzip", action="store_true", help="send Accept-Encoding: gzip, as browsers do")
    parser.add_argument("--run-uvicorn", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--loop", default="uvloop", help=argparse.SUPPRESS)
    args = parser.parse_args()
    database = args.db.resolve()
    if args.gzip:
        REQUEST_HEADERS["Accept-Encoding"] = "gzip"
    if args.run_uvicorn:
        run_uvicorn(database, args.run_uvicorn, args.loop)
        return
    stacks = args.stacks.split(",") + (["before"] if args.before else [])
    skip = set(args.skip.split(","))
    servers = {stack: start(stack, database, args.before and args.before.resolve()) for stack in stacks}
    nginx, tmp = None, None
    try:
        for stack, (process, base) in servers.items():
            wait_ready(base, process)
        print(f"{os.cpu_count()} cores; load average (1/5/15 min) at start {machine_load()}; database {database}")
        for stack, (process, base) in servers.items():
            print(f"  {stack:10} {base} pid {process.pid}")
        order = list(stacks)
        if args.probes:
            probes(servers)
            return
        if "hot" not in skip:
            for path in HOT:
                for stack in stacks:
                    urllib.request.urlopen(servers[stack][1] + path, timeout=60).read()
                point(f"hot {path}", servers, order, {s: [path] for s in stacks}, args.hot_connections, args.seconds)
                order.reverse()
        if "static" not in skip:
            tmp = Path(tempfile.mkdtemp(prefix="tnl-stacks-", dir=ROOT / "tmp" if (ROOT / "tmp").is_dir() else None))
            html = urllib.request.urlopen(servers[stacks[0]][1] + TERRITORY, timeout=60).read()
            nginx = start_nginx(tmp, html)
            both = dict(servers) | {"nginx": nginx}
            point(f"hot {TERRITORY}, nginx static file beside the servers", both, ["nginx"] + order,
                  {s: [TERRITORY] for s in both}, args.hot_connections, args.seconds)
        if "walk" not in skip:
            pages = territory_pages(database)
            for connections, walk in ((16, pages), (64, pages[::-1])):  # the two walks never meet
                point("cold random walk over territory pages (each asked once per server)", servers, order,
                      {s: walk for s in stacks}, connections, args.seconds, timeout=10)
                order.reverse()
        if "burst" not in skip:
            for url in BURSTS:
                point(f"cold burst {url}", servers, order, {s: [url] for s in stacks}, 64, 5)
                order.reverse()
        print(f"\nload average at end {machine_load()}")
    finally:
        for process, _ in list(servers.values()) + ([nginx] if nginx else []):
            process.terminate()
        for process, _ in list(servers.values()) + ([nginx] if nginx else []):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
