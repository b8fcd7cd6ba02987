"""Canned query pages for people: heading with the editions shown, lists of editions, coverage of those editions."""
from __future__ import annotations

import re

import pytest

from tnl.site.pages import query_pages

EDITIONS = {"results": ["2016", "2017", "2024", "2025"], "indicator_aggregates": []}


def h1(html: str) -> str:
    return re.sub(r"<[^>]+>", "", re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)).strip()


def title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


TITLES = {"palmares": "Palmarès", "progressions": "Progressions et régressions",
          "par_region": "Lauréats et population couverte par région", "agregats_indicateurs": "Indicateurs du questionnaire"}


@pytest.mark.parametrize(("query", "args", "expected"), [
    ("palmares", {}, "Palmarès 2025"),
    ("palmares", {"edition": "2017"}, "Palmarès 2017"),
    ("progressions", {}, "Progressions et régressions de 2023 à 2024"),
    ("progressions", {"depuis": "2016"}, "Progressions et régressions de 2016 à 2024"),
    ("par_region", {}, "Lauréats et population couverte par région, toutes éditions"),
    ("par_region", {"edition": " 2024 "}, "Lauréats et population couverte par région, 2024"),
    ("agregats_indicateurs", {"dimension": "region"}, "Indicateurs du questionnaire (aucune édition), par région"),
])
def test_heading_states_the_editions_shown(query, args, expected):
    assert query_pages.heading(query, TITLES[query], query_pages.applied(query, args, EDITIONS)) == expected


def test_edition_choices_list_existing_editions_latest_first():
    values = query_pages.applied("par_departement", {}, EDITIONS)
    choices = query_pages.parameter_choices("par_departement", values, EDITIONS)
    assert choices == {"edition": {"label": "Édition", "selected": "",
                                   "options": [("", "toutes les éditions"), ("2025", "2025"), ("2024", "2024"),
                                               ("2017", "2017"), ("2016", "2016")]}}


async def test_palmares_page_names_its_edition(datasette, db):
    latest = str(db.execute("select max(edition) from results").fetchone()[0])
    html = (await datasette.client.get("/tnl/palmares")).text
    assert h1(html) == f"Palmarès {latest}"
    assert title(html) == f"Palmarès {latest} — Territoire Numérique Libre"
    assert "select" not in title(html).lower()
    assert f'<option value="{latest}" selected>{latest}</option>' in html
    assert f'aria-label="Couverture de l\'édition {latest}"' in html
    rows = (await datasette.client.get("/tnl/palmares.json?_shape=array")).json()
    assert {str(r["Édition"]) for r in rows} == {latest}  # the SQL's default is the one the heading states


async def test_an_edition_chosen_in_the_list(datasette):
    html = (await datasette.client.get("/tnl/palmares?edition=2021")).text
    assert h1(html) == "Palmarès 2021"
    assert '<select id="qp1" name="edition">' in html and '<option value="2021" selected>2021</option>' in html
    assert 'aria-label="Couverture de l\'édition 2021"' in html


async def test_progressions_heading_and_coverage_match_its_sql(datasette):
    html = (await datasette.client.get("/tnl/progressions")).text
    assert h1(html) == "Progressions et régressions de 2023 à 2024"
    assert '<label for="qp2">Jusqu&#39;à l&#39;édition</label>' in html and ">jusqua<" not in html
    assert 'aria-label="Couverture de l\'édition 2023"' in html and 'aria-label="Couverture de l\'édition 2024"' in html
    rows = (await datasette.client.get("/tnl/progressions.json?_shape=array")).json()
    assert rows and {(r["Depuis"], r["Jusqu’à"]) for r in rows} == {(2023, 2024)}


@pytest.mark.parametrize("path", ["/tnl/fideles", "/tnl/derniere_distinction", "/tnl/par_region", "/tnl/par_departement"])
async def test_pages_of_every_edition_warn_that_lists_are_partial(datasette, path):
    html = (await datasette.client.get(path)).text
    assert "<strong>Listes partielles.</strong>" in html and 'href="/#couverture"' in html
    assert not title(html).startswith("tnl")


async def test_new_laureates_carry_their_edition_coverage(datasette, db):
    latest = str(db.execute("select max(edition) from results").fetchone()[0])
    html = (await datasette.client.get("/tnl/nouveaux_laureats")).text
    assert h1(html) == f"Nouveaux lauréats {latest}"
    assert f'aria-label="Couverture de l\'édition {latest}"' in html


async def test_every_canned_query_title_is_french_not_sql(datasette):
    for query in query_pages.QUERIES:
        html = (await datasette.client.get(f"/tnl/{query}")).text
        assert title(html).endswith(" — Territoire Numérique Libre"), query
        assert "select" not in title(html).lower() and h1(html) in title(html), query


@pytest.mark.parametrize("path", ["/tnl/results", "/tnl/results_map"])
async def test_results_of_every_edition_warn_that_lists_are_partial(datasette, path):
    assert "<strong>Listes partielles.</strong>" in (await datasette.client.get(path)).text
    one = (await datasette.client.get(path + "?edition=2021")).text
    assert "<strong>Listes partielles.</strong>" not in one and 'aria-label="Couverture de l\'édition 2021"' in one


@pytest.mark.parametrize("nature, heading", [("", "communes"), ("commune", "communes"), ("epci", "EPCI"),
                                             ("departement", "départements"), ("region", "régions")])
async def test_the_biggest_territories_never_labelled_by_kind(datasette, db, nature, heading):
    rows = (await datasette.client.get(f"/tnl/jamais_labellises.json?_shape=array&nature={nature}")).json()
    expected = db.execute(
        "select id from territories where kind = ? and population is not null "
        "and id not in (select territory_id from results) order by population desc, name limit 100",
        [nature or "commune"]).fetchall()
    assert expected and [r["Identifiant"] for r in rows] == [e[0] for e in expected]
    html = (await datasette.client.get(f"/tnl/jamais_labellises?nature={nature}")).text
    assert h1(html) == f"Plus grands territoires jamais labellisés : {heading}"


async def test_territories_have_a_labelled_or_never_labelled_facet(datasette, db):
    data = (await datasette.client.get("/tnl/territories.json?_size=0")).json()
    facet = {f["value"]: f["count"] for f in data["facet_results"]["labellise"]["results"]}
    labelled = db.execute("select count(distinct territory_id) from results").fetchone()[0]
    assert facet == {1: labelled, 0: db.execute("select count(*) from territories").fetchone()[0] - labelled}
    html = (await datasette.client.get("/tnl/territories")).text
    assert "jamais labellisé" in html and "Labellisé" in html
