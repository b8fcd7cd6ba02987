"""Serve repeated GET requests from memory: the database is immutable, so a response computed once stays true.

- Single flight (single_flight.py): concurrent requests for one response nobody has computed yet share one
  computation, whether the response is kept afterwards or not (a burst on a new URL costs one computation); a
  response too big to keep is shared through a temporary file that each client reads at its own pace.
- Each kept response is stored once as sent (with Content-Length, never chunked) and once gzipped when that is
  worth it; clients that accept gzip get the compressed copy (`Vary: Accept-Encoding`). The copy is made when the
  first client that accepts gzip is sent the response, never before: a response only ever sent uncompressed (nginx's
  non-gzip variant, a script, a crawler) costs no compression.
- A strong ETag derived from the site's fingerprint (database hash and site code) and the URL; `If-None-Match` gets a 304.
- Cache-Control on every cacheable response that has none, with Datasette's `default_cache_ttl`.
- One key for one resource: the key is what routing and rendering see, byte for byte: the scheme and host that
  absolute URLs are built from, the raw path (Datasette routes on it: `/territoire/21380151%37` is not
  `/territoire/213801517`, `%2F` is not `/`) and the raw query string. A variant of an address never answers for
  another one.
- Entries expire: a 200 after `default_cache_ttl`, a 404 or a redirect after ERROR_MAX_AGE (also its Cache-Control).
- Bounded LRU: total bytes, bytes per response, number of entries and key length. 404s are kept only for URLs
  without a query string (arbitrary query strings would fill the cache with junk). Responses that set cookies
  or say `no-store`/`private` are never kept.
"""
from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from functools import wraps
from typing import Callable, NamedTuple

from zlib_ng import zlib_ng

from tnl.site.http.single_flight import Flight, deadline, unless_disconnected

MAX_TOTAL_BYTES = 64 * 1024 * 1024
MAX_RESPONSE_BYTES = 2 * 1024 * 1024
MAX_ENTRIES = 20_000
MAX_KEY_BYTES = 2048  # scheme + host + path + query string; longer URLs are computed every time
ENTRY_OVERHEAD = 512  # bytes an entry costs beyond its bodies and key (headers, tuples, dict slot)
ERROR_MAX_AGE = 60  # a 404 or a redirect: kept (and cacheable downstream) this long
MIN_GZIP_BYTES = 512
# zlib level 5 rather than 6: measured on the site's pages (issue 24), 15 % less CPU for a territory page's HTML and a
# third less for its JSON, for 0.7 % and 1.9 % more bytes; level 4 saves twice as much CPU for 3 % to 8 % more bytes.
# Compressed by zlib-ng (the same gzip format, a faster deflate): at the same level, 858 of the site's pages (territory
# HTML and JSON, tables) cost about 40 % less CPU than with zlib (0.37 against 0.63 ms for a territory page's HTML)
# for the same bytes within 0.7 % (issue 24).
GZIP_LEVEL = 5
GZIP_WBITS = 31  # a gzip stream (header without a name, mtime 0, and trailer), as gzip.compress(mtime=0) writes
COMPRESSIBLE = (b"text/", b"application/json", b"application/javascript", b"application/xml",
                b"application/atom+xml", b"application/geo+json", b"image/svg+xml")
# Set per representation when the response is sent, never stored (an app's own Content-Encoding is kept as is).
REPRESENTATION_HEADERS = {b"content-length", b"transfer-encoding", b"etag", b"x-cache"}


class CachedResponse(NamedTuple):
    status: int
    headers: tuple  # ((name, value), ...) lowercase names, without the representation headers
    body: bytes
    gzipped: bytes | None  # None: no compressed copy (not worth it, or not made yet: see `compressible`)
    etag: bytes | None  # of the identity body; the gzipped one adds `-gz`
    expires: float = float("inf")  # time.monotonic() after which the entry is computed again
    compressible: bool = False  # a gzipped copy is to be made when a client that accepts gzip first gets it

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzipped or b"") + ENTRY_OVERHEAD

    def with_gzip(self) -> CachedResponse:
        """The same response with its compressed copy, made now (kept only when smaller than the body)."""
        gzipped = zlib_ng.compress(self.body, level=GZIP_LEVEL, wbits=GZIP_WBITS)
        return self._replace(gzipped=gzipped if len(gzipped) < len(self.body) else None, compressible=False)


