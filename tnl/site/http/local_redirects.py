"""Every redirect stays on the site: a `Location` header is made a path of this site before the response leaves.

Datasette answers a trailing slash with a redirect to the raw path without it, so `GET /\\evil.example/` answered
`Location: /\\evil.example`, which browsers read as `//evil.example` (another site); a tab or a newline in a URL is
dropped by browsers, so `/%09/evil.example` would do the same. Here a Location that is not already a plain path
(`/` then anything but `/` or `\\`, no backslash, no control character) becomes one: control characters and
backslashes percent-encoded, leading slashes reduced to one, and an absolute URL reduced to its path and query.
"""
from __future__ import annotations

import re
from functools import wraps
from urllib.parse import urlsplit

UNSAFE = re.compile(rb"[\x00-\x20\x7f\\]")  # control characters, space and backslash: percent-encoded
ABSOLUTE = re.compile(rb"[A-Za-z][A-Za-z0-9+.-]*:")


def site_path(location: bytes) -> bytes:
    """`location` as a path of this site (unchanged when it already is one)."""
    if ABSOLUTE.match(location):
        parts = urlsplit(location)
        location = parts.path + (b"?" + parts.query if parts.query else b"")
    location = UNSAFE.sub(lambda m: b"%%%02X" % m.group()[0], location)
    return b"/" + location.lstrip(b"/")


def wrap(app):
    @wraps(app)
    async def local_app(scope, receive, send):
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        async def checked_send(event):
            if event["type"] == "http.response.start" and 300 <= event["status"] < 400:
                event = dict(event, headers=[(name, site_path(bytes(value)) if bytes(name).lower() == b"location"
                                              else value) for name, value in event.get("headers") or []])
            await send(event)

        await app(scope, receive, checked_send)

    return local_app
