"""Every public path × every parameter Datasette or our pages read × hostile values: never a 5xx, never a traceback.

A fixed list (deterministic): one test per path and parameter, each sending every value, one at a time, through
Datasette's test client on the real database (11 paths × 47 parameters, 2,959 requests). The console (where a
traceback would be printed) is read too. The « CSV pour Excel » path is a small table's: every request streams the
whole export, and 36,258 territories per request would make this file alone last ten minutes.
"""
from __future__ import annotations

import pytest
from conftest import console

PATHS = [
    "/", "/tnl", "/tnl.json", "/tnl/territories", "/tnl/territories.json", "/tnl/editions.csvfr",
    "/tnl/territory_history.json", "/tnl/palmares.json", "/tnl/territories/213801517.json", "/territoire/213801517.json",
    "/-/recherche.json",
]
# Datasette 0.65's table, row, query and database parameters, filters with their operators, and our pages' own.
PARAMETERS = [
    "_size", "_next", "_sort", "_sort_desc", "_search", "_search_name", "_searchmode", "_where", "_col", "_nocol",
    "_facet", "_facet_array", "_facet_date", "_facet_size", "_through", "_timelimit", "_labels", "_label", "_shape",
    "_nl", "_json", "_trace", "_stream", "_dl", "_ttl", "_nofacet", "_nocount", "_hash", "_fts_table", "_fts_pk",
    "_context", "_extra", "sql", "population__gt", "name__contains", "kind__in", "id__notnull", "name__arraycontains",
    "latest_edition__date", "edition", "depuis", "jusqua", "q", "page", "min", "max", "perimetre",
]
VALUES = ["x", "\x00", "{}", "-99999999999999999999", "'\"<>;--\u202e"]
TARGETED = {  # values that reach further for some parameters: a real column, huge SQL values, JSON Datasette parses
    **{name: ["name", "x" * 3000] for name in ("_sort", "_sort_desc", "_col", "_nocol", "_facet", "_facet_array",
                                                "_facet_date", "_label", "_search", "q")},
    **{name: ["zeroblob(100000000)", "select printf('%.*c', 100000000, 'x')", "select randomblob(1e9)",
              "select * from territories, territories"] for name in ("sql", "_where")},
    "_through": ['{"table": "x"}', '{"table": "results", "column": "edition", "value": "x"}'],
    "_next": ["1e999", "x,y,z"],
    "_size": ["1e999", "max"],
}
@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("name", PARAMETERS)
async def test_no_parameter_value_makes_a_server_error(datasette, capfd, path, name):
    outcomes = []
    for value in VALUES + TARGETED.get(name, []):
        response = await datasette.client.get(path, params={name: value})
        outcomes.append((value[:40], response.status_code, "Traceback" in response.text[:100_000]))
    assert len(outcomes) == len(VALUES) + len(TARGETED.get(name, []))
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