class ResponseCache:
    def __init__(self, max_total_bytes: int = MAX_TOTAL_BYTES, max_response_bytes: int = MAX_RESPONSE_BYTES,
                 max_entries: int = MAX_ENTRIES):
        self.max_total_bytes = max_total_bytes
        self.max_response_bytes = max_response_bytes
        self.max_entries = max_entries
        self.entries: OrderedDict = OrderedDict()
        self.total_bytes = 0
        self.in_flight: dict = {}  # key -> the Flight computing that response (single_flight.py)

    def get(self, key) -> CachedResponse | None:
        entry = self.entries.get(key)
        if entry is not None and entry.expires <= time.monotonic():
            self._remove(key)
            return None
        if entry is not None:
            self.entries.move_to_end(key)
        return entry

    def put(self, key, entry: CachedResponse) -> None:
        if len(entry.body) > self.max_response_bytes or key in self.entries:
            return
        self.entries[key] = entry
        self.total_bytes += entry.size + _key_size(key)
        while self.total_bytes > self.max_total_bytes or len(self.entries) > self.max_entries:
            self._remove(next(iter(self.entries)))

    def replace(self, key, old: CachedResponse, new: CachedResponse) -> None:
        """`new` in place of `old` (its gzipped copy made), if `old` is still the entry kept for key."""
        if self.entries.get(key) is not old:
            return
        self.entries[key] = new
        self.total_bytes += new.size - old.size
        while self.total_bytes > self.max_total_bytes or len(self.entries) > self.max_entries:
            self._remove(next(iter(self.entries)))

    def _remove(self, key) -> None:
        self.total_bytes -= self.entries.pop(key).size + _key_size(key)


def _key_size(key) -> int:
    return sum(len(part) for part in key)


