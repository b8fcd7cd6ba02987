"""Hostile and malformed requests get a clean 4xx (never a 5xx), and every response carries the security headers.

Through Datasette's test client on the real database; the very long URLs also through the real server (`live_server`).
"""
from __future__ import annotations

import asyncio
import urllib.error
import urllib.request

import pytest

from tnl.site.http.serve import datasette_app

RUNAWAY = "with recursive c(x) as (select 1 union all select x + 1 from c where x < 1000000000) select count(*) from c"
WRITES = [
    "insert into editions (edition, distinction_scheme, source_urls) values (1999, 'niveaux_1_5', 'x')",
    "update territories set name = 'x'",
    "delete from results",
    "create table intrus (a)",
    "drop table results",
    "alter table territories add column intrus",
    "attach database ':memory:' as intrus",
    "attach database '/tmp/intrus.db' as intrus",
    "detach database tnl",
    "pragma writable_schema = 1",
    "pragma query_only = 0",
    "pragma journal_mode = delete",
    "vacuum into '/tmp/intrus.db'",
    "select 1; drop table results",
    "select load_extension('/tmp/intrus')",
    "replace into editions (edition) values (2016)",
    "reindex",
    "analyze",
]


async def counts(datasette) -> tuple:
    db = datasette.get_database("tnl")
    return tuple([(await db.execute(f"select count(*) from {t}")).first()[0] for t in ("editions", "results", "territories")])


async def test_a_runaway_query_is_stopped_by_the_time_limit(datasette):
    # JSON and HTML at once, each on its own connection: the 3 s limit is waited for once.
    response, html = await asyncio.gather(datasette.client.get("/tnl.json", params={"sql": RUNAWAY}),
                                          datasette.client.get("/tnl", params={"sql": RUNAWAY}))
    assert response.status_code == 400
    assert "took too long" in response.json()["error"]
    assert html.status_code == 400
    assert "<title>SQL Interrupted</title>" in html.text


@pytest.mark.parametrize("sql", WRITES)
async def test_writes_attach_and_pragma_changes_are_refused(datasette, sql):
    before = await counts(datasette)
    for path in ("/tnl", "/tnl.json"):
        response = await datasette.client.get(path, params={"sql": sql})
        assert response.status_code == 400, (sql, response.status_code)
    assert await counts(datasette) == before


async def test_a_pragma_function_that_only_reads_is_allowed(datasette):
    response = await datasette.client.get("/tnl.json", params={"sql": "select name from pragma_table_info('editions')", "_shape": "array"})
    assert response.status_code == 200
    assert {"name": "edition"} in response.json()


@pytest.mark.parametrize("method, path", [
    ("POST", "/tnl"), ("POST", "/tnl/editions"), ("POST", "/tnl/editions/-/insert"), ("POST", "/-/nope"),
    ("PUT", "/tnl/editions"), ("DELETE", "/tnl/editions/2023"), ("PATCH", "/tnl/territories/213801517"),
    ("POST", "/territoire/213801517"), ("POST", "/-/recherche.json"),
])
async def test_write_methods_are_refused(datasette, method, path):
    before = await counts(datasette)
    response = await datasette.client.request(method, path, data={"sql": "drop table results"})
    assert response.status_code == 405
    assert "lecture seule" in response.text
    assert response.headers["allow"] == "GET, HEAD, OPTIONS"
    assert response.headers["x-frame-options"] == "DENY"
    assert await counts(datasette) == before


