"""Serve repeated GET requests from memory: the database is immutable, so a response computed once stays true.

Bounded LRU (total bytes and per-response size), keyed on everything a Datasette response depends on
here: host (absolute `next_url` links), path and query string. Responses that set cookies are never kept.
"""
from collections import OrderedDict
from functools import wraps

MAX_TOTAL_BYTES = 64 * 1024 * 1024
MAX_RESPONSE_BYTES = 2 * 1024 * 1024


class ResponseCache:
    def __init__(self, max_total_bytes: int = MAX_TOTAL_BYTES, max_response_bytes: int = MAX_RESPONSE_BYTES):
        self.max_total_bytes = max_total_bytes
        self.max_response_bytes = max_response_bytes
        self.entries: OrderedDict = OrderedDict()
        self.total_bytes = 0

    def get(self, key):
        entry = self.entries.get(key)
        if entry is not None:
            self.entries.move_to_end(key)
        return entry

    def put(self, key, status: int, headers, body: bytes) -> None:
        if len(body) > self.max_response_bytes or key in self.entries:
            return
        # Tuples of bytes only: the garbage collector stops tracking them, so a full cache adds nothing to its pauses.
        self.entries[key] = (status, tuple((bytes(k), bytes(v)) for k, v in headers), body)
        self.total_bytes += len(body)
        while self.total_bytes > self.max_total_bytes:
            _, (_, _, evicted) = self.entries.popitem(last=False)
            self.total_bytes -= len(evicted)


def cache_key(scope):
    if scope["type"] != "http" or scope["method"] != "GET":
        return None
    headers = dict(scope.get("headers") or [])
    if b"cookie" in headers or b"authorization" in headers:
        return None
    return (headers.get(b"host", b""), scope["path"], scope.get("query_string", b""))


def wrap(app, cache: ResponseCache):
    @wraps(app)
    async def cached_app(scope, receive, send):
        key = cache_key(scope)
        hit = cache.get(key) if key else None
        if hit:
            status, headers, body = hit
            await send({"type": "http.response.start", "status": status, "headers": [*headers, (b"x-cache", b"hit")]})
            await send({"type": "http.response.body", "body": body})
            return
        if key is None:
            await app(scope, receive, send)
            return
        started, chunks, size = {}, [], 0

        async def recording_send(event):
            nonlocal size
            if event["type"] == "http.response.start":
                started.update(event)
                event = dict(event, headers=list(event.get("headers") or []) + [[b"x-cache", b"miss"]])
            elif event["type"] == "http.response.body" and size <= cache.max_response_bytes:
                chunks.append(event.get("body", b""))
                size += len(chunks[-1])
                if not event.get("more_body") and _keepable(started):
                    cache.put(key, started["status"], started.get("headers") or [], b"".join(chunks))
            await send(event)

        await app(scope, receive, recording_send)

    return cached_app


def _keepable(started: dict) -> bool:
    headers = {bytes(k).lower() for k, _ in started.get("headers") or []}
    return started.get("status") in (200, 301, 302, 404) and b"set-cookie" not in headers
