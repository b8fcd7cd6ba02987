"""Datasette's introspection and debug pages answer 404: they show the server's files and internals, not the data.

`/-/databases.json` gave the database's absolute path on the server; `/-/threads`, `/-/plugins`, `/-/messages`,
`/-/allow-debug`, `/-/patterns`, `/-/permissions` and `/-/actor` are for whoever runs Datasette, not its visitors.
Monitoring keeps `/-/versions.json` (versions only, no paths) and the site's own health page.
"""
from __future__ import annotations

import re
from functools import wraps

from tnl.site.http.request_limits import send_error

CLOSED = re.compile(rb"/-/(databases|threads|plugins|messages|allow-debug|patterns|permissions|actor)(\.json)?/*")
MESSAGE = "Page introuvable."


def closed(scope) -> bool:
    """Matched on the raw path, which Datasette routes on (a percent-encoded variant routes nowhere)."""
    raw_path = (scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")).partition(b"?")[0]
    return bool(CLOSED.fullmatch(raw_path)) or bool(CLOSED.fullmatch(scope["path"].encode("utf-8", "surrogateescape")))


def wrap(app):
    @wraps(app)
    async def open_pages_only(scope, receive, send):
        if scope["type"] == "http" and closed(scope):
            await send_error(send, 404, MESSAGE, scope["path"])
            return
        await app(scope, receive, send)

    return open_pages_only