CLIENT_ERRORS = [
    # (path, params, expected status)
    ("/tnl/territories", {"_size": "-1"}, 400),
    ("/tnl/territories", {"_size": "1e9"}, 400),
    ("/tnl/territories", {"_size": "1000000000"}, 400),
    ("/tnl/territories", {"_size": "abc"}, 400),
    ("/tnl/territories.csv", {"_stream": "on", "_size": "-5"}, 400),
    ("/tnl/territories", {"_sort": "nope"}, 400),
    ("/tnl/territories.json", {"_sort_desc": "nope"}, 400),
    ("/tnl/territories.csvfr", {"_sort": "nope"}, 400),
    ("/tnl/territories", {"_facet": "nope"}, 400),
    ("/tnl/territories.json", {"_facet": "nope"}, 400),
    ("/tnl/territories", {"_col": "nope"}, 400),
    ("/tnl/territories.json", {"_shape": "nope"}, 400),
    ("/tnl/results", {"_next": "garbage"}, 400),
    ("/tnl/territories.json", {"_next": "%%%,,,"}, 400),
    ("/tnl/territories", {"_where": "1=1) union select sqlite_version() --"}, 400),
    ("/nope", {}, 404),
    ("/nope/territories", {}, 404),
    ("/tnl/nope", {}, 404),
    ("/tnl/nope.json", {}, 404),
    ("/tnl/territories/nope", {}, 404),
    ("/tnl/territories/nope.json", {}, 404),
    ("/tnl/results/1,2,3", {}, 404),
    ("/tnl/results/2023", {}, 404),  # a compound key with one value: was a 500 (unbound SQL parameter)
    ("/tnl/territories/" + "x" * 8000, {}, 404),
    ("/" + "a" * 8000, {}, 404),
    ("/-/telechargements/nope", {}, 404),
    ("/territoire/%3Cscript%3E", {}, 404),
    ("/territoire/" + "9" * 200, {}, 404),
    ("/territoire/..%2F..%2Fetc%2Fpasswd", {}, 404),
    ("/territoire/commune/zzzzz", {}, 404),
    ("/territoire/commune/" + "1" * 30, {}, 404),
    ("/territoire/departement/%00", {}, 404),
    ("/territoire/nope.json", {}, 404),
    ("/-/recherche.json", {"q": "x" * 8000}, 400),
]


@pytest.mark.parametrize("path, params, status", CLIENT_ERRORS, ids=[f"{p[:40]}?{q}"[:70] for p, q, _ in CLIENT_ERRORS])
async def test_malformed_requests_are_client_errors(datasette, path, params, status):
    response = await datasette.client.get(path, params=params)
    assert response.status_code == status, response.text[:500]
    if path.endswith(".json") and path.startswith("/tnl"):
        assert response.json()["ok"] is False


TOLERATED = [
    # Junk a page can simply ignore or answer with no rows: 200, never an error.
    ("/tnl/territories", {"_size": "0"}),
    ("/tnl/territories", {"_next": "garbage"}),
    ("/tnl/territories", {"name": "x" * 8000}),
    ("/tnl/territories", {"population__gt": "abc"}),
    ("/tnl/territories", {"_search": '"unbalanced'}),
    ("/tnl/territories", {"_search": "NEAR(("}),
    ("/tnl/palmares", {"edition": "abc"}),
    ("/tnl/palmares.json", {"edition": "'; drop table results; --"}),
    ("/tnl/nouveaux_laureats.json", {"edition": "1e999"}),
    ("/tnl/progressions", {"depuis": "abc", "jusqua": "-1"}),
    ("/tnl/par_region.json", {"edition": "\u202e"}),
    ("/territoire/213801517", {"page": "abc", "min": "-1e999", "max": "nan", "perimetre": "<x>"}),
    ("/territoire/213801517.json", {"page": "-99999999999999999999", "min": "abc"}),
    ("/territoire/213801517", {"page": "9" * 50}),
    ("/-/recherche.json", {"q": "\x00\x01", "limit": "-1"}),
    ("/-/recherche.json", {"q": "%%%", "limit": "1e9"}),
    ("/-/recherche.json", {"q": "' or 1=1 --", "limit": "abc"}),
]


@pytest.mark.parametrize("path, params", TOLERATED, ids=[f"{p[:40]}?{q}"[:70] for p, q in TOLERATED])
async def test_junk_parameters_are_ignored_or_give_no_rows(datasette, path, params):
    response = await datasette.client.get(path, params=params)
    assert response.status_code == 200, response.text[:500]
    if path == "/-/recherche.json":
        assert isinstance(response.json(), list)
    if path == "/tnl/palmares.json":
        assert response.json()["rows"] == []


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.parametrize("path, status", [
    ("/" + "a" * 8192, 404),
    ("/tnl/territories/" + "x" * 8192, 404),
    ("/tnl/territories?name=" + "x" * 8192, 200),
    ("/-/recherche.json?q=" + "x" * 8192, 400),
    ("/territoire/" + "x" * 8192, 404),
    ("/tnl/results/2023", 404),
    ("/tnl/territories?_sort=nope", 400),
])
def test_the_real_server_answers_long_and_broken_urls_with_4xx(live_server, path, status):
    assert status_of(live_server + path) == status


