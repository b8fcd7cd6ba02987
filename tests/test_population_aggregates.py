"""The « population couverte » of /tnl/par_departement and /tnl/par_region counts each inhabitant once: checked against
an independent count (a union of the communes each laureate covers, then a join), for every edition and for all of
them; Grand Est and Bas-Rhin by hand against the Insee figures; French digits in the HTML, raw numbers in the JSON.
The canned queries read tables the build computed: their answers are those of the SQL computed on each request before,
whatever the `edition` parameter, on the fixture build and on data/."""
from __future__ import annotations

import html
import re
import sqlite3

import pytest

from tnl.pipeline import population_coverage
from tnl.site.http.serve import datasette_app

# The communes each laureate covers, one row per (laureate, commune), de-duplicated by UNION: itself, the members of
# an EPCI (or of the Métropole de Lyon), the communes of a département and, when REGIONS, those of a région.
COVERED_COMMUNES = """
with laureates as (select distinct territory_id as id from results where :edition = '' or edition = cast(:edition as int))
select c.id from laureates l join territories c on c.id = l.id where c.kind = 'commune'
union select c.id from laureates l join territories e on e.id = l.id join territories c on c.epci_siren = e.id
  where c.kind = 'commune'
union select c.id from laureates l join territories d on d.id = l.id and d.kind = 'departement'
  join territories c on c.departement_code = d.cog_code where c.kind = 'commune'
{regions}
"""
REGIONS = """union select c.id from laureates l join territories g on g.id = l.id and g.kind = 'region'
  join territories c on c.region_code = g.cog_code where c.kind = 'commune'"""
LAUREATES = """
select t.{level}_code, count(*), sum(t.population is null) from territories t
where t.id in (select territory_id from results where :edition = '' or edition = cast(:edition as int)) {kinds}
group by 1
"""
LEVELS = {  # query -> (level, its code column in the JSON, the population column's name)
    "par_departement": ("departement", "Code département", "Population du département"),
    "par_region": ("region", "Code région", "Population de la région"),
}


def independent(db, level: str, edition: str) -> dict[str, tuple[int, int, int | None]]:
    """{code: (laureates, laureates without population, population covered or None)} counted another way."""
    covered_sql = COVERED_COMMUNES.format(regions=REGIONS if level == "region" else "")
    covered = dict(db.execute(
        f"select c.{level}_code, sum(c.population) from ({covered_sql}) k join territories c on c.id = k.id group by 1",
        {"edition": edition}).fetchall())
    kinds = "" if level == "region" else "and t.kind <> 'region'"  # a région is counted with the régions only
    counts = db.execute(LAUREATES.format(level=level, kinds=kinds), {"edition": edition}).fetchall()
    return {code: (n, unknown, covered.get(code, 0) if n > unknown else None) for code, n, unknown in counts}


async def rows(datasette, query: str, edition: str) -> list[dict]:
    response = await datasette.client.get(f"/tnl/{query}.json", params={"edition": edition, "_shape": "array"})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("query", sorted(LEVELS))
async def test_each_aggregate_matches_an_independent_count(datasette, db, query):
    level, code_column, population_column = LEVELS[query]
    editions = [""] + [str(e) for e, in db.execute("select distinct edition from results order by 1")]
    assert len(editions) > 5
    for edition in editions:
        published = await rows(datasette, query, edition)
        assert published, edition
        expected = independent(db, level, edition)
        assert {r[code_column]: (r["Territoires distingués"], r["Sans population connue"], r["Population couverte"])
                for r in published} == expected, edition
        for row in published:
            covered, population = row["Population couverte"], row[population_column]
            assert covered is None or covered <= population, row  # nobody counted twice
            if covered is not None:
                assert row["Part couverte (%)"] == round(100 * covered / population, 1)


