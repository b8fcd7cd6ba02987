"""A local cluster: nginx (Debian's) as load balancer and shared cache in front of N `tnl serve` replicas on loopback.

    python -m tnl.deploy.cluster start [--db build/tnl.db] [--replicas 2] [--port 8080] [--no-edge-cache]
    python -m tnl.deploy.cluster roll --db build/releases/NEW/tnl.db   # new release, without downtime
    python -m tnl.deploy.cluster status | stop

Everything it starts is recorded in the state folder (build/cluster by default): `stop` ends exactly those processes
and removes the folder. A roll starts each new replica beside an old one, waits until it reports the new database's
hash and has computed the front page and palmarès, points nginx at it (graceful reload: requests in progress
finish), then stops the old one, one by one; at the end the release in nginx's cache key changes, so the edge
cache starts afresh for the new database.
"""
from __future__ import annotations

import argparse
import html
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil

from tnl import PROJECT_ROOT
from tnl.deploy import nginx_conf

DEFAULT_STATE = PROJECT_ROOT / "build" / "cluster"
NGINX = "/usr/sbin/nginx"
DRAIN_SECONDS = 1.0  # after nginx's reload, before the old replica stops: old workers finish their requests


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self, state_dir: Path = DEFAULT_STATE):
        self.state_dir = Path(state_dir).resolve()
        self.state_file = self.state_dir / "state.json"

    # --- state ---------------------------------------------------------------------------------------------------
    def load(self) -> dict:
        if not self.state_file.exists():
            raise SystemExit(f"Aucune grappe démarrée dans {self.state_dir}.")
        return json.loads(self.state_file.read_text())

    def save(self, state: dict) -> None:
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2))
        tmp.replace(self.state_file)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.load()['port']}"

    # --- commands ------------------------------------------------------------------------------------------------
    def start(self, database: Path, replicas: int = 2, port: int = 8080, edge_cache: bool = True) -> dict:
        if self.state_file.exists():
            raise SystemExit(f"Une grappe tourne déjà ({self.state_file}) : arrêtez-la d'abord (stop).")
        (self.state_dir / "tmp").mkdir(parents=True, exist_ok=True)
        state = {"port": port, "edge_cache": edge_cache, "replicas": [], "nginx": None, "release": ""}
        self.save(state)
        try:
            for _ in range(replicas):
                state["replicas"].append(self._start_replica(Path(database)))
                self.save(state)
            state["release"] = self._wait_healthy(state["replicas"][0]["port"])["base_sha256"][:16]
            for replica in state["replicas"][1:]:
                self._wait_healthy(replica["port"])
            self._write_nginx_conf(state)
            subprocess.run([NGINX, *self._nginx_args()], check=True, capture_output=True)
            state["nginx"] = _process(int((self.state_dir / "nginx.pid").read_text()))
            self.save(state)
            wait_for(f"http://127.0.0.1:{port}/-/sante.json")
        except BaseException:
            self.stop()
            raise
        return state

    def roll(self, database: Path) -> str:
        """Deploy database with no downtime; returns the new release (the database hash prefix)."""
        state = self.load()
        release = ""
        for index, old in enumerate(list(state["replicas"])):
            new = self._start_replica(Path(database))
            release = self._wait_healthy(new["port"])["base_sha256"][:16]
            _warm(new["port"])
            state["replicas"][index] = new
            self.save(state)
            self._reload_nginx(state)
            time.sleep(DRAIN_SECONDS)
            _terminate(old)
        state["release"] = release
        self.save(state)
        self._reload_nginx(state)  # the new release in the cache key: nothing of the old database is served again
        return release

    def stop(self) -> None:
        if not self.state_file.exists():
            return
        state = json.loads(self.state_file.read_text())
        if state.get("nginx"):
            subprocess.run([NGINX, *self._nginx_args(), "-s", "quit"], capture_output=True)
            _wait_gone(state["nginx"], kill_after=15)
        for replica in state["replicas"]:
            _terminate(replica)
        self.state_file.unlink()

    def status(self) -> dict:
        state = self.load()
        for replica in state["replicas"]:
            try:
                replica["sante"] = _get_json(f"http://127.0.0.1:{replica['port']}/-/sante.json")
            except OSError as error:
                replica["sante"] = f"injoignable : {error}"
        return state

    # --- pieces --------------------------------------------------------------------------------------------------
    def _start_replica(self, database: Path) -> dict:
        port = free_port()
        log = (self.state_dir / f"replica-{port}.log").open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "tnl.cli", "serve", "--db", str(database), "--host", "127.0.0.1", "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=PROJECT_ROOT,
            env=os.environ | {"PYTHONPATH": str(PROJECT_ROOT)},
        )
        return {"port": port, **_process(process.pid), "db": str(Path(database).resolve())}

    def _wait_healthy(self, port: int) -> dict:
        return wait_for(f"http://127.0.0.1:{port}/-/sante.json")

    def _nginx_args(self) -> list[str]:
        return ["-p", str(self.state_dir), "-c", str(self.state_dir / "nginx.conf"), "-e", str(self.state_dir / "nginx-error.log")]

    def _write_nginx_conf(self, state: dict) -> None:
        text = nginx_conf.render(
            servers=[f"127.0.0.1:{r['port']}" for r in state["replicas"]], state=str(self.state_dir),
            listen=f"127.0.0.1:{state['port']}", release=state["release"], edge_cache=state["edge_cache"],
            access_log=str(self.state_dir / "nginx-access.log"), error_log=str(self.state_dir / "nginx-error.log"),
            user="" if os.geteuid() else "user root root;  # rehearsal as root: workers read this state folder",
            release_folder=str(Path(state["replicas"][0]["db"]).parent),  # its downloads and exports, sent by nginx
        )
        (self.state_dir / "nginx.conf").write_text(text)

    def _reload_nginx(self, state: dict) -> None:
        """Graceful reload, returned once the workers of the previous configuration accept no more connections."""
        self._write_nginx_conf(state)
        subprocess.run([NGINX, *self._nginx_args(), "-t", "-q"], check=True, capture_output=True)
        old_workers = _children(state["nginx"]["pid"])
        subprocess.run([NGINX, *self._nginx_args(), "-s", "reload"], check=True, capture_output=True)
        deadline = time.monotonic() + 30
        while any(_accepting_worker(pid) for pid in old_workers):
            if time.monotonic() > deadline:
                raise RuntimeError("nginx n'a pas rechargé sa configuration en 30 s")
            time.sleep(0.05)


