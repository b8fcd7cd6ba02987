"""The deployment rehearsal: nginx (Debian's) in front of `tnl serve` replicas, and a rolling release under load."""
from __future__ import annotations

import shutil
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tnl.deploy.cluster import Cluster, free_port, is_running


def fetch(url: str, headers: dict | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


# One cluster for the module (starting nginx and two replicas is most of each test's time), on one xdist worker:
# the rolling release first, then the test that stops it.
pytestmark = pytest.mark.xdist_group("cluster")
# A page no visitor of the rolling release asks for: its first request after the roll is a miss of the edge cache.
PAGE = "/territoire/213801517?perimetre=national"


@pytest.fixture(scope="module")
def cluster(built_db_path, tmp_path_factory):
    folder = tmp_path_factory.mktemp("cluster")
    release = folder / "release-1"
    shutil.copytree(built_db_path.parent, release)
    cluster = Cluster(folder / "cluster")
    cluster.start(release / "tnl.db", replicas=2, port=free_port())
    yield cluster
    cluster.stop()


@pytest.mark.timeout(300)  # starts the cluster, then two new replicas one after the other
def test_a_rolling_release_serves_every_request_and_switches_the_cache_to_the_new_database(cluster, tmp_path, db):
    new = tmp_path / "release-2"  # the new database built beside the old one
    shutil.copytree(Path(cluster.load()["replicas"][0]["db"]).parent, new)
    with sqlite3.connect(new / "tnl.db") as connection:
        connection.execute("update territories set name = 'Échirolles (nouvelle version)' where id = '213801517'")
    old_replicas = cluster.load()["replicas"]
    before = fetch(cluster.url + "/territoire/213801517")
    assert before[0] == 200 and b"nouvelle version" not in before[2]

    ids = [row[0] for row in db.execute("select id from territories order by id limit 4000")]
    paths = ["/", "/territoire/213801517", "/tnl/palmares.json?edition=2021"]
    outcomes, etags, rolling = [], set(), threading.Event()
    rolling.set()

    def visitor(offset: int):
        n = offset
        while rolling.is_set():
            path = paths[n % 3] if n % 2 else f"/territoire/{ids[n % len(ids)]}"  # hot pages and never-asked ones
            try:
                status, headers, _ = fetch(cluster.url + path)
                outcomes.append(status)
                etags.add(headers["ETag"].strip('"').split("-")[0])
            except OSError as error:
                outcomes.append(repr(error))
            n += 7

    visitors = [threading.Thread(target=visitor, args=(k * 1000,)) for k in range(4)]
    for thread in visitors:
        thread.start()
    try:
        cluster.roll(new / "tnl.db")
    finally:
        rolling.clear()
        for thread in visitors:
            thread.join()

    assert len(outcomes) > 20 and set(outcomes) == {200}
    assert len(etags) == 2  # requests were answered by both releases during the roll, never with an error
    after = fetch(cluster.url + "/territoire/213801517")
    assert after[0] == 200 and "nouvelle version" in after[2].decode()
    replicas = cluster.status()["replicas"]
    assert {r["sante"]["base_sha256"][:16] for r in replicas} == {cluster.load()["release"]}
    assert all(is_running(replica) for replica in replicas) and not any(is_running(old) for old in old_replicas)


@pytest.mark.timeout(300)  # the cluster may start within this test: over a minute when the cores are shared
def test_nginx_balances_caches_at_the_edge_and_stop_leaves_nothing(cluster):
    state = cluster.load()
    first = fetch(cluster.url + PAGE, {"Accept-Encoding": "gzip"})
    # nginx commits its cache entry once done with the replica's response, which may be just after the client has
    # read the last byte: the next requests are HITs from then on (a few milliseconds; up to 2 s allowed here).
    for _ in range(20):
        second = fetch(cluster.url + PAGE, {"Accept-Encoding": "gzip"})
        if second[1]["X-Edge-Cache"] == "HIT":
            break
        time.sleep(0.1)
    assert (first[0], first[1]["X-Edge-Cache"], second[1]["X-Edge-Cache"]) == (200, "MISS", "HIT")
    assert second[1]["Content-Encoding"] == "gzip" and second[2] == first[2]
    assert second[1]["X-Request-Id"] != first[1]["X-Request-Id"]  # the edge gives each request its own id
    not_modified = fetch(cluster.url + PAGE, {"Accept-Encoding": "gzip", "If-None-Match": first[1]["ETag"]})
    assert not_modified[0] == 304
    health = fetch(cluster.url + "/-/sante.json")
    assert health[0] == 200 and b'"statut": "ok"' in health[2] and "X-Edge-Cache" not in health[1]
    processes = [state["nginx"], *state["replicas"]]
    assert all(is_running(process) for process in processes)
    cluster.stop()
    assert not any(is_running(process) for process in processes)
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{state['port']}/", timeout=2)
