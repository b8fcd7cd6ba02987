"""Bounded cost per request, checked around Datasette: query strings, OPTIONS, response size.

- A query string longer than MAX_QUERY_STRING_BYTES or with more than MAX_PARAMETERS parameters is refused
  before any view runs: Datasette's table view costs the square of the number of parameters (3,000 took 29 s,
  and every other request waited meanwhile). Real pages use fewer than 20; a SQL query rarely 4 KB.
- OPTIONS (CORS preflight) is answered here, without running the page it names.
- An HTTP version other than 1.0 and 1.1 (`HTTP/9.9`, which uvicorn accepts) gets a 505.
- A response sent in one piece (JSON, HTML) larger than MAX_RESPONSE_BYTES is replaced by a 400: the SQL
  limits (sql_limits.py) already bound what a query fetches, this bounds what any page sends. Streamed
  responses (CSV exports, the database download) are not held back; Datasette's max_csv_mb bounds CSV.
"""
from __future__ import annotations

import json
from functools import wraps

MAX_QUERY_STRING_BYTES = 16 * 1024
MAX_PARAMETERS = 64
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
CORS_PREFLIGHT = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-methods", b"GET, HEAD, OPTIONS"),
    (b"access-control-allow-headers", b"Authorization"),
    (b"access-control-max-age", b"86400"),
    (b"allow", b"GET, HEAD, OPTIONS"),
]
HTTP_VERSIONS = {"1.0", "1.1"}
UNKNOWN_VERSION = "Version HTTP non prise en charge : utilisez HTTP/1.1."
TOO_LONG = f"Adresse trop longue : la partie après « ? » dépasse {MAX_QUERY_STRING_BYTES} octets."
TOO_MANY = f"Trop de paramètres : au plus {MAX_PARAMETERS} paramètres après « ? »."
TOO_LARGE = f"Réponse trop volumineuse (plus de {MAX_RESPONSE_BYTES // (1024 * 1024)} Mo) : demandez moins de lignes (_size) ou filtrez."


def query_string_problem(query_string: bytes) -> tuple[int, str] | None:
    if len(query_string) > MAX_QUERY_STRING_BYTES:
        return 414, TOO_LONG
    if query_string.count(b"&") >= MAX_PARAMETERS:  # Datasette splits parameters on & only
        return 400, TOO_MANY
    return None


async def send_error(send, status: int, message: str, path: str) -> None:
    """A short French error, as JSON for API paths (the shape of Datasette's errors) and as text otherwise."""
    if path.endswith(".json"):
        body = json.dumps({"ok": False, "error": message, "status": status}, ensure_ascii=False).encode()
        content_type = b"application/json; charset=utf-8"
    else:
        body, content_type = message.encode(), b"text/plain; charset=utf-8"
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", content_type), (b"content-length", str(len(body)).encode()),
        (b"access-control-allow-origin", b"*")]})
    await send({"type": "http.response.body", "body": body})


def wrap(app):
    @wraps(app)
    async def limited(scope, receive, send):
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        problem = query_string_problem(scope.get("query_string", b""))
        if scope.get("http_version", "1.1") not in HTTP_VERSIONS:
            problem = 505, UNKNOWN_VERSION
        if problem:
            await send_error(send, *problem, scope["path"])
            return
        if scope["method"] == "OPTIONS":
            await send({"type": "http.response.start", "status": 204, "headers": CORS_PREFLIGHT})
            await send({"type": "http.response.body", "body": b""})
            return
        held = None

        async def bounded_send(event):
            nonlocal held
            if event["type"] == "http.response.start":
                held = event  # sent with the first piece of the body, once its size is known
                return
            if held is not None:
                start, held = held, None
                if not event.get("more_body") and len(event.get("body", b"")) > MAX_RESPONSE_BYTES:
                    await send_error(send, 400, TOO_LARGE, scope["path"])
                    return
                await send(start)
            await send(event)

        await app(scope, receive, bounded_send)

    return limited
