"""Absolute addresses for links that leave the site (canonical URLs, link previews, feeds, copy-paste snippets).

The public base URL is configured in metadata.yml (`plugins: tnl-partage: base_url: https://…`) and is then used for
every absolute address. Without it, the request's Host is used only when it is a loopback name (local use and tests);
any other Host gives `http://localhost`: a visitor's Host header never writes the site's addresses (issue 26: a
request with `Host: evil.example` put that host in robots.txt and the sitemap). Set base_url in production.
The sitemap and robots.txt use it too, so that canonical and listed addresses agree.
"""
from __future__ import annotations

import re
import weakref

SETTING = "tnl-partage"
LOOPBACK_HOST = re.compile(r"(localhost|127\.0\.0\.1|\[::1\])(:[0-9]{1,5})?")
FALLBACK = "http://localhost"
_configured: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # datasette -> its configured base URL, or ""


def _configured_base_url(datasette) -> str:
    """The base URL metadata.yml configures, read once per instance: Datasette's plugin_config() merges the whole
    metadata on every call (a tenth of a millisecond, as much as a third of a cold territory page's SQL and data)."""
    if datasette not in _configured:
        _configured[datasette] = ((datasette.plugin_config(SETTING) or {}).get("base_url") or "").rstrip("/")
    return _configured[datasette]


def base_url(datasette, request) -> str:
    configured = _configured_base_url(datasette)
    if configured:
        return configured
    if LOOPBACK_HOST.fullmatch(request.host or ""):
        return datasette.absolute_url(request, "/").rstrip("/")
    return FALLBACK


def absolute(datasette, request, path: str) -> str:
    return base_url(datasette, request) + path
