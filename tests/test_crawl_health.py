"""robots.txt, the sitemap, the health endpoint and the access log."""
from __future__ import annotations

import re
import urllib.request
import xml.etree.ElementTree as ET

import pytest
from conftest import DATA, serving

from tnl.pipeline import datapackage
from tnl.site.pages.crawl import PART_SIZE

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def allowed(robots: str, path: str) -> bool:
    """RFC 9309: the longest matching rule wins, Allow on a tie; `*` matches any characters, `$` the end."""
    best = (-1, True)
    for kind, pattern in re.findall(r"^(Allow|Disallow): (\S+)$", robots, re.M):
        regex = re.escape(pattern).replace(r"\*", ".*").replace(r"\$", "$")
        if re.match(regex, path) and (len(pattern), kind == "Allow") > best:
            best = (len(pattern), kind == "Allow")
    return best[1]


@pytest.mark.parametrize("path", ["/", "/a-propos", "/indicateurs", "/territoire/213801517",
                                  "/tnl/palmares?edition=2021", "/tnl/results", "/tnl/results?edition=2021",
                                  "/static/site.css", "/-/static/app.css", "/sitemap.xml", "/sitemaps/pages.xml",
                                  "/-/cartes/213801517.png", "/-/cartes/site.png", "/territoire/213801517/badge.svg",
                                  "/signaler"])
async def test_robots_lets_crawlers_reach_the_pages(datasette, path):
    robots = (await datasette.client.get("/robots.txt")).text
    assert allowed(robots, path)


@pytest.mark.parametrize("path", [
    "/tnl?sql=select+1", "/tnl.json?sql=select+1", "/tnl/results?_facet=edition", "/tnl/territories?kind=commune&_facet=region_code",
    "/tnl/territories?_sort=population", "/tnl/territories?_sort_desc=name", "/tnl/territories?_next=100",
    "/tnl/results.json", "/tnl/results.csv", "/tnl/results.csvfr", "/tnl/results.xlsx", "/tnl.db", "/tnl/derniers_resultats.atom",
    "/territoire/213801517.json", "/-/telechargements/tnl-datapackage.zip", "/-/recherche.json?q=gap",
    "/tnl/palmares?edition=2021&sql=select+1", "/embed/carte", "/embed/territoire/213801517", "/territoire/213801517.atom",
    "/signaler?territoire=213801517",
])
async def test_robots_keeps_crawlers_off_sql_combinations_and_exports(datasette, path):
    robots = (await datasette.client.get("/robots.txt")).text
    assert not allowed(robots, path)


async def test_robots_names_the_sitemap_by_absolute_url(datasette):
    robots = await datasette.client.get("/robots.txt", headers={"host": "127.0.0.1:8001"})
    assert robots.headers["content-type"].startswith("text/plain")
    assert "Sitemap: http://127.0.0.1:8001/sitemap.xml" in robots.text.splitlines()
    # Without base_url, a Host that is not a loopback name never writes the site's addresses (issue 26).
    foreign = await datasette.client.get("/robots.txt", headers={"host": "tnl.example.org"})
    assert "Sitemap: http://localhost/sitemap.xml" in foreign.text.splitlines()


async def test_sitemap_lists_front_page_every_palmares_and_every_territory(datasette, db):
    index = ET.fromstring((await datasette.client.get("/sitemap.xml")).content)
    parts = [loc.text for loc in index.findall("s:sitemap/s:loc", NS)]
    territories = db.execute("select count(*) from territories").fetchone()[0]
    assert len(parts) == 1 + -(-territories // PART_SIZE)
    urls = []
    for part in parts:
        response = await datasette.client.get(part.removeprefix("http://localhost"))
        assert response.status_code == 200 and response.headers["content-type"].startswith("application/xml")
        urls += [loc.text.removeprefix("http://localhost") for loc in ET.fromstring(response.content).findall("s:url/s:loc", NS)]
    assert len(urls) == len(set(urls)) <= 50_000 * len(parts)
    editions = [row[0] for row in db.execute("select edition from editions")]
    ids = {row[0] for row in db.execute("select id from territories")}
    assert {"/", "/a-propos", "/indicateurs", "/glossaire"} <= set(urls)
    assert {f"/tnl/palmares?edition={e}" for e in editions} <= set(urls)
    assert {u.removeprefix("/territoire/") for u in urls if u.startswith("/territoire/")} == ids


async def test_sitemap_part_beyond_the_last_is_404(datasette):
    assert (await datasette.client.get("/sitemaps/territoires-99.xml")).status_code == 404


async def test_health_reports_database_hash_and_build_date(datasette, built_db_path):
    import hashlib

    response = await datasette.client.get("/-/sante.json")
    health = response.json()
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    assert health["statut"] == "ok" and health["base"] == "tnl" and health["editions"] == 10
    assert health["base_sha256"] == hashlib.sha256(built_db_path.read_bytes()).hexdigest()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", health["construite_le"])
    assert re.fullmatch(r"[0-9a-f]{16}", health["empreinte_site"]) and "version" not in health
    assert health["version_donnees"] == datapackage.read(DATA).descriptor["version"]
    again = await datasette.client.get("/-/sante.json")
    assert again.headers["x-cache"] == "miss"  # never served from the cache


def test_access_log_has_one_line_per_request_with_status_duration_and_request_id(built_db_path, tmp_path):
    log = tmp_path / "access.log"
    with log.open("wb") as out, serving(built_db_path, stdout=out) as url:
        request = urllib.request.Request(url + "/territoire/213801517", headers={"X-Request-Id": "proxy-id-0001"})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.headers["X-Request-Id"] == "proxy-id-0001"
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(url + "/territoire/nope", timeout=30)
        generated = missing.value.headers["X-Request-Id"]
    lines = log.read_text().splitlines()
    line = re.compile(r'\S+Z (\S+) 127\.0\.0\.1 "GET (\S+)" (\d{3}) \d+ [\d.]+ms (hit|miss|-)')
    parsed = [line.fullmatch(entry).groups() for entry in lines if "/territoire/" in entry]
    assert [(rid, path, status) for rid, path, status, _ in parsed] == [
        ("proxy-id-0001", "/territoire/213801517", "200"), (generated, "/territoire/nope", "404")]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
