"""The response cache on its own (a counting ASGI app) and in the real site: single flight, gzip, ETag/304,
Content-Length, Cache-Control and its bounds."""
from __future__ import annotations

import asyncio
import gzip
from types import SimpleNamespace

import pytest
from conftest import DATA

from tnl.pipeline import bundle, datapackage
from tnl.site.http import response_cache, single_flight
from tnl.site.http.response_cache import ResponseCache

FINGERPRINT = "ab" * 32
PAGE = ("<p>" + "territoire " * 400 + "</p>").encode()


class CountingApp:
    """An ASGI app that takes a while per response (so that concurrent requests overlap) and counts how many it computed."""

    def __init__(self, status=200, body=PAGE, content_type=b"text/html; charset=utf-8", headers=(), delay=0.05):
        self.calls, self.status, self.body, self.content_type, self.headers = 0, status, body, content_type, headers
        self.delay = delay

    async def __call__(self, scope, receive, send):
        self.calls += 1
        await asyncio.sleep(self.delay)
        await send({"type": "http.response.start", "status": self.status,
                    "headers": [(b"content-type", self.content_type), *self.headers]})
        await send({"type": "http.response.body", "body": self.body[: len(self.body) // 2], "more_body": True})
        await send({"type": "http.response.body", "body": self.body[len(self.body) // 2:]})


async def get(app, path="/territoire/1", query=b"", headers=(), raw_path=None, scheme="http"):
    """One GET through app; returns (status, headers dict, body, number of body events)."""
    scope = {"type": "http", "method": "GET", "path": path, "query_string": query, "scheme": scheme,
             "headers": [(b"host", b"tnl.example"), *headers], **({"raw_path": raw_path} if raw_path else {})}
    events = []

    async def send(event):
        events.append(event)

    await app(scope, connected_client(), send)
    start = events[0]
    return start["status"], dict(start["headers"]), b"".join(e.get("body", b"") for e in events[1:]), len(events) - 1


def connected_client(disconnected: asyncio.Event | None = None):
    """The receive of a client that sent its GET and stays connected (until `disconnected` is set)."""
    sent = False

    async def receive():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await (disconnected or asyncio.Event()).wait()
        return {"type": "http.disconnect"}
    return receive


def cached(app, cache=None):
    return response_cache.wrap(app, cache or ResponseCache(), fingerprint=lambda: FINGERPRINT, max_age=lambda: 3600)


async def test_concurrent_requests_for_one_new_url_compute_it_once():
    app = CountingApp()
    site = cached(app)
    answers = await asyncio.gather(*(get(site) for _ in range(64)))
    assert app.calls == 1
    assert {body for _, _, body, _ in answers} == {PAGE}
    assert sorted(headers[b"x-cache"] for _, headers, _, _ in answers) == [b"hit"] * 63 + [b"miss"]


async def test_distinct_urls_are_computed_separately():
    app = CountingApp()
    site = cached(app)
    await asyncio.gather(*(get(site, f"/territoire/{n}") for n in range(5)))
    assert app.calls == 5


async def test_a_response_that_cannot_be_kept_is_computed_once_for_concurrent_requests_then_again():
    app = CountingApp(status=500)
    site = cached(app)
    answers = await asyncio.gather(*(get(site) for _ in range(3)))
    assert [status for status, *_ in answers] == [500, 500, 500]
    assert app.calls == 1
    await get(site)
    assert app.calls == 2  # not kept: the next request computes it again


async def test_gzip_stored_once_and_sent_to_clients_that_accept_it():
    site = cached(CountingApp())
    _, plain_headers, plain, events = await get(site)
    _, gz_headers, compressed, _ = await get(site, headers=[(b"accept-encoding", b"gzip, deflate, br")])
    assert events == 1 and plain_headers[b"content-length"] == str(len(PAGE)).encode() and plain == PAGE
    assert b"content-encoding" not in plain_headers
    assert gz_headers[b"content-encoding"] == b"gzip" and gzip.decompress(compressed) == PAGE
    assert gz_headers[b"content-length"] == str(len(compressed)).encode() and len(compressed) < len(PAGE) / 10
    assert plain_headers[b"vary"] == gz_headers[b"vary"] == b"Accept-Encoding"
    assert plain_headers[b"etag"] != gz_headers[b"etag"]  # two representations, two strong validators
    _, refused, body, _ = await get(site, headers=[(b"accept-encoding", b"gzip;q=0, identity")])
    assert body == PAGE and b"content-encoding" not in refused


async def test_the_gzipped_copy_is_made_at_the_first_client_that_takes_it_and_kept(monkeypatch):
    compressions = []
    compress = response_cache.zlib_ng.compress
    monkeypatch.setattr(response_cache.zlib_ng, "compress", lambda *a, **k: compressions.append(1) or compress(*a, **k))
    cache = ResponseCache()
    site = cached(CountingApp(), cache)
    for _ in range(3):
        _, plain_headers, plain, _ = await get(site)
    assert compressions == [] and plain == PAGE and b"content-encoding" not in plain_headers
    (key, entry), = cache.entries.items()
    assert entry.gzipped is None and entry.compressible and cache.total_bytes == entry.size + sum(map(len, key))
    for _ in range(3):
        _, gz_headers, compressed, _ = await get(site, headers=[(b"accept-encoding", b"gzip")])
        assert gz_headers[b"content-encoding"] == b"gzip" and gzip.decompress(compressed) == PAGE
    assert compressions == [1]
    entry = cache.entries[key]
    assert entry.gzipped == compressed and not entry.compressible
    assert cache.total_bytes == entry.size + sum(map(len, key))


async def test_images_and_small_bodies_are_not_compressed():
    site = cached(CountingApp(body=b"\x89PNG" * 500, content_type=b"image/png"))
    _, headers, _, _ = await get(site, headers=[(b"accept-encoding", b"gzip")])
    assert b"content-encoding" not in headers and b"vary" not in headers
    site = cached(CountingApp(body=b"{}", content_type=b"application/json"))
    _, headers, body, _ = await get(site, headers=[(b"accept-encoding", b"gzip")])
    assert body == b"{}" and b"content-encoding" not in headers


async def test_a_body_the_app_encoded_itself_is_sent_as_it_is():
    encoded = gzip.compress(PAGE)
    site = cached(CountingApp(body=encoded, headers=[(b"content-encoding", b"gzip")]))
    for accept in (b"gzip", b"identity"):
        _, headers, body, _ = await get(site, headers=[(b"accept-encoding", accept)])
        assert (headers[b"content-encoding"], body) == (b"gzip", encoded)


async def test_etag_depends_on_fingerprint_and_url_and_if_none_match_gets_304():
    cache = ResponseCache()
    _, first, _, _ = await get(cached(CountingApp(), cache))
    _, other_url, _, _ = await get(cached(CountingApp()), "/territoire/2")
    other_fingerprint = response_cache.wrap(CountingApp(), ResponseCache(), fingerprint=lambda: "cd" * 32, max_age=lambda: 1)
    _, new_fingerprint, _, _ = await get(other_fingerprint)
    assert first[b"etag"].startswith(b'"abababababababab-') and first[b"etag"] != other_url[b"etag"] != new_fingerprint[b"etag"]
    status, headers, body, _ = await get(cached(CountingApp(), cache), headers=[(b"if-none-match", first[b"etag"])])
    assert (status, body, headers[b"etag"]) == (304, b"", first[b"etag"])
    assert headers[b"cache-control"] == b"public, max-age=3600"
    status, _, body, _ = await get(cached(CountingApp(), cache), headers=[(b"if-none-match", b'"stale"')])
    assert (status, body) == (200, PAGE)


async def test_cache_control_added_when_missing_and_kept_when_given():
    _, headers, _, _ = await get(cached(CountingApp()))
    assert headers[b"cache-control"] == b"public, max-age=3600"
    _, headers, _, _ = await get(cached(CountingApp(headers=[(b"cache-control", b"max-age=60")])))
    assert headers[b"cache-control"] == b"max-age=60"
    _, headers, _, _ = await get(cached(CountingApp(status=404)))
    assert headers[b"cache-control"] == b"public, max-age=60"


async def test_no_store_responses_are_neither_kept_nor_validated():
    app = CountingApp(headers=[(b"cache-control", b"no-store")])
    site = cached(app)
    _, headers, _, _ = await get(site)
    await get(site)
    assert app.calls == 2 and b"etag" not in headers


async def test_a_big_response_streams_with_its_validators_and_is_not_kept():
    big = b"x" * 4000
    app = CountingApp(body=big, content_type=b"application/octet-stream")
    site = cached(app, ResponseCache(max_response_bytes=1000))
    status, headers, body, events = await get(site)
    assert (status, body, events) == (200, big, 2) and headers[b"cache-control"] == b"public, max-age=3600"
    status, _, body, _ = await get(site, headers=[(b"if-none-match", headers[b"etag"])])
    assert (status, body, app.calls) == (304, b"", 2)


async def test_404_kept_only_without_query_string():
    app = CountingApp(status=404)
    site = cached(app)
    for _ in range(2):
        await get(site, "/territoire/nope")
        await get(site, "/tnl/nope", query=b"x=" + b"y" * 100)
    assert app.calls == 3


async def test_the_key_is_the_raw_path_and_the_scheme():
    """Datasette routes on the raw path and builds absolute URLs from the scheme: neither variant shares an entry."""
    app = CountingApp()
    site = cached(app)
    await get(site, "/territoire/213801517", raw_path=b"/territoire/21380151%37")
    await get(site, "/territoire/213801517", raw_path=b"/territoire/213801517")
    await get(site, "/territoire/213801517", raw_path=b"/territoire/213801517", scheme="https")
    _, headers, _, _ = await get(site, "/territoire/213801517", raw_path=b"/territoire/213801517?x=1")
    assert app.calls == 3 and headers[b"x-cache"] == b"hit"  # httpx's raw_path has the query string


async def test_entries_expire_and_errors_sooner(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(response_cache, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    pages, missing, moved = CountingApp(), CountingApp(status=404), CountingApp(status=302, headers=[(b"location", b"/")])
    sites = [cached(app) for app in (pages, missing, moved)]
    for site in sites:
        await get(site)
    _, headers, _, _ = await get(sites[2])
    assert headers[b"cache-control"] == f"public, max-age={response_cache.ERROR_MAX_AGE}".encode()
    clock[0] += response_cache.ERROR_MAX_AGE + 1
    for site in sites:
        await get(site)
    assert (pages.calls, missing.calls, moved.calls) == (1, 2, 2)
    clock[0] += 3600
    await get(sites[0])
    assert pages.calls == 2


async def test_keys_are_bounded_in_length_and_number():
    cache = ResponseCache(max_entries=10)
    app = CountingApp(body=b"ok", delay=0)  # one request after the other: nothing to overlap
    site = cached(app, cache)
    await get(site, "/tnl/territories", query=b"a=" + b"b" * response_cache.MAX_KEY_BYTES)
    assert len(cache.entries) == 0
    for n in range(50):
        await get(site, f"/territoire/{n}")
    assert len(cache.entries) == 10
    assert cache.total_bytes == sum(entry.size + response_cache._key_size(key) for key, entry in cache.entries.items())


async def test_total_bytes_are_bounded():
    cache = ResponseCache(max_total_bytes=10 * (len(PAGE) + 2048))
    site = cached(CountingApp(delay=0), cache)  # one request after the other: nothing to overlap
    for n in range(40):
        await get(site, f"/territoire/{n}")
    assert 0 < cache.total_bytes <= cache.max_total_bytes and len(cache.entries) < 40


@pytest.mark.parametrize("path", ["/", "/territoire/213801517", "/tnl/results.json", "/tnl/palmares?edition=2021",
                                  "/static/site.css", "/-/static/app.css", "/sitemap.xml"])
async def test_site_pages_are_compressed_validated_and_cacheable(datasette, path):
    first = await datasette.client.get(path, headers={"accept-encoding": "gzip"})
    assert first.status_code == 200
    assert first.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in first.headers["vary"]
    assert "max-age=" in first.headers["cache-control"]
    assert int(first.headers["content-length"]) > 0
    again = await datasette.client.get(path, headers={"if-none-match": first.headers["etag"], "accept-encoding": "gzip"})
    assert again.status_code == 304 and again.content == b""
    plain = await datasette.client.get(path, headers={"accept-encoding": "identity"})
    assert plain.content == first.content and plain.headers["etag"] != first.headers["etag"]
    assert plain.headers["x-cache"] == "hit" and plain.headers["content-length"] == str(len(plain.content))


async def test_the_site_computes_a_new_url_once_for_a_burst(datasette):
    path = "/tnl/territories.json?_size=50&_facet=departement_code&_facet=kind&_burst=1"
    answers = await asyncio.gather(*(datasette.client.get(path) for _ in range(16)))
    assert {a.status_code for a in answers} == {200}
    assert sorted(a.headers["x-cache"] for a in answers) == ["hit"] * 15 + ["miss"]


async def test_downloads_carry_validators(datasette):
    for path in ("/tnl.db", f"/-/telechargements/{bundle.zip_name(datapackage.read(DATA))}", "/-/telechargements/SHA256SUMS",
                 "/-/paquet/datapackage.json"):
        response = await datasette.client.get(path)
        assert response.headers["etag"] and "max-age=" in response.headers["cache-control"], path
        again = await datasette.client.get(path, headers={"if-none-match": response.headers["etag"]})
        assert again.status_code == 304, path


class StreamingApp:
    """An ASGI app streaming `pieces` pieces of `piece`, pausing between them; counts its runs and cancellations."""

    def __init__(self, pieces=20, piece=b"y" * 1000, pause=0.005):
        self.pieces, self.piece, self.pause = pieces, piece, pause
        self.calls = self.sent = self.cancelled = 0

    async def __call__(self, scope, receive, send):
        self.calls += 1
        try:
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/csv")]})
            for _ in range(self.pieces):
                await asyncio.sleep(self.pause)
                await send({"type": "http.response.body", "body": self.piece, "more_body": True})
                self.sent += 1
            await send({"type": "http.response.body", "body": b""})
        except asyncio.CancelledError:
            self.cancelled += 1
            raise


def scope_for(path="/tnl/territories.csv"):
    return {"type": "http", "method": "GET", "path": path, "query_string": b"", "headers": [(b"host", b"tnl.example")]}


async def test_concurrent_requests_for_a_big_streamed_response_compute_it_once():
    app = StreamingApp()
    site = cached(app, ResponseCache(max_response_bytes=1000))
    answers = await asyncio.gather(*(get(site, "/tnl/territories.csv") for _ in range(8)))
    assert app.calls == 1
    assert [(status, body) for status, _, body, _ in answers] == [(200, b"y" * 20_000)] * 8
    assert sorted(headers[b"x-cache"] for _, headers, _, _ in answers) == [b"hit"] * 7 + [b"miss"]
    await get(site, "/tnl/territories.csv")
    assert app.calls == 2  # too big to keep: computed again once the burst is over


async def test_a_stream_stops_when_its_only_client_goes_away():
    app = StreamingApp(pieces=10_000)
    site = cached(app, ResponseCache(max_response_bytes=1000))
    gone, received = asyncio.Event(), []

    async def send(event):
        received.append(event)
        if len(received) == 3:
            gone.set()

    await asyncio.wait_for(site(scope_for(), connected_client(gone), send), 5)
    await asyncio.sleep(0.05)
    assert app.cancelled == 1 and app.sent < 100


async def test_a_client_that_stops_reading_holds_only_itself(monkeypatch):
    monkeypatch.setattr(single_flight, "WRITE_SECONDS", 0.2)
    app = StreamingApp()
    site = cached(app, ResponseCache(max_response_bytes=1000))

    async def never_reads(event):
        if event["type"] == "http.response.body":
            await asyncio.Event().wait()

    stalled = asyncio.ensure_future(site(scope_for(), connected_client(), never_reads))
    await asyncio.sleep(0)  # the stalled client leads the flight
    status, _, body, _ = await asyncio.wait_for(get(site, "/tnl/territories.csv"), 5)
    assert (status, body, app.calls) == (200, b"y" * 20_000, 1)
    with pytest.raises(single_flight.ClientStalled):
        await asyncio.wait_for(stalled, 5)


async def test_a_request_right_after_a_big_response_gets_it_whole_again():
    app = StreamingApp(pause=0)
    site = cached(app, ResponseCache(max_response_bytes=1000))
    status, headers, body, _ = await get(site, "/tnl/territories.csv")
    again = await get(site, "/tnl/territories.csv", headers=[(b"if-none-match", headers[b"etag"])])
    assert again[0] == 304
    for _ in range(2):  # a finished computation, its file closed, is never joined: each request gets every byte
        assert (await get(site, "/tnl/territories.csv"))[:3:2] == (200, b"y" * 20_000)
