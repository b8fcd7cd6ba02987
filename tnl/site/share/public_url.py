"""Absolute addresses for links that leave the site (canonical URLs, link previews, feeds, copy-paste snippets).

The public base URL is configured in metadata.yml (`plugins: tnl-partage: base_url: https://…`); without it, the
address the request came in on is used, as Datasette makes it (fine locally; set it in production, behind a proxy).
The sitemap and robots.txt use it too, so that canonical and listed addresses agree.
"""
from __future__ import annotations

SETTING = "tnl-partage"


def base_url(datasette, request) -> str:
    configured = ((datasette.plugin_config(SETTING) or {}).get("base_url") or "").rstrip("/")
    return configured or datasette.absolute_url(request, "/").rstrip("/")


def absolute(datasette, request, path: str) -> str:
    return base_url(datasette, request) + path