def test_the_real_server_refuses_a_post(live_server):
    request = urllib.request.Request(live_server + "/-/nope", data=b"sql=drop+table+results", method="POST")
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=30)
    assert error.value.code == 405


# --- security headers ---------------------------------------------------------------------------------------------

REFERRER_POLICIES = {"strict-origin-when-cross-origin", "strict-origin", "origin", "origin-when-cross-origin"}
PAGES = [
    "/", "/tnl", "/tnl/territories", "/tnl/territories.json", "/tnl/territories.csv", "/tnl/results.csvfr",
    "/tnl/territories/213801517", "/tnl/palmares?edition=2021", "/tnl/palmares.json?edition=2021",
    "/tnl/derniers_resultats.atom", "/territoire/213801517", "/territoire/213801517.json", "/territoire/nope",
    "/-/recherche.json?q=gap", "/static/site.css", "/static/recherche.js", "/-/static/app.css",
    "/-/fond-de-carte/departements.geojson", "/-/telechargements/SHA256SUMS", "/nope", "/tnl/nope.json",
    "/tnl/territories?_sort=nope", "/a-propos", "/indicateurs",
    "/tnl/labelled_territories", "/tnl/results_map", "/tnl/results_map?edition=2025", "/tnl/labelled_territories.json",
    "/territoire/213801517/badge.svg", "/territoire/213801517.atom", "/-/cartes/213801517.png", "/-/cartes/site.png",
]
EMBEDDABLE = ["/embed/carte", "/embed/carte?edition=2025&distinction=or", "/embed/carte?kind=nope", "/embed/territoire/213801517",
              "/embed/territoire/nope"]


def check_headers(headers, embeddable: bool) -> None:
    policy = headers["content-security-policy"]
    assert "default-src 'self'" in policy and "object-src 'none'" in policy
    assert "https://*.tile.openstreetmap.org" in policy  # the map tiles
    assert headers["x-content-type-options"] == "nosniff"
    assert headers.get("referrer-policy") in REFERRER_POLICIES  # not no-referrer: OpenStreetMap wants a Referer
    if embeddable:
        assert "frame-ancestors *" in policy
        assert "x-frame-options" not in headers
    else:
        assert "frame-ancestors 'none'" in policy
        assert headers["x-frame-options"] == "DENY"


NOT_KEPT = {
    "/tnl/territories?_sort=nope", "/embed/carte?kind=nope",  # a 400: the response cache keeps only 200, 301, 302 and 404
    "/tnl/territories.csv",  # every row (4 MB) since the CSV streams: above the cache's 2 MB bound for one response
}
FILES = {"/-/telechargements/SHA256SUMS"}  # sent as a file by prebuilt_files.py, never through the cache


@pytest.fixture(scope="module")
def fresh_site(built_db_path):
    """A Datasette of the real database for the test below only. Its response cache starts empty and that test asks for
    each of its paths (all different) first: the first request of a path is computed, never a hit."""
    assert len(set(PAGES + EMBEDDABLE)) == len(PAGES + EMBEDDABLE)
    return datasette_app(built_db_path)


@pytest.mark.parametrize("path", PAGES + EMBEDDABLE)
async def test_security_headers_on_every_response_fresh_and_cached(fresh_site, path):
    embeddable = path in EMBEDDABLE
    first = await fresh_site.client.get(path)
    assert first.status_code < 500
    assert first.headers["x-cache"] == ("file" if path in FILES else "miss")
    check_headers(first.headers, embeddable)
    second = await fresh_site.client.get(path)
    assert second.status_code == first.status_code
    assert second.headers["x-cache"] == ("file" if path in FILES else "miss" if path in NOT_KEPT else "hit")
    check_headers(second.headers, embeddable)
    assert second.content == first.content