def _warm(port: int) -> None:
    """Compute the pages of /sitemaps/pages.xml (front page, palmarès) before the replica gets visitors."""
    base = f"http://127.0.0.1:{port}"
    with urllib.request.urlopen(base + "/sitemaps/pages.xml", timeout=60) as response:
        locations = re.findall(r"<loc>[^<]*?//[^/<]*(/[^<]*)</loc>", response.read().decode())
    for path in locations:
        urllib.request.urlopen(base + html.unescape(path), timeout=60).read()


def _get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=2) as response:
        return json.loads(response.read())


def wait_for(url: str, seconds: float = 60) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        try:
            return _get_json(url)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _accepting_worker(pid: int) -> bool:
    """An nginx worker of the running configuration (a worker of an older one retitles itself « … is shutting down »)."""
    try:
        title = " ".join(psutil.Process(pid).cmdline())
    except psutil.Error:
        return False
    return title.startswith("nginx: worker process") and "shutting down" not in title


def _children(pid: int) -> list[int]:
    try:
        return [child.pid for child in psutil.Process(pid).children()]
    except psutil.Error:
        return []


def _process(pid: int) -> dict:
    """A process as recorded in the state: its pid and start time (a pid alone may be reused by someone else's)."""
    return {"pid": pid, "started": psutil.Process(pid).create_time()}


def is_running(process: dict) -> bool:
    try:
        found = psutil.Process(process["pid"])
        return found.create_time() == process["started"] and found.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _terminate(process: dict) -> None:
    if is_running(process):
        os.kill(process["pid"], signal.SIGTERM)  # uvicorn finishes the requests in progress, then exits
        _wait_gone(process, kill_after=15)


def _wait_gone(process: dict, kill_after: float) -> None:
    deadline = time.monotonic() + kill_after
    while is_running(process):
        try:
            os.waitpid(process["pid"], os.WNOHANG)  # reap it when it is our child
        except ChildProcessError:
            pass
        if time.monotonic() > deadline:
            os.kill(process["pid"], signal.SIGKILL)
        time.sleep(0.05)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Grappe locale : nginx devant des répliques de `tnl serve`.")
    parser.add_argument("--state", type=Path, default=DEFAULT_STATE, help="Dossier d'état de la grappe.")
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("start", help="Démarre nginx et les répliques.")
    start.add_argument("--db", type=Path, default=PROJECT_ROOT / "build" / "tnl.db")
    start.add_argument("--replicas", type=int, default=2)
    start.add_argument("--port", type=int, default=8080)
    start.add_argument("--no-edge-cache", action="store_true", help="nginx répartit sans garder de cache.")
    roll = commands.add_parser("roll", help="Déploie une nouvelle base sans interruption, réplique par réplique.")
    roll.add_argument("--db", type=Path, required=True)
    commands.add_parser("status", help="État des répliques (/-/sante.json).")
    commands.add_parser("stop", help="Arrête tout ce que la grappe a démarré.")
    args = parser.parse_args(argv)
    cluster = Cluster(args.state)
    if args.command == "start":
        state = cluster.start(args.db, args.replicas, args.port, not args.no_edge_cache)
        print(f"Grappe prête : http://127.0.0.1:{state['port']}/ ({args.replicas} répliques, version {state['release']})")
    elif args.command == "roll":
        print(f"Nouvelle version en service : {cluster.roll(args.db)}")
    elif args.command == "status":
        print(json.dumps(cluster.status(), indent=2, ensure_ascii=False))
    else:
        cluster.stop()
        print("Grappe arrêtée.")


if __name__ == "__main__":
    main()
