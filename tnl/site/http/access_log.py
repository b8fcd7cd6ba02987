"""One access-log line per request for a hosting team, and a request id on every response and error.

Line: time, request id, client, "method target", status, body bytes, duration in ms, cache status. The request id
is the `X-Request-Id` a proxy sent (nginx's `$request_id`) when it looks like one, else a new one; it is returned
in `X-Request-Id`, so a visitor's error report, the proxy's log and this log meet. A server error or an exception
is also logged on stderr with that id (and the traceback). Replaces uvicorn's access log, which has no duration.
"""
from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from functools import wraps

logger = logging.getLogger("tnl.access")  # stdout, like uvicorn's access log it replaces
errors = logging.getLogger("tnl.errors")  # stderr
REQUEST_ID = re.compile(rb"[A-Za-z0-9._-]{8,64}")
UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\xff\\]")  # control characters, and every byte above ASCII (latin-1 here)


def configure() -> None:
    """Access lines on stdout, errors on stderr; uvicorn's own access lines off (ours have duration and request id).

    Called at the first request: `datasette serve` runs the startup hooks before uvicorn configures its logging."""
    for log, stream in ((logger, sys.stdout), (errors, sys.stderr)):
        if not log.handlers:
            handler = logging.StreamHandler(stream)
            handler.setFormatter(logging.Formatter("%(message)s"))
            log.addHandler(handler)
            log.setLevel(logging.INFO)
            log.propagate = False
    logging.getLogger("uvicorn.access").disabled = True


def request_id(scope) -> bytes:
    given = dict(scope.get("headers") or []).get(b"x-request-id", b"")
    return given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex.encode()


def wrap(app):
    configured = False

    @wraps(app)
    async def logged_app(scope, receive, send):
        nonlocal configured
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        if not configured:
            configure()
            configured = True
        rid = request_id(scope)
        start = time.perf_counter()
        outcome = {"status": 0, "bytes": 0, "cache": "-"}

        async def send_with_id(event):
            if event["type"] == "http.response.start":
                headers = list(event.get("headers") or [])
                outcome["status"] = event["status"]
                outcome["cache"] = next((bytes(v).decode() for k, v in headers if bytes(k).lower() == b"x-cache"), "-")
                event = dict(event, headers=[*headers, (b"x-request-id", rid)])
            elif event["type"] == "http.response.body":
                outcome["bytes"] += len(event.get("body", b""))
            await send(event)

        try:
            await app(scope, receive, send_with_id)
        except Exception:
            errors.exception("ERROR request_id=%s %s: exception", rid.decode(), _target(scope))
            outcome["status"], outcome["exception"] = outcome["status"] or 500, True
            raise
        finally:
            line = _line(scope, rid, outcome, time.perf_counter() - start)
            logger.info(line)
            if outcome["status"] >= 500 and not outcome.get("exception"):
                errors.error("ERROR request_id=%s %s: status %s", rid.decode(), _target(scope), outcome["status"])

    return logged_app


def _target(scope) -> str:
    """The request target as the client sent it (raw path, still percent-encoded), its unprintable characters escaped:
    the decoded path let `%0A` write a line of its own into the log and escape sequences reach a terminal."""
    raw_path = (scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")).partition(b"?")[0]
    query = scope.get("query_string", b"")
    return _printable((raw_path + (b"?" + query if query else b"")).decode("latin-1"))


def _printable(text: str) -> str:
    return UNPRINTABLE.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _line(scope, rid: bytes, outcome: dict, seconds: float) -> str:
    client = (scope.get("client") or ("-", 0))[0]
    when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    target = _target(scope).replace('"', "%22")[:2000]
    return (f'{when} {rid.decode()} {client} "{scope["method"]} {target}" {outcome["status"]} {outcome["bytes"]} '
            f'{seconds * 1000:.1f}ms {outcome["cache"]}')
