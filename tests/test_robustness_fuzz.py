"""Every public path × every parameter Datasette or our pages read there × hostile values: never a 5xx, never a traceback.

A fixed list (deterministic): one test per path and parameter, each sending every value, one at a time, through
Datasette's test client. Each path gets the parameters that every view reads (COMMON) and those of its kind of view
(READS): a table page ignores a search page's `limit`, a territory page ignores `_facet`. The site is the one built
from the fixture package (tests/fixtures/package): the same tables, views, queries and pages as the real one, so the
same code reads each parameter, without streaming 36,258 territories per request. The console (where a traceback
would be printed) is read too.
"""
from __future__ import annotations

import pytest
from conftest import console

from tnl.site.http.serve import datasette_app

pytestmark = pytest.mark.fuzz  # left out of `make check`, as when it ran on the whole of data/

# Read by every view: Datasette's tracing, template context, extras, shapes and caching, before any page's own.
COMMON = ["_trace", "_context", "_extra", "_shape", "_json", "_nl", "_ttl", "_hash", "_timelimit"]
TABLE = [  # Datasette 0.65's table parameters, filters with their operators, and the edition of our coverage note
    "_size", "_next", "_sort", "_sort_desc", "_search", "_search_name", "_searchmode", "_where", "_col", "_nocol",
    "_facet", "_facet_array", "_facet_date", "_facet_size", "_through", "_labels", "_label", "_stream", "_dl",
    "_nofacet", "_nocount", "_fts_table", "_fts_pk", "population__gt", "name__contains", "kind__in", "id__notnull",
    "name__arraycontains", "latest_edition__date", "edition",
]
QUERY = ["sql", "_size", "_next", "_stream", "_dl", "edition", "depuis", "jusqua"]  # arbitrary SQL, canned queries
READS = {
    "/": [],
    "/tnl": QUERY,
    "/tnl.json": QUERY,
    "/tnl/territories": TABLE,
    "/tnl/territories.json": TABLE,
    "/tnl/editions.csvfr": TABLE,
    "/tnl/territory_history.json": TABLE,
    "/tnl/palmares.json": QUERY,
    "/tnl/territories/213801517.json": ["_labels", "_label", "_col", "_nocol"],
    "/territoire/213801517.json": ["min", "max", "perimetre", "page", "edition"],
    "/-/recherche.json": ["q", "limit"],
}
CASES = [(path, name) for path, names in READS.items() for name in COMMON + names]
VALUES = ["x", "\x00", "{}", "-99999999999999999999", "'\"<>;--\u202e"]
TARGETED = {  # values that reach further for some parameters: a real column, huge SQL values, JSON Datasette parses
    **{name: ["name", "x" * 3000] for name in ("_sort", "_sort_desc", "_col", "_nocol", "_facet", "_facet_array",
                                                "_facet_date", "_label", "_search", "q")},
    **{name: ["zeroblob(100000000)", "select printf('%.*c', 100000000, 'x')", "select randomblob(1e9)",
              "select * from territories, territories"] for name in ("sql", "_where")},
    "_through": ['{"table": "x"}', '{"table": "results", "column": "edition", "value": "x"}'],
    "_next": ["1e999", "x,y,z"],
    "_size": ["1e999", "max"],
    "limit": ["1e999", "100000000"],
}


@pytest.fixture(scope="module")
def small_site(fixture_site):
    """Datasette configured as `tnl serve` configures it, on the site built from the fixture package."""
    return datasette_app(fixture_site / "tnl.db")


@pytest.mark.parametrize("path", list(READS))
async def test_each_fuzzed_path_answers_without_parameters(small_site, path):
    """The fuzz below hits pages that exist: a path that answered 404 to everything would prove nothing."""
    assert (await small_site.client.get(path)).status_code == 200


@pytest.mark.parametrize("path, name", CASES)
async def test_no_parameter_value_makes_a_server_error(small_site, capfd, path, name):
    outcomes = []
    for value in VALUES + TARGETED.get(name, []):
        response = await small_site.client.get(path, params={name: value})
        outcomes.append((value[:40], response.status_code, "Traceback" in response.text[:100_000]))
    assert [o for o in outcomes if o[1] >= 500 or o[2]] == []
    assert "Traceback" not in console(capfd)


# Every renderer × the SQL and table paths, with the values a query can hand a renderer: control characters, BLOBs,
# NULLs, dates without time zone, huge integers, duplicate and odd column names (issue 26: .xlsx and .atom were 500s).
RENDERERS = [".json", ".csv", ".csvfr", ".xlsx", ".atom", ""]
SHAPES = ["", "array", "arrays", "object", "objects", "arrayfirst", "x"]
ROW_VALUES = ["char(1)", "char(0) || 'a'", "x'00ff'", "null", "'2020-01-01'", "'x'", "-9223372036854775808",
              "1e308 * 10", "'=1+1'", "char(27) || '[2J'", "'\u202e'"]
FUZZ_SQL = [f"select {v} as a, {v} as atom_id, {v} as atom_title, {v} as atom_updated" for v in ROW_VALUES] + [
    f"select 1 as atom_id, 'a' as atom_title, '2020-01-01T00:00:00Z' as atom_updated, {v} as atom_content_html, "
    f"{v} as atom_content, {v} as atom_link" for v in ROW_VALUES] + ["select 1 as a, 2 as a", "select 1 as \"\""]


@pytest.fixture(scope="module")
def small_site(fixture_site):
    from tnl.site.http.serve import datasette_app

    return datasette_app(fixture_site / "tnl.db")


@pytest.mark.parametrize("renderer", RENDERERS)
async def test_no_renderer_makes_a_server_error(small_site, capfd, renderer):
    targets = [("/tnl" + renderer, {"sql": sql, **({"_shape": shape} if shape else {})})
               for sql in FUZZ_SQL for shape in (SHAPES if renderer == ".json" else [""])]
    targets += [(f"/tnl/{table}{renderer}", {"_shape": shape} if shape else {})
                for table in ("territories", "results", "palmares") for shape in (SHAPES if renderer == ".json" else [""])]
    outcomes = []
    for path, params in targets:
        response = await small_site.client.get(path, params=params)
        outcomes.append((path, params, response.status_code, "Traceback" in response.text[:100_000]))
    assert len(outcomes) == len(targets) > 20
    assert [o for o in outcomes if o[2] >= 500 or o[3]] == []
    assert "Traceback" not in console(capfd)
