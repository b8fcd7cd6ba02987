"""Territory search: the pure index (tnl/site/search/search_index.py), the /-/recherche.json endpoint and the /recherche page
on the real data."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tnl.site.search.search_index import SearchEntry, SearchIndex, split_place
from tnl.text import normalise

PROPERTIES = settings(max_examples=200, deadline=None, derandomize=True)


def entry(id, name, population=None, kind="commune", departement="38", cog=None):
    return SearchEntry(id, name, kind, departement, population, cog)


@pytest.mark.parametrize("text, expected", [
    ("Échirolles", "echirolles"),
    ("ÉCHIROLLES", "echirolles"),
    ("Saint-Joseph", "saint joseph"),
    ("st joseph", "saint joseph"),
    ("St-Joseph", "saint joseph"),
    ("Ste-Marie", "sainte marie"),
    ("L'Haÿ-les-Roses", "l hay les roses"),
    ("Cœuvres-et-Valsery", "coeuvres et valsery"),
    ("  --  ", ""),
])
def test_normalise(text, expected):
    assert normalise(text) == expected


def test_exact_before_prefix_before_infix_and_population_breaks_ties():
    index = SearchIndex([
        entry("1", "Mont-Saint-Martin", 9000),
        entry("2", "Martinet", 50),
        entry("3", "Martin", 10, departement="01"),
        entry("4", "Martin", 20, departement="02"),
        entry("5", "Saint-Martin", 100000),
        entry("6", "Lamartine", 1_000_000),
    ])
    assert [e.id for e in index.search("martin")] == ["4", "3", "2", "5", "1", "6"]


def test_accents_case_hyphens_and_abbreviations():
    index = SearchIndex([entry("1", "Échirolles", 37000), entry("2", "Saint-Joseph", 39000, departement="974"),
                         entry("3", "L'Abergement", 800)])
    for query in ("echirolles", "ÉCHIROLLES", "Echirolles ", "échi"):
        assert index.search(query)[0].id == "1"
    for query in ("st joseph", "saint-joseph", "ST-JOSEPH", "saint joseph", "joseph st"):
        assert index.search(query)[0].id == "2"
    assert index.search("labergement")[0].id == "3"


def test_codes():
    index = SearchIndex([
        SearchEntry("213801517", "Échirolles", "commune", "38", 37000, "38151", "213801517", ("38999",)),
        SearchEntry("departement-38", "Isère", "departement", "38", 1_000_000, "38"),
        SearchEntry("region-84", "Auvergne-Rhône-Alpes", "region", "69", 8_000_000, "84"),
        SearchEntry("departement-84", "Vaucluse", "departement", "84", 500_000, "84"),
        SearchEntry("212000046", "Ajaccio", "commune", "2A", 70000, "2A004", "212000046"),
    ])
    assert [e.id for e in index.search("38151")] == ["213801517"]
    assert [e.id for e in index.search("38999")] == ["213801517"]  # former code
    assert [e.id for e in index.search("213801517")] == ["213801517"]
    assert index.search("38")[0].id == "departement-38"
    assert [e.id for e in index.search("84")] == ["departement-84", "region-84"]
    assert [e.id for e in index.search("2a004")] == ["212000046"]


@pytest.mark.parametrize("query", ["", "   ", "%%%", "'", "\x00", "é" * 100, "zzzzzz"])
def test_nothing_found_is_an_empty_list(query):
    assert SearchIndex([entry("1", "Gap", 40000)]).search(query) == []


def test_limit():
    index = SearchIndex([entry(str(i), f"Ville {i}", i) for i in range(100)])
    assert len(index.search("ville", limit=7)) == 7


@pytest.mark.parametrize("query, expected", [
    ("Saint-Denis (93)", ("Saint-Denis", "93")),
    ("saint denis 93", ("saint denis", "93")),
    ("Ajaccio (2a)", ("Ajaccio", "2A")),
    ("Saint-Pierre (975)", ("Saint-Pierre", "975")),
    ("Bretagne (région)", ("Bretagne", "region")),
    ("bretagne region", ("bretagne", "region")),
    ("Communauté de communes (CCEL)", ("Communauté de communes (CCEL)", None)),
    ("38", ("38", None)),
    ("(38)", ("(38)", None)),
    ("rennes", ("rennes", None)),
])
def test_split_place(query, expected):
    assert split_place(query) == expected


def test_a_departement_after_the_name_or_in_brackets_narrows_the_matches():
    index = SearchIndex([entry("1", "Saint-Denis", 110000, departement="93"),
                         entry("2", "Saint-Denis", 150000, departement="974"),
                         entry("3", "L'Île-Saint-Denis", 8000, departement="93"),
                         SearchEntry("departement-93", "Seine-Saint-Denis", "departement", "93", 1_600_000, "93"),
                         SearchEntry("region-53", "Bretagne", "region", "35", 3_400_000, "53"),
                         entry("4", "Bretagne", 500, departement="90")])
    assert [e.id for e in index.search("Saint-Denis")][:2] == ["2", "1"]
    assert [e.id for e in index.search("Saint-Denis (93)")] == ["1", "departement-93", "3"]
    assert [e.id for e in index.search("st denis 974")] == ["2"]
    assert [e.id for e in index.search("Bretagne (région)")] == ["region-53"]
    assert [e.id for e in index.search("Saint-Denis (01)")][:2] == ["2", "1"]  # wrong place: the name still counts


def test_small_typos_when_nothing_matches_as_typed():
    index = SearchIndex([entry("1", "Échirolles", 37000), entry("2", "Chirols", 200, departement="07"),
                         entry("3", "Marseille", 870000, departement="13"), entry("4", "Gap", 40000)])
    assert index.search("echirole")[0].id == "1"  # two letters missing from a long name
    assert index.search("ehcirolles")[0].id == "1"  # two letters swapped
    assert [e.id for e in index.search("marseile 13")] == ["3"]
    assert index.search("gaq") == []  # short names are too alike for typos


NAME = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz"), min_size=5, max_size=20)


@PROPERTIES
@given(name=NAME, data=st.data())
def test_one_typo_still_finds_the_name(name, data):
    position = data.draw(st.integers(0, len(name) - 2))
    typo = data.draw(st.sampled_from([
        name[:position] + name[position + 1:],  # a letter missing
        name[:position] + "z" + name[position:],  # one too many
        name[:position] + name[position + 1] + name[position] + name[position + 2:],  # two swapped
        name[:position] + ("x" if name[position] != "x" else "y") + name[position + 1:],  # a wrong one
    ]))
    assert [e.id for e in SearchIndex([entry("1", name.capitalize(), 100)]).search(typo)] == ["1"]


@PROPERTIES
@given(name=NAME, departement=st.sampled_from(["01", "2A", "38", "974"]))
def test_the_departement_in_brackets_keeps_only_its_homonym(name, departement):
    index = SearchIndex([entry(d, name, 100, departement=d) for d in ("01", "2A", "38", "974")])
    for query in (f"{name} ({departement})", f"{name} {departement.lower()}"):
        assert [e.id for e in index.search(query)] == [departement]


async def search(datasette, query, **params):
    response = await datasette.client.get("/-/recherche.json", params={"q": query, **params})
    assert response.status_code == 200, response.text
    return response.json()


async def test_endpoint_fields_and_accents(datasette):
    for query in ("echirolles", "ÉCHIROLLES", "Échirolles"):
        first = (await search(datasette, query))[0]
        assert first["id"] == "213801517"
    assert first == {
        "id": "213801517", "nom": "Échirolles", "label": "Échirolles (38)", "type": "commune", "type_libelle": "commune",
        "departement": "38", "population": first["population"], "code": "38151", "url": "/territoire/213801517",
    }
    assert first["population"] > 30000


async def test_endpoint_homonyms_are_told_apart_by_departement(datasette):
    for query in ("st joseph", "saint-joseph", "Saint Joseph"):
        results = await search(datasette, query)
        assert results[0]["label"] == "Saint-Joseph (974)"  # the largest of the exact matches
        exact = [r for r in results if r["nom"] == "Saint-Joseph"]
        assert len(exact) >= 3 and results[:len(exact)] == exact
        assert [r["population"] for r in exact] == sorted((r["population"] for r in exact), reverse=True)


async def test_endpoint_ranking_exact_prefix_infix(datasette):
    names = [r["nom"] for r in await search(datasette, "grenoble", limit=20)]
    assert names[0] == "Grenoble"
    assert names.index("Grenoble-Alpes-Métropole") > 0


async def test_endpoint_codes(datasette):
    assert (await search(datasette, "38151"))[0]["id"] == "213801517"
    assert (await search(datasette, "213801517"))[0]["id"] == "213801517"
    assert (await search(datasette, "38"))[0]["id"] == "departement-38"
    assert (await search(datasette, "2A004"))[0]["nom"] == "Ajaccio"
    assert (await search(datasette, "97411"))[0]["label"] == "Saint-Denis (974)"


async def test_endpoint_limits(datasette):
    assert len(await search(datasette, "saint")) == 10
    assert len(await search(datasette, "saint", limit="3")) == 3
    assert len(await search(datasette, "saint", limit="1000")) == 50
    assert len(await search(datasette, "saint", limit="abc")) == 10
    assert len(await search(datasette, "saint", limit="9" * 5000)) == 10
    assert len(await search(datasette, "saint", limit="-5")) == 10


@pytest.mark.parametrize("query", ["", " ", "%%%", "\x00", "<script>", "' or 1=1 --", "é"])
async def test_endpoint_garbage_is_never_an_error(datasette, query):
    assert isinstance(await search(datasette, query), list)


async def test_endpoint_overlong_query_is_400(datasette):
    response = await datasette.client.get("/-/recherche.json", params={"q": "x" * 10_000})
    assert response.status_code == 400
    assert "trop longue" in response.json()["erreur"]


@pytest.mark.parametrize("query, first", [
    ("Saint-Denis (93)", "Saint-Denis (93)"),
    ("saint denis 93", "Saint-Denis (93)"),
    ("rennes 35", "Rennes (35)"),
    ("marseille 13", "Marseille (13)"),
    ("echirole", "Échirolles (38)"),
    ("st joseph", "Saint-Joseph (974)"),
    ("Isère (38)", "Isère (38)"),
    ("Bretagne (région)", "Bretagne (région)"),
])
async def test_endpoint_forgives(datasette, query, first):
    assert (await search(datasette, query))[0]["label"] == first


@pytest.mark.parametrize("query, first", [("Saint-Denis (93)", "Saint-Denis (93)"), ("echirole", "Échirolles (38)"),
                                          ("st joseph", "Saint-Joseph (974)")])
async def test_results_page_ranks_as_the_suggestions(datasette, query, first):
    response = await datasette.client.get("/recherche", params={"q": query})
    assert response.status_code == 200
    links = re.findall(r'<li><a href="(/territoire/[^"]+)">([^<]+)</a>', response.text)
    suggestions = await search(datasette, query, limit="50")
    assert links == [(s["url"], s["label"].replace("'", "&#39;")) for s in suggestions]
    assert links[0][1] == first
    assert f"<title>« {query} » — Recherche de territoires" in response.text.replace("&#39;", "'")


async def test_results_page_empty_and_overlong(datasette):
    empty = await datasette.client.get("/recherche", params={"q": "zzzzzzzzzzzz"})
    assert empty.status_code == 200 and "Aucun territoire ne correspond à « zzzzzzzzzzzz »" in empty.text
    overlong = await datasette.client.get("/recherche", params={"q": "x" * 10_000})
    assert overlong.status_code == 400 and "Recherche trop longue (au plus 100 caractères)." in overlong.text
    blank = await datasette.client.get("/recherche")
    assert blank.status_code == 200 and "<ol" not in blank.text
