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


def test_postal_codes_list_their_communes_and_an_insee_code_says_so():
    index = SearchIndex([
        SearchEntry("meylan", "Meylan", "commune", "38", 17000, "38229", postal_codes=("38240",)),
        SearchEntry("corenc", "Corenc", "commune", "38", 4000, "38126", postal_codes=("38240",)),
        SearchEntry("moissieu", "Moissieu-sur-Dolon", "commune", "38", 700, "38240", postal_codes=("38270",)),
        SearchEntry("lyon", "Lyon", "commune", "69", 520000, "69123", postal_codes=("69001", "69002")),
        SearchEntry("affoux", "Affoux", "commune", "69", 400, "69001", postal_codes=("69170",)),
    ])
    assert [(m.entry.id, m.via) for m in index.matches("38240")] == [
        ("meylan", "code_postal"), ("corenc", "code_postal"), ("moissieu", "code_insee")]
    assert [(m.entry.id, m.via) for m in index.matches("69001")] == [("lyon", "code_postal"), ("affoux", "code_insee")]
    assert [(m.entry.id, m.via) for m in index.matches("38229")] == [("meylan", "code_insee")]
    assert [(m.entry.id, m.via) for m in index.matches("meylan")] == [("meylan", "nom")]
    assert index.search("99999") == []


def test_a_departement_name_after_the_name_narrows_the_matches():
    index = SearchIndex([
        SearchEntry("departement-38", "Isère", "departement", "38", 1_300_000, "38"),
        SearchEntry("departement-974", "La Réunion", "departement", "974", 880_000, "974"),
        SearchEntry("departement-46", "Lot", "departement", "46", 170_000, "46"),
        entry("meylan", "Meylan", 17000),
        entry("meylan-bis", "Meylan", 100, departement="01"),
        entry("sd-974", "Saint-Denis", 150000, departement="974"),
        entry("sd-93", "Saint-Denis", 110000, departement="93"),
        entry("villeneuve", "Villeneuve-sur-Lot", 22000, departement="47"),
        entry("villeneuve-46", "Villeneuve-sur-Vère", 500, departement="46"),
    ])
    for query in ("meylan isere", "Meylan Isère", "Meylan (Isère)", "meylan, isère"):
        assert [e.id for e in index.search(query)] == ["meylan"], query
    for query in ("saint denis la reunion", "saint-denis réunion", "Saint-Denis (La Réunion)"):
        assert [e.id for e in index.search(query)] == ["sd-974"], query
    assert index.search("villeneuve sur lot")[0].id == "villeneuve"  # the name as typed wins: not « Villeneuve-sur » in the Lot
    assert [e.id for e in index.search("isère")] == ["departement-38"]


@pytest.mark.parametrize("query", ["Mylan", "mylan", "eylan", "Meyln", "Meylna", "Meylam"])
def test_a_dropped_letter_anywhere_finds_the_name_before_names_merely_containing_the_letters(query):
    index = SearchIndex([entry("meylan", "Meylan", 17000), entry("domremy", "Domremy-Landéville", 100, departement="52"),
                         entry("big", "Kamylanopolis", 900000)])
    assert index.matches(query)[0].entry.id == "meylan", query


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
        "correspondance": "nom", "correspondance_libelle": None,
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
    # 97411 is Saint-Paul's postal code and Saint-Denis' Insee code: the postal code first, each match labelled
    assert [(r["label"], r["correspondance_libelle"]) for r in await search(datasette, "97411")] == [
        ("Saint-Paul (974)", "code postal 97411"), ("Saint-Denis (974)", "code Insee 97411")]


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


@pytest.mark.parametrize("query, expected", [
    ("38240", ["Meylan (38)", "Corenc (38)", "Moissieu-sur-Dolon (38)"]),
    ("69001", ["Lyon (69)", "Affoux (69)"]),
    ("38000", ["Grenoble (38)"]),
])
async def test_endpoint_postal_codes_before_the_insee_code_each_labelled(datasette, query, expected):
    results = await search(datasette, query)
    assert [r["label"] for r in results] == expected
    postal = [r for r in results if r["correspondance"] == "code_postal"]
    assert postal and all(r["correspondance_libelle"] == f"code postal {query}" for r in postal)
    assert all(r["correspondance_libelle"] == f"code Insee {query}" for r in results[len(postal):])


def postal_code_sample(db, size: int) -> list[tuple[str, set[str], str]]:
    """(code, ids of the communes it serves, id of the most populous) for `size` codes, every n-th of the sorted list."""
    codes = [code for code, in db.execute("select distinct postal_code from postal_codes order by postal_code")]
    assert len(codes) > 6000
    sample = []
    for code in codes[:: len(codes) // size][:size]:
        served = db.execute("select p.territory_id, t.population from postal_codes p join territories t on t.id = "
                            "p.territory_id where p.postal_code = ? order by t.population desc, t.id", [code]).fetchall()
        sample.append((code, {territory for territory, _ in served}, served[0][0]))
    return sample


async def test_endpoint_a_fixed_sample_of_postal_codes_lead_to_their_communes(datasette, db):
    sample = postal_code_sample(db, 40)
    assert len(sample) == 40
    for code, served, largest in sample:
        results = await search(datasette, code, limit="50")
        assert results[0]["id"] == largest, code
        assert {r["id"] for r in results if r["correspondance"] == "code_postal"} == served, code


async def test_endpoint_typos_and_departement_names(datasette):
    for query in ("Mylan", "eylan", "meylan isere", "meylan isère", "Meylan (Isère)"):
        assert (await search(datasette, query))[0]["label"] == "Meylan (38)", query


async def test_results_page_labels_code_matches_and_explains_each_kind_of_query(datasette):
    page = (await datasette.client.get("/recherche", params={"q": "38240"})).text
    items = re.findall(r"<li>(.*?)</li>", page, re.S)
    assert items and "Meylan (38)" in items[0] and "code postal 38240" in items[0]
    assert "Moissieu-sur-Dolon (38)" in items[2] and "code Insee 38240" in items[2]
    for kind in ("Un nom", "Un nom et son département", "Un code postal", "Un code Insee", "Un SIREN",
                 "Un numéro de département"):
        assert f"<dt>{kind}</dt>" in page
