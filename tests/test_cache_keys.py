"""One cache key for one resource (issue 26): no variant of an address can make the cache answer another address.

Each variant (every character percent-encoded in upper and lower case, `%2F`, `~2F`, backslashes, case, doubled and
trailing slashes) of four pages (territory page, badge, embed, table) is requested first, then the page's canonical
address, which must answer exactly what it answers on its own: once on a site where the page was already cached and
once on a fresh site where it was not. Requests are ASGI scopes built as uvicorn builds them from the request line
(`path` percent-decoded, `raw_path` as sent), through the whole site of the small fixture package.
"""
from __future__ import annotations

import asyncio
import hashlib
import re
from urllib.parse import unquote

import pytest

from tnl.site.http.serve import datasette_app

QUERY_TIME = re.compile(rb"Requ\xc3\xaate ex\xc3\xa9cut\xc3\xa9e en [0-9,]+")  # the one part of a table page that varies
PAGES = ["/territoire/213801517", "/territoire/213801517/badge.svg", "/embed/territoire/213801517", "/tnl/territories"]


def variants(path: str) -> list[str]:
    """Addresses a visitor can write that are not `path` byte for byte (some route elsewhere, some to nothing)."""
    found = []
    for i, char in enumerate(path):
        code = f"{ord(char):02X}"
        found += [path[:i] + f"%{code}" + path[i + 1:], path[:i] + f"%{code.lower()}" + path[i + 1:]]
    slashes = [i for i, char in enumerate(path) if char == "/"][1:]
    for i in slashes:
        for replacement in ("%2F", "%2f", "~2F", "\\", "%5C", "//", "/./", "/%2E/", "%252F"):
            found.append(path[:i] + replacement + path[i + 1:])
    found += [path.upper(), path.capitalize(), path + "/", path + "//", "/" + path, "\\" + path, path + "%00",
              path + "%20", path + ".", path + "%2F", path + "\\", "".join(f"%{ord(c):02X}" for c in path)]
    return sorted(set(found) - {path})


def scope(target: str) -> dict:
    raw_path, _, query = target.encode("latin-1").partition(b"?")
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
            "path": unquote(raw_path.decode("latin-1")), "raw_path": raw_path, "query_string": query, "root_path": "",
            "headers": [(b"host", b"127.0.0.1:8001")], "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 8001)}


async def fetch(app, target: str) -> tuple[int, str, dict]:
    """Status, body digest (without the query's duration) and headers of one GET."""
    events = []

    requested = False

    async def receive():  # as a server does: the request once, then nothing until the client leaves
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()

    async def send(event):
        events.append(event)

    await app(scope(target), receive, send)
    start = events[0]
    body = b"".join(e.get("body", b"") for e in events[1:])
    return start["status"], hashlib.sha256(QUERY_TIME.sub(b"", body)).hexdigest(), {bytes(k).decode(): bytes(v).decode("latin-1")
                                                               for k, v in start["headers"]}


@pytest.fixture(scope="module")
async def site(fixture_site):
    datasette = datasette_app(fixture_site / "tnl.db")
    await datasette.invoke_startup()
    return datasette


@pytest.fixture(scope="module")
async def canonical(site) -> dict:
    """What each page answers on a site that never saw anything else."""
    answers = {}
    for path in PAGES:
        answers[path] = await fetch(site.app(), path)
        assert answers[path][0] == 200, path
    return answers


def test_variants_are_many():
    counts = {path: len(variants(path)) for path in PAGES}
    assert all(count > 35 for count in counts.values()), counts


@pytest.mark.parametrize("path", PAGES)
async def test_no_variant_changes_what_a_cached_page_answers(site, canonical, path):
    app = site.app()  # one cache for the whole sequence
    assert (await fetch(app, path))[:2] == canonical[path][:2]
    tried = variants(path)
    assert tried
    for variant in tried:
        await fetch(app, variant)
        status, digest, headers = await fetch(app, path)
        assert (status, digest, headers["x-cache"]) == (*canonical[path][:2], "hit"), variant


@pytest.mark.parametrize("path", PAGES)
async def test_no_variant_decides_what_an_uncached_page_answers(site, canonical, path):
    tried = variants(path)
    assert tried
    for variant in tried:
        app = site.app()  # a fresh cache: the variant is the first request the site sees
        await fetch(app, variant)
        assert (await fetch(app, path))[:2] == canonical[path][:2], variant


OFF_SITE = ["/\\evil.example/", "//evil.example/", "/%5Cevil.example/", "/%5cevil.example/", "/\\\\evil.example/",
            "/%2F%2Fevil.example/", "/%2f%2fevil.example/", "/~2F~2Fevil.example/", "/%09/evil.example/",
            "/\\/evil.example/", "/%5C%5Cevil.example/", "/tnl/\\evil.example/", "/%252F%252Fevil.example/",
            "/\\evil.example/?x=1", "/%E2%80%AE/evil.example/", "///evil.example/"]
SITE_PATH = re.compile(r"/(?![/\\])[^\\\x00-\x20\x7f]*")


@pytest.mark.parametrize("path", [OFF_SITE[0], *PAGES])
async def test_every_redirect_stays_on_the_site(site, path):
    """Each address and its variants, twice (computed, then from the cache): any Location is a path of this site."""
    tried = ([path] + variants(path)) if path in PAGES else OFF_SITE + [v + "/" for v in variants("/evil.example")]
    app = site.app()
    locations = []
    for target in tried * 2:
        status, _, headers = await fetch(app, target)
        if 300 <= status < 400:
            locations.append((target, headers["location"]))
    assert locations
    assert [(t, loc) for t, loc in locations if not SITE_PATH.fullmatch(loc)] == []


async def test_absolute_urls_never_follow_a_foreign_host(site):
    """Without base_url, only a loopback Host is used for absolute addresses; any other one gives http://localhost."""
    def robots(host: bytes):
        return site.client.get("/robots.txt", headers={"host": host.decode()})

    assert "Sitemap: http://evil.example" not in (await robots(b"evil.example")).text
    assert "Sitemap: http://localhost/sitemap.xml" in (await robots(b"evil.example")).text
    assert "Sitemap: http://127.0.0.1:8001/sitemap.xml" in (await robots(b"127.0.0.1:8001")).text
