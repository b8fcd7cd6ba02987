"""Territory search: the pure index (tnl/search_index.py) and the /-/recherche.json endpoint on the real data."""
from __future__ import annotations

import pytest

from tnl.site.search_index import Entry, SearchIndex, normalise


def entry(id, name, population=None, kind="commune", departement="38", cog=None):
    return Entry(id, name, kind, departement, population, cog)


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
        Entry("213801517", "Échirolles", "commune", "38", 37000, "38151", "213801517", ("38999",)),
        Entry("departement-38", "Isère", "departement", "38", 1_000_000, "38"),
        Entry("region-84", "Auvergne-Rhône-Alpes", "region", "69", 8_000_000, "84"),
        Entry("departement-84", "Vaucluse", "departement", "84", 500_000, "84"),
        Entry("212000046", "Ajaccio", "commune", "2A", 70000, "2A004", "212000046"),
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
