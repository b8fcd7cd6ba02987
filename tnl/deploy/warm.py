"""Warm the edge cache from the sitemap, so that the first visitors of results day never wait for a page's computation.

    tnl warm https://donnees.example [--rate 20] [--concurrency 2] [--limit N]

Reads /sitemap.xml (index), then each of its sitemaps, and asks for every page once through the given address (the
cache in front: nginx or a CDN), as a browser does (Accept-Encoding: gzip, the variant nearly every visitor gets).
The rate is bounded: at most `rate` requests started per second, by at most `concurrency` clients at a time, so
the warm-up never competes with the visitors for the replicas. Locations are requested at the given address
whatever host the sitemap names (it names the public one).
"""
from __future__ import annotations

import gzip
import html
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

LOCATION = re.compile(r"<loc>\s*([^<]+?)\s*</loc>")


@dataclass
class Warmed:
    pages: int = 0
    seconds: float = 0.0
    failed: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


def _path(location: str) -> str:
    parts = urllib.parse.urlsplit(html.unescape(location))
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _get(base: str, path: str, timeout: float = 60) -> bytes:
    request = urllib.request.Request(base + path, headers={"Accept-Encoding": "gzip", "User-Agent": "tnl-warm"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read()


def _read_sitemap(base: str, path: str) -> list[str]:
    """Page paths of a sitemap, following a sitemap index (gzip answers decoded)."""
    body = _get(base, path)
    text = (gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body).decode()
    locations = [_path(location) for location in LOCATION.findall(text)]
    if "<sitemapindex" in text:
        return [page for sitemap in locations for page in _read_sitemap(base, sitemap)]
    return locations


def pages(base: str) -> list[str]:
    return _read_sitemap(base.rstrip("/"), "/sitemap.xml")


def warm(base: str, rate: float = 20.0, concurrency: int = 2, limit: int | None = None,
         report=lambda message: None) -> Warmed:
    """Ask for every page of the sitemap once, at most `rate` requests per second."""
    base = base.rstrip("/")
    paths = pages(base)[:limit]
    outcome, lock, interval = Warmed(), threading.Lock(), 1.0 / rate
    start = time.monotonic()
    next_slot = [start]

    def visit(path: str) -> None:
        with lock:  # one request started per interval, whatever the number of clients
            slot = next_slot[0]
            next_slot[0] = max(slot, time.monotonic()) + interval
        time.sleep(max(0.0, slot - time.monotonic()))
        try:
            _get(base, path)
            with lock:
                outcome.pages += 1
                if outcome.pages % 1000 == 0:
                    report(f"{outcome.pages} pages sur {len(paths)}…")
        except (OSError, urllib.error.HTTPError) as error:
            with lock:
                outcome.failed.append(f"{path} : {error}")

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(visit, paths))
    outcome.seconds = time.monotonic() - start
    return outcome
