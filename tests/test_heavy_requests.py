"""Heavy requests run a few at a time (the rest queue briefly, then get a French 503 with Retry-After), and a
complete CSV export reads the table in its own page size whatever the client's `_size`."""
from __future__ import annotations

import asyncio
import json
import threading
from urllib.parse import parse_qsl

from tnl.build_layout import EXPORTS_DIRECTORY, SUMS_NAME, read_sums
from tnl.pipeline import bundle
from tnl.pipeline.build import build
from tnl.site.exports import complete_csv
from tnl.site.http import heavy_requests
from tnl.site.http.heavy_requests import HeavyQueue
from tnl.site.http.serve import datasette_app


class HeldApp:
    """An ASGI app whose .xlsx responses wait until `release` is set (a thread's event: heavy requests run on a
    worker loop); with `nested` in the query, calls the site once from inside the request instead."""

    def __init__(self):
        self.release, self.started = threading.Event(), []
        self.site = None

    async def __call__(self, scope, receive, send):
        self.started.append(scope["path"])
        if scope["path"].endswith(".xlsx") and "nested" in scope["query_string"].decode():
            await call(self.site, "/tnl/territories.json", b"_size=max")  # the renderer's own JSON pages
        elif scope["path"].endswith(".xlsx"):
            await asyncio.to_thread(self.release.wait, 10)
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"ok"})


async def call(site, path: str, query: bytes = b"") -> tuple[int, dict, bytes]:
    events = []

    async def send(event):
        events.append(event)

    await site({"type": "http", "method": "GET", "path": path, "query_string": query, "headers": []}, None, send)
    return events[0]["status"], dict(events[0]["headers"]), b"".join(e.get("body", b"") for e in events[1:])


def test_heavy_requests_are_recognised():
    heavy = [("/tnl/territories.xlsx", b""), ("/tnl/territories.csv", b"kind=commune"), ("/tnl/territories.csvfr", b""),
             ("/tnl/territories", b"_size=max"), ("/tnl/territories.json", b"_size=1000"),
             ("/tnl", b"sql=select+1"), ("/territoire/217500016.json", b"perimetre=national")]
    light = [("/territoire/213801517", b""), ("/", b""), ("/tnl/territories", b"_size=50"),
             ("/-/recherche.json", b"q=paris"), ("/-/paquet/territories.csv", b"")]
    assert all(heavy_requests.is_heavy({"path": p, "query_string": q, "method": "GET"}) for p, q in heavy)
    assert not any(heavy_requests.is_heavy({"path": p, "query_string": q, "method": "GET"}) for p, q in light)


async def test_beyond_the_slots_heavy_requests_queue_then_get_a_french_503_with_retry_after():
    app = HeldApp()
    site = app.site = heavy_requests.wrap(app, HeavyQueue(slots=1, queue=1, wait_seconds=0.2))
    running = asyncio.ensure_future(call(site, "/tnl/territories.xlsx", b"a=1"))
    await asyncio.sleep(0.01)
    queued = asyncio.ensure_future(call(site, "/tnl/territories.xlsx", b"a=2"))
    await asyncio.sleep(0.01)
    status, headers, body = await call(site, "/tnl/territories.xlsx", b"a=3")  # the queue is full: refused at once
    assert status == 503 and headers[b"retry-after"] == str(heavy_requests.RETRY_AFTER_SECONDS).encode()
    assert body.decode() == heavy_requests.BUSY and "Réessayez" in body.decode()
    assert (await call(site, "/territoire/213801517"))[0] == 200  # a normal page never waits
    status, headers, body = await queued  # waited its time in the queue, then refused
    assert status == 503 and b"retry-after" in headers and headers[b"cache-control"] == b"no-store"
    app.release.set()
    assert (await running)[0] == 200
    assert app.started == ["/tnl/territories.xlsx", "/territoire/213801517"]


async def test_a_heavy_requests_own_sub_requests_run_within_its_slot():
    app = HeldApp()
    site = app.site = heavy_requests.wrap(app, HeavyQueue(slots=1, queue=0, wait_seconds=0.1))
    assert (await asyncio.wait_for(call(site, "/tnl/territories.xlsx", b"nested=1"), 5))[0] == 200
    assert app.started == ["/tnl/territories.xlsx", "/tnl/territories.json"]