def cache_key(scope):
    """(scheme, host, raw path, raw query string): what Datasette routes on and absolute URLs are made of."""
    if scope["type"] != "http" or scope["method"] != "GET":
        return None
    headers = dict(scope.get("headers") or [])
    if b"cookie" in headers or b"authorization" in headers:
        return None
    # uvicorn's raw_path is the path alone, httpx's (Datasette's test client) has the query string: as the router does
    raw_path = (scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")).partition(b"?")[0]
    key = (scope.get("scheme", "http").encode(), headers.get(b"host", b""), raw_path, scope.get("query_string", b""))
    return key if _key_size(key) <= MAX_KEY_BYTES else None


def etag_for(fingerprint: str, key) -> bytes:
    """Strong validator of one URL for one database and code: same bytes on every replica serving them."""
    url = hashlib.sha256(b"\0".join(key)).hexdigest()[:16]
    return f'"{fingerprint[:16]}-{url}"'.encode()


def make_entry(status: int, headers, body: bytes, etag: bytes, max_age: int) -> CachedResponse:
    """The response as it will be stored: representation headers removed, Cache-Control and Vary added; marked
    `compressible` when a gzipped copy is worth making (CachedResponse.with_gzip, at the first client that takes it)."""
    kept = [(bytes(name).lower(), bytes(value)) for name, value in headers]
    names = {name for name, _ in kept}
    own_etag = next((value for name, value in kept if name == b"etag"), None)
    kept = [(name, value) for name, value in kept if name not in REPRESENTATION_HEADERS]
    lifetime = max_age if status == 200 else ERROR_MAX_AGE
    if b"cache-control" not in names and status in (200, 301, 302, 404):
        kept.append((b"cache-control", f"public, max-age={lifetime}".encode()))
    content_type = next((value for name, value in kept if name == b"content-type"), b"")
    compressible = False
    if content_type.startswith(COMPRESSIBLE) and b"content-encoding" not in names:
        kept = [(name, value) for name, value in kept if name != b"vary"] + [(b"vary", _vary(headers))]
        compressible = len(body) >= MIN_GZIP_BYTES
    cache_control = b",".join(value for name, value in kept if name == b"cache-control").lower()
    validated = status == 200 and b"no-store" not in cache_control  # nothing to revalidate in a health probe
    return CachedResponse(status, tuple(kept), body, None, (own_etag or etag) if validated else None,
                          time.monotonic() + lifetime, compressible)


def _vary(headers) -> bytes:
    values = [bytes(v) for name, v in headers if bytes(name).lower() == b"vary"]
    fields = [f.strip() for v in values for f in v.split(b",") if f.strip()]
    if b"accept-encoding" not in {f.lower() for f in fields}:
        fields.append(b"Accept-Encoding")
    return b", ".join(fields)


def accepts_gzip(value: bytes) -> bool:
    for part in value.lower().split(b","):
        coding, _, params = part.partition(b";")
        if coding.strip() in (b"gzip", b"*"):
            quality = params.strip().removeprefix(b"q=").strip() if params.strip().startswith(b"q=") else b"1"
            try:
                return float(quality) > 0
            except ValueError:
                return False
    return False


def not_modified(entry_etags: tuple, if_none_match: bytes | None) -> bool:
    if not if_none_match or not any(entry_etags):
        return False
    candidates = {tag.strip().removeprefix(b"W/") for tag in if_none_match.split(b",")}
    return b"*" in candidates or any(tag in candidates for tag in entry_etags if tag)


async def send_entry(entry: CachedResponse, request_headers: dict, send, cache_status: bytes) -> None:
    gzipped = entry.gzipped is not None and accepts_gzip(request_headers.get(b"accept-encoding", b""))
    body = entry.gzipped if gzipped else entry.body
    etag = entry.etag and (entry.etag[:-1] + b'-gz"' if gzipped else entry.etag)
    headers = [*entry.headers, (b"x-cache", cache_status)]
    if etag:
        headers.append((b"etag", etag))
    gz_etag = entry.etag and entry.etag[:-1] + b'-gz"'
    if not_modified((entry.etag, gz_etag), request_headers.get(b"if-none-match")):
        kept = {b"cache-control", b"vary", b"etag", b"x-cache", b"expires", b"access-control-allow-origin"}
        await send({"type": "http.response.start", "status": 304,
                    "headers": [(name, value) for name, value in headers if name in kept]})
        await send({"type": "http.response.body", "body": b""})
        return
    if gzipped:
        headers.append((b"content-encoding", b"gzip"))
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": entry.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def wrap(app, cache: ResponseCache, fingerprint: Callable[[], str], max_age: Callable[[], int]):
    """`fingerprint()` identifies the served database and code (ETags); `max_age()` is the Cache-Control max-age."""
    @wraps(app)
    async def cached_app(scope, receive, send):
        key = cache_key(scope)
        if key is None:
            await app(scope, receive, send)
            return
        request_headers = dict(scope.get("headers") or [])
        entry = cache.get(key)
        if entry is not None:
            await send_entry(_gzipped_if_taken(entry, request_headers, cache, key), request_headers, send, b"hit")
            return
        flight, leader = _joined_flight(app, scope, cache, key)
        flight.join()
        try:
            await unless_disconnected(
                _send_flight(flight, cache, key, request_headers, send, b"miss" if leader else b"hit", fingerprint, max_age),
                receive)
        finally:
            flight.leave()

    return cached_app


def _joined_flight(app, scope, cache: ResponseCache, key) -> tuple[Flight, bool]:
    """The computation of this response under way, or a new one (True): single flight for every GET."""
    flight = cache.in_flight.get(key)
    if flight is not None and not flight.abandoned and not flight.done:  # a finished one may have closed its file
        return flight, False
    flight = cache.in_flight[key] = Flight(cache.max_response_bytes)

    def landed():
        if cache.in_flight.get(key) is flight:
            del cache.in_flight[key]
    flight.begin(app, scope, landed)
    return flight, True


async def _send_flight(flight: Flight, cache: ResponseCache, key, request_headers, send, cache_status: bytes,
                       fingerprint, max_age) -> None:
    """One client's copy of a flight's response: from memory (kept in the cache if it may be), or from its file."""
    await flight.ready()
    if not flight.spilled and (flight.error is not None or flight.start is None):
        raise flight.error or RuntimeError("the application sent no response")  # failed before its response was whole
    if not flight.spilled:
        if flight.result is None:  # the first reader makes the entry, keeps it if it may, and shares it
            flight.result = make_entry(flight.start["status"], flight.start.get("headers") or [], flight.body,
                                       etag_for(fingerprint(), key), max_age())
            if _keepable(flight.result, key):
                cache.put(key, flight.result)
        flight.result = _gzipped_if_taken(flight.result, request_headers, cache, key)
        await send_entry(flight.result, request_headers, send, cache_status)
        return
    # Too big to keep: the same validators and Cache-Control, then the body as the file grows.
    start = flight.start
    head = make_entry(start["status"], start.get("headers") or [], b"", etag_for(fingerprint(), key), max_age())
    if not_modified((head.etag,), request_headers.get(b"if-none-match")):
        await send_entry(head, request_headers, send, cache_status)
        return
    headers = [*head.headers, (b"x-cache", cache_status), *([(b"etag", head.etag)] if head.etag else [])]
    headers += [(n, v) for n, v in start.get("headers") or [] if bytes(n).lower() == b"content-length"]
    await deadline(send({"type": "http.response.start", "status": start["status"], "headers": headers}))
    await flight.stream_file(send)


def _gzipped_if_taken(entry: CachedResponse, request_headers: dict, cache: ResponseCache, key) -> CachedResponse:
    """The entry with its gzipped copy if this client takes gzip and nobody made the copy yet (then kept in the
    cache in place of the entry): compressed once, at the first client that needs it."""
    if not entry.compressible or not accepts_gzip(request_headers.get(b"accept-encoding", b"")):
        return entry
    compressed = entry.with_gzip()
    cache.replace(key, entry, compressed)
    return compressed


def _keepable(entry: CachedResponse, key) -> bool:
    names = {name for name, _ in entry.headers}
    cache_control = b",".join(value for name, value in entry.headers if name == b"cache-control").lower()
    if entry.status not in (200, 301, 302, 404) or b"set-cookie" in names:
        return False
    if b"no-store" in cache_control or b"private" in cache_control:
        return False
    return entry.status != 404 or not key[3]  # a 404 is kept only for a URL without a query string