async def test_grand_est_and_bas_rhin_against_insee(datasette, db):
    """Populations légales 2023 (Insee): Grand Est 5.56 million, Bas-Rhin 1.16 million. The région is labelled
    (so all its inhabitants are covered), the Eurométropole de Strasbourg in Bas-Rhin too."""
    grand_est = {r["Code région"]: r for r in await rows(datasette, "par_region", "")}["44"]
    assert 5_550_000 < grand_est["Population de la région"] < 5_580_000
    assert grand_est["Population couverte"] == grand_est["Population de la région"]
    assert grand_est["Part couverte (%)"] == 100.0
    bas_rhin = {r["Code département"]: r for r in await rows(datasette, "par_departement", "")}["67"]
    assert 1_150_000 < bas_rhin["Population du département"] < 1_180_000
    strasbourg_metropole = db.execute("select population from territories where id = '246700488'").fetchone()[0]
    assert bas_rhin["Territoires distingués"] == 1  # the Eurométropole; the région counts in par_region only
    assert bas_rhin["Population couverte"] == strasbourg_metropole


@pytest.mark.parametrize("query, figure", [("par_region", "5\u202f563\u202f378"), ("par_departement", "1\u202f163\u202f810")])
async def test_html_writes_numbers_the_french_way_and_says_what_is_summed(datasette, query, figure):
    page = (await datasette.client.get(f"/tnl/{query}")).text
    cells = [html.unescape(c) for c in re.findall(r'<td class="col-[^"]*">([^<]*)</td>', page)]
    assert cells and figure in cells
    assert any(re.fullmatch(r"\d{1,3},\d", c) for c in cells)  # a share with its decimal comma
    text = html.unescape(page)
    for words in ("chaque habitant compté une seule fois", "population municipale 2023", "Sans population connue"):
        assert words in text
    raw = (await datasette.client.get(f"/tnl/{query}.csv")).text
    assert figure.replace("\u202f", "") in raw and "\u202f" not in raw


COLUMNS = {  # the canned queries' columns, as published before their answers were computed by the build
    "par_region": ["Code région", "Région", "Territoires distingués", "Sans population connue", "Population couverte",
                   "Population de la région", "Part couverte (%)"],
    "par_departement": ["Code département", "Département", "Territoires distingués", "Sans population connue",
                        "Population couverte", "Population du département", "Part couverte (%)"],
}
# Values of `edition` the on-the-fly SQL compared as SQLite does (text against an integer column): blanks around,
# a real number, an exponent, an edition without results, text; the stored tables must answer each the same way.
ODD_EDITIONS = [" 2024 ", "2024.0", "2.024e3", "02024", "0", "1999", "2024abc", "abc", "-1", "\u202e", "'"]


def typed(rows) -> list[list[tuple[str, object]]]:
    """Each value with its type: 100.0 and 100 are equal in Python, not in the published JSON."""
    return [[(type(v).__name__, v) for v in row] for row in rows]


def read_only(database) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{database}?mode=ro", uri=True)  # a cached build: never written to


async def assert_canned_as_computed(datasette, database, editions: list[str]) -> None:
    conn = read_only(database)
    compared = {}
    for query, level in (("par_region", "region"), ("par_departement", "departement")):
        for edition in editions:
            response = await datasette.client.get(f"/tnl/{query}.json", params={"edition": edition})
            assert response.status_code == 200, (query, edition, response.text)
            published = response.json()
            assert published["columns"] == COLUMNS[query]
            expected = population_coverage.computed(conn, level, edition)
            assert typed(published["rows"]) == typed(expected), (query, edition)
            compared[query, edition] = len(expected)
    conn.close()
    assert compared["par_region", ""] > 0 and compared["par_departement", ""] > 0  # not only empty answers compared


async def test_canned_queries_answer_as_the_sql_computed_on_each_request_on_the_fixture_build(fixture_site):
    database = fixture_site / "tnl.db"
    conn = read_only(database)
    editions = [str(e) for e, in conn.execute("select distinct edition from results order by 1")]
    conn.close()
    assert editions
    await assert_canned_as_computed(datasette_app(database), database, ["", *editions, *ODD_EDITIONS])


async def test_canned_queries_answer_as_the_sql_computed_on_each_request_on_the_real_data(datasette, built_db_path, db):
    editions = [str(e) for e, in db.execute("select distinct edition from results order by 1")]
    assert len(editions) > 5
    await assert_canned_as_computed(datasette, built_db_path, ["", *editions, *ODD_EDITIONS])