async def test_a_503_for_an_api_path_is_json():
    app = HeldApp()
    site = heavy_requests.wrap(app, HeavyQueue(slots=0, queue=0))
    status, _, body = await call(site, "/tnl/territories.json", b"_size=max")
    assert status == 503 and json.loads(body) == {"ok": False, "error": heavy_requests.BUSY, "status": 503}


async def test_a_complete_csv_export_ignores_the_clients_page_size():
    seen = []

    async def app(scope, receive, send):
        seen.append(parse_qsl(scope["query_string"].decode()))

    site = complete_csv.wrap(app)
    for query in (b"_size=1", b"kind=commune&_size=1&_stream=on", b""):
        await site({"type": "http", "method": "GET", "path": "/tnl/territories.csv", "query_string": query}, None, None)
    await site({"type": "http", "method": "GET", "path": "/tnl/territories.csv", "query_string": b"_size=10&_next=20"},
               None, None)
    assert seen == [[("_stream", "on"), ("_size", "max")], [("kind", "commune"), ("_stream", "on"), ("_size", "max")],
                    [("_stream", "on"), ("_size", "max")], [("_size", "10"), ("_next", "20")]]


async def test_heavy_requests_run_off_the_servers_event_loop():
    threads = []

    async def app(scope, receive, send):
        threads.append(threading.get_ident())
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    site = heavy_requests.wrap(app, HeavyQueue())
    assert (await call(site, "/tnl/territories.xlsx"))[2] == b"ok"
    assert (await call(site, "/territoire/213801517"))[2] == b"ok"
    assert threads[0] != threading.get_ident() and threads[1] == threading.get_ident()


async def test_the_build_writes_complete_exports_that_are_served_as_files_with_ranges(package_dir, tmp_path):
    database = await asyncio.to_thread(build, package_dir, tmp_path / "site" / "tnl.db", complete_exports=True)
    release = database.resolve().parent
    sums = read_sums(release / EXPORTS_DIRECTORY / SUMS_NAME)
    assert {"territories.csv", "territories.xlsx", "territory_history.csv"} <= set(sums)
    assert all(bundle.sha256(release / EXPORTS_DIRECTORY / name) == digest for name, digest in sums.items())
    datasette = datasette_app(database)
    whole = await datasette.client.get("/tnl/territories.csv?_size=1")  # the client's page size changes nothing
    assert (whole.status_code, whole.headers["x-cache"]) == (200, "file")
    assert whole.content == (release / EXPORTS_DIRECTORY / "territories.csv").read_bytes()
    computed = await datasette.client.get("/tnl/territories.csv?_nocount=1")  # not a file: the site computes it
    assert computed.headers["x-cache"] != "file" and computed.content == whole.content
    part = await datasette.client.get("/tnl/territories.csv", headers={"range": "bytes=10-19"})
    assert (part.status_code, part.content) == (206, whole.content[10:20])
    assert part.headers["content-range"] == f"bytes 10-19/{len(whole.content)}"
    tail = await datasette.client.get("/tnl/territories.xlsx", headers={"range": "bytes=-100"})
    assert (tail.status_code, tail.content) == (206, (release / EXPORTS_DIRECTORY / "territories.xlsx").read_bytes()[-100:])
    beyond = await datasette.client.get("/tnl/territories.csv", headers={"range": f"bytes={len(whole.content)}-"})
    assert beyond.status_code == 416 and beyond.headers["content-range"] == f"bytes */{len(whole.content)}"
    again = await datasette.client.get("/tnl/territories.csv", headers={"if-none-match": whole.headers["etag"]})
    assert again.status_code == 304
    filtered = await datasette.client.get("/tnl/territories.csv?kind=region")
    assert filtered.status_code == 200 and filtered.headers["x-cache"] != "file"
    member = await datasette.client.get("/-/paquet/territories.csv", headers={"range": "bytes=0-1"})
    assert (member.status_code, member.headers["x-cache"]) == (206, "file")
