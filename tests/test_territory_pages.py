"""Territory pages /territoire/<id> (HTML and .json), their redirects, 404s, and the peer rules (tnl/site/pages/peers.py)."""
from __future__ import annotations

import html
import math
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tnl import vocabulary
from tnl.site.pages import peers

ECHIROLLES = "213801517"


async def get(datasette, path, status=200):
    response = await datasette.client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return response


async def page_and_data(datasette, path):
    return html.unescape((await get(datasette, path)).text), (await get(datasette, path.replace("?", ".json?", 1) if "?" in path else path + ".json")).json()


# --- Pure peer rules -----------------------------------------------------------------------------------------

def territory(id="1", kind="commune", population=1000, region="84", latest=None, name=None):
    return {"id": id, "kind": kind, "population": population, "region_code": region, "latest": latest,
            "name": name or f"T{id}", "departement_code": "38"}


def test_parse_options_defaults_and_clamps():
    commune = territory()
    assert peers.parse_options({}, commune) == peers.Options(0.5, 2.0, "region")
    assert peers.parse_options({}, territory(kind="departement")).perimetre == "national"
    assert peers.parse_options({"min": "0,8", "max": "1.5", "perimetre": "national"}, commune) == peers.Options(0.8, 1.5, "national")
    assert peers.parse_options({"min": "7", "max": "0.1", "perimetre": "mars"}, commune) == peers.Options(1.0, 1.0, "region")
    assert peers.parse_options({"min": "nan", "max": "inf"}, commune) == peers.Options(0.5, 2.0, "region")
    assert peers.parse_options({"min": "abc", "max": ""}, commune) == peers.Options(0.5, 2.0, "region")


def is_peer(territory: dict, candidate: dict, options) -> bool:
    """The peer rule written plainly (the index must agree with it): same kind, same perimeter, population in band."""
    band = peers.population_band(territory, options)
    return (candidate["kind"] == territory["kind"] and candidate["id"] != territory["id"]
            and (options.perimetre == "national" or candidate["region_code"] == territory["region_code"])
            and (band is None or (candidate["population"] is not None and band[0] <= candidate["population"] <= band[1])))


def listing_order(territory: dict):
    """The listing rule written plainly: labelled first, latest edition first, then closest population, then name."""
    reference = peers.population_key(territory)

    def key(peer):
        latest, population = peer["latest"], peers.population_key(peer)
        return (latest is None, -latest["edition"] if latest else 0, peers.distance(population, reference), population,
                peer["name"], peer["id"])
    return key


def found(me: dict, others: list[dict], options=peers.Options()) -> list[str]:
    """Ids of the peers of me among others, in listing order, from the index."""
    return [p["id"] for p in peers.PeerIndex([me, *others]).find(me, options).ordered()]


def test_peers_same_kind_band_and_region():
    me, options = territory(population=1000), peers.Options()
    assert found(me, [territory("2", population=500)]) == ["2"]
    assert found(me, [territory("2", population=2000)]) == ["2"]
    assert found(me, [territory("2", population=499)]) == []
    assert found(me, [territory("2", population=2001)]) == []
    assert found(me, [territory("2", kind="epci")]) == []
    assert found(me, [territory("2", region="11")]) == []
    assert found(me, [territory("2", region="11")], peers.Options(perimetre="national")) == ["2"]
    assert peers.PeerIndex([me]).find(me, options).total == 0


def test_bodies_without_population_compare_by_kind_and_region_only():
    syndicat = territory(kind="syndicat", population=None)
    assert peers.population_band(syndicat, peers.Options()) is None
    assert found(syndicat, [territory("2", kind="syndicat", population=None)]) == ["2"]
    assert found(syndicat, [territory("2", kind="syndicat", population=None, region="11")]) == []
    assert "population n'est pas connue" in peers.describe(syndicat, peers.Options(), "Auvergne-Rhône-Alpes")


def latest(edition, distinction="or", label="Label Or", scheme="badge_bronze_argent_or", rank=4):
    return {"edition": edition, "distinction": distinction, "label": label, "scheme": scheme, "rank": rank}


def test_labelled_first_then_closest_population():
    me = territory(population=1000)
    assert found(me, [territory("a", population=1900), territory("b", population=1050),
                      territory("c", population=600, latest=latest(2023)),
                      territory("d", population=1500, latest=latest(2025))]) == ["d", "c", "b", "a"]
    # 500 and 2000 are almost equally far from 1000 on a log scale: the exact distance decides.
    assert found(me, [territory("x", population=2000), territory("y", population=500), territory("z", population=999)]) == ["z", "y", "x"]


populations = st.one_of(st.none(), st.integers(0, 3000))
candidates = st.lists(st.tuples(st.sampled_from(["commune", "epci"]), st.sampled_from(["84", "11"]), populations,
                                st.sampled_from([None, 2023, 2024, 2025]), st.sampled_from(["or", "argent", ""]),
                                st.sampled_from(["Aa", "Ab", "B"])), max_size=40)


@given(candidates, st.integers(0, 40), st.sampled_from([0.0, 0.5, 0.9, 1.0]), st.sampled_from([1.0, 1.5, 2.0, 100.0]),
       st.sampled_from(["region", "national"]))
def test_index_agrees_with_the_plain_rules(rows, me_index, low, high, perimeter):
    everyone = [territory(str(i), kind=kind, region=region, population=population, name=name,
                          latest=latest(edition, distinction or None, distinction or vocabulary.UNPUBLISHED) if edition else None)
                for i, (kind, region, population, edition, distinction, name) in enumerate(rows)]
    everyone.append(territory("me", population=1000))
    me, options = everyone[me_index % len(everyone)], peers.Options(low, high, perimeter)
    expected = sorted((c for c in everyone if is_peer(me, c, options)), key=listing_order(me))
    result = peers.PeerIndex(everyone).find(me, options)
    assert [p["id"] for p in result.ordered()] == [p["id"] for p in expected]
    assert result.total == len(expected)
    assert sum(result.counts().values()) == sum(1 for p in expected if p["latest"])


def test_summary_counts_and_shares():
    me = territory(population=1000)
    others = [territory("a", latest=latest(2025)),
              territory("b", latest=latest(2024, "niveau_3", "Niveau 3", "niveaux_1_5", 3)),
              territory("c", latest=latest(2025, None, vocabulary.UNPUBLISHED, "badge_bronze_argent_or", None)),
              territory("d")]
    result = peers.PeerIndex([me, *others]).find(me, peers.Options())
    summary = peers.summarise(result.counts(), result.total)
    assert summary["total"] == 4 and summary["labelled"] == 3 and summary["never_labelled"] == 1
    assert summary["labelled_share"] == 75.0
    assert [(s["distinction"], s["count"], s["share"]) for s in summary["shares"]] == [
        ("Label Or", 1, 25.0), (vocabulary.UNPUBLISHED, 1, 25.0), ("Niveau 3", 1, 25.0)]
    assert peers.summarise(Counter(), 0)["labelled_share"] == 0.0


def test_describe_in_french():
    text = peers.describe(territory(population=37491), peers.Options(0.5, 2.0, "region"), "Auvergne-Rhône-Alpes")
    assert text == ("Pairs : les autres communes de la même région (Auvergne-Rhône-Alpes) dont la population est comprise "
                    "entre 0,5 et 2 fois celle de ce territoire, soit de 18\u202f746 à 74\u202f982 habitants.")
    assert "de toute la France" in peers.describe(territory(), peers.Options(perimetre="national"), None)


@pytest.mark.parametrize("value, expected", [
    (None, 1), ("", 1), ("2", 2), ("0", 1), ("-3", 1), ("99", 5), ("9" * 5000, 1), ("²", 1), ("٣", 1), ("2.5", 1)])
def test_page_number(value, expected):
    assert peers.page_number(value, 5) == expected


def test_section_paginates_the_list_but_keeps_every_marker():
    me = territory(population=1000)
    others = [dict(territory(f"{i:03}", population=900), latitude=45.0, longitude=5.0) for i in range(120)]
    others[0]["latest"] = latest(2025, None, vocabulary.UNPUBLISHED, "badge_bronze_argent_or", None)
    found = peers.PeerIndex([me, *others]).find(me, peers.Options())
    part = peers.section(me, found, peers.Options(), "Auvergne-Rhône-Alpes", page="3")
    assert (part["page"], part["pages"], len(part["items"]), len(part["markers"])) == (3, 3, 20, 120)
    assert part["markers"][0] == (45.0, 5.0, "000", "T000", "", vocabulary.UNPUBLISHED)
    assert part["markers"][1][4:] == (None, None)
    assert part["rules"]["population_min"] == 500 and part["rules"]["population_max"] == 2000
    assert peers.section(me, found, peers.Options(), None, markers=False)["markers"] is None
    listed = peers.section(me, found, peers.Options(), None, page="3", markers=False, items=False)["items"]
    assert listed and all(any(row is other for other in others) for row in listed)  # the territories themselves
    assert [peers.item(row) for row in listed] == part["items"]


# --- Pages ----------------------------------------------------------------------------------------------------

async def test_labelled_commune(datasette):
    text, data = await page_and_data(datasette, f"/territoire/{ECHIROLLES}")
    t = data["territory"]
    assert (t["name"], t["kind"], t["cog_code"], t["departement_code"], t["region_code"]) == ("Échirolles", "commune", "38151", "38", "84")
    assert "<h1>Échirolles</h1>" in text and "Commune" in text
    assert f"(population municipale {t['population_year']})" in text
    assert '<dt>Département</dt><dd><a href="/territoire/departement-38">Isère</a> (38)</dd>' in text
    assert '<a href="/territoire/region-84">Auvergne-Rhône-Alpes</a>' in text
    assert f'<a href="{t["epci"]["url"]}">{t["epci"]["name"]}</a>' in text
    assert '<html lang="fr">' in text and '<footer class="ft">' in text  # the site's base.html
    # Chart: every edition on the x axis, the change of scheme marked, one point per published result.
    svg = text[text.index('<svg id="graphique-historique"'):text.index("</svg>")]
    for edition in range(2016, 2026):
        assert f">{edition}</text>" in svg
    assert "Nouveau barème (2025)" in svg
    assert svg.count("<circle") == len(data["history"]) >= 4
    assert 'class="trait bareme-badge_bronze_argent_or"' not in svg  # the 2025 point is never joined to 2024
    for row in data["history"]:
        assert (f'<td data-label="Édition">{row["edition"]}</td><td data-label="Distinction">{row["distinction_label"]}</td>'
                f'<td data-label="Nom publié">{row["name_as_published"]}</td>') in text
    assert data["history"][-1]["edition"] == 2025 and t["latest"]["label"] in text
    for mention in data["mentions"]:
        assert mention["mention"] in text


async def test_never_labelled_commune(datasette, db):
    territory_id = db.execute("select id from territories where kind = 'commune' and id not in (select territory_id from results) "
                              "and population between 1000 and 5000 order by id limit 1").fetchone()[0]
    text, data = await page_and_data(datasette, f"/territoire/{territory_id}")
    assert data["history"] == [] and data["territory"]["latest"] is None
    assert "jamais labellisé" in text and "Aucune distinction dans les résultats publiés" in text
    assert '<svg id="graphique-historique"' in text and "<circle" not in text.split("</svg>")[0]


async def test_overseas_commune_by_cog_code(datasette):
    response = await get(datasette, "/territoire/commune/97411", status=301)
    assert response.headers["location"] == "/territoire/219740115"
    text, data = await page_and_data(datasette, "/territoire/219740115")
    assert data["territory"]["name"] == "Saint-Denis" and data["territory"]["departement_code"] == "974"
    assert '<a href="/territoire/departement-974">La Réunion</a>' in text
    assert data["peers"]["rules"]["perimetre"] == "region"
    assert data["peers"]["items"] and all(p["departement_code"] == "974" for p in data["peers"]["items"])


async def test_corsican_commune(datasette):
    response = await get(datasette, "/territoire/commune/2A004", status=301)
    text, data = await page_and_data(datasette, response.headers["location"])
    assert data["territory"]["name"] == "Ajaccio"
    assert '<a href="/territoire/departement-2A">Corse-du-Sud</a>' in text
    assert (await get(datasette, "/territoire/commune/2a004", status=301)).headers["location"] == response.headers["location"]


async def test_body_without_cog_code_or_population(datasette):
    text, data = await page_and_data(datasette, "/territoire/syndicat-sitpi")
    t = data["territory"]
    assert t["kind"] == "syndicat" and t["cog_code"] is None and t["population"] is None
    assert "non applicable à ce type d'organisme" in text
    rules = data["peers"]["rules"]
    assert rules["population_min"] is None and "population n'est pas connue" in rules["text"]
    assert rules["text"] in text
    assert data["peers"]["items"] and all(p["id"].startswith("syndicat-") for p in data["peers"]["items"])
    assert data["history"], "SITPI is a laureate"


async def test_departement_and_region_pages(datasette):
    for path, code in (("/territoire/departement/38", "departement-38"), ("/territoire/region/84", "region-84"),
                       ("/territoire/epci/200040715", "200040715")):
        assert (await get(datasette, path, status=301)).headers["location"] == f"/territoire/{code}"
    text, data = await page_and_data(datasette, "/territoire/departement-38")
    assert data["territory"]["kind"] == "departement" and "<h1>Isère</h1>" in text
    assert data["peers"]["rules"]["perimetre"] == "national"
    assert data["peers"]["items"] and all(p["id"].startswith("departement-") for p in data["peers"]["items"])
    text, data = await page_and_data(datasette, "/territoire/region-84")
    assert "<h1>Auvergne-Rhône-Alpes</h1>" in text and "Région" in text
    # A région lies in no département: the one named is its seat's (the column's description says so).
    assert '<dt>Département du siège</dt><dd><a href="/territoire/departement-69">Rhône</a> (69)</dd>' in text
    assert data["peers"]["items"] and all(p["id"].startswith("region-") for p in data["peers"]["items"])


@pytest.mark.parametrize("path", ["/territoire/999999999", "/territoire/departement-00", "/territoire/commune/99999",
                                  "/territoire/epci/213801517", "/territoire/region/00"])
async def test_unknown_territory_is_a_french_404(datasette, path):
    response = await get(datasette, path, status=404)
    assert "Territoire introuvable" in response.text and 'lang="fr"' in response.text


async def test_unknown_territory_in_json_is_a_404(datasette):
    response = await get(datasette, "/territoire/999999999.json", status=404)
    assert response.json() == {"ok": False, "error": "Territoire introuvable", "status": 404, "id": "999999999"}


async def test_redirects_keep_the_query_string(datasette):
    response = await get(datasette, "/territoire/commune/38151?perimetre=national&min=0.8", status=301)
    assert response.headers["location"] == "/territoire/213801517?perimetre=national&min=0.8"


@pytest.mark.parametrize(("path", "territory_id"), [
    ("/territoire/commune/38151.json", "213801517"), ("/territoire/commune/2a004.json", "212000046"),
    ("/territoire/epci/200040715.json", "200040715"), ("/territoire/departement/38.json", "departement-38"),
    ("/territoire/region/84.json", "region-84"),
])
async def test_every_shortcut_answers_in_json(datasette, path, territory_id):
    response = await get(datasette, path)
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == (await get(datasette, f"/territoire/{territory_id}.json")).json()


@pytest.mark.parametrize("path", ["/territoire/commune/99999.json", "/territoire/epci/213801517.json",
                                  "/territoire/commune/38151.json.json"])
async def test_unknown_shortcut_in_json_is_a_json_404(datasette, path):
    response = await get(datasette, path, status=404)
    assert response.json()["error"] == "Territoire introuvable"


@pytest.mark.parametrize("path", ["/territoire/../../etc/passwd", "/territoire/..%2F..%2Fetc", "/territoire/%00",
                                  "/territoire/" + "a" * 10_000, "/territoire/commune/" + "1" * 10_000,
                                  "/territoire/<script>", "/territoire/", "/territoire/213801517/x",
                                  "/territoire/commune/%00", "/territoire/213801517.json.json"])
async def test_malformed_ids_are_never_a_server_error(datasette, path):
    response = await datasette.client.get(path)
    assert response.status_code in (400, 404)


async def test_json_has_the_same_data_as_the_html(datasette):
    path = f"/territoire/{ECHIROLLES}?perimetre=national&min=0.8&max=1.25"
    text, data = await page_and_data(datasette, path)
    assert set(data) == {"territory", "editions", "history", "mentions", "indicators", "peers", "comparison", "laureates"}
    assert data["laureates"] is None  # a commune contains no other territory
    assert "marker" not in data["territory"]
    assert data["comparison"]["indicators"]
    for indicator in data["comparison"]["indicators"]:
        assert indicator["text"] in text and indicator["peers_text"] in text
    assert data["peers"]["rules"]["text"] in text
    summary = data["peers"]["summary"]
    assert f"{summary['total']:,}".replace(",", "\u202f") + "</strong> pair" in text
    for peer in data["peers"]["items"]:
        assert f'<a href="{peer["url"]}">{peer["name"]}</a>' in text
    for share in summary["shares"]:
        assert f"{share['distinction']} : {share['count']}" in text
    for group in data["indicators"]:
        for value in group["values"]:
            assert value["label"] in text and value["origin_label"] in text
    assert len(data["peers"]["markers"]) == summary["total"]


async def test_peers_follow_the_rules(datasette, db):
    _, data = await page_and_data(datasette, f"/territoire/{ECHIROLLES}")
    t, rules = data["territory"], data["peers"]["rules"]
    low, high = math.ceil(t["population"] * 0.5), math.floor(t["population"] * 2)
    assert (rules["population_min"], rules["population_max"], rules["perimetre"]) == (low, high, "region")
    expected = {row[0] for row in db.execute(
        "select id from territories where kind = 'commune' and region_code = '84' and population between ? and ? and id != ?",
        [low, high, ECHIROLLES])}
    assert {m[2] for m in data["peers"]["markers"]} == expected
    assert data["peers"]["summary"]["total"] == len(expected)
    labelled = {row[0] for row in db.execute("select id from labelled_territories")}
    assert data["peers"]["summary"]["labelled"] == len(expected & labelled)
    # Wider band, nationwide: a superset, from other régions too.
    _, wide = await page_and_data(datasette, f"/territoire/{ECHIROLLES}?perimetre=national&min=0.25&max=4")
    wide_ids = {m[2] for m in wide["peers"]["markers"]}
    assert expected < wide_ids
    regions = {row[0] for row in db.execute(
        f"select distinct region_code from territories where id in ({','.join('?' * len(wide_ids))})", list(wide_ids))}
    assert len(regions) > 5
    assert all(p["population"] >= t["population"] * 0.25 for p in wide["peers"]["items"])


async def test_peer_list_is_paginated_but_the_map_gets_every_peer(datasette):
    _, data = await page_and_data(datasette, "/territoire/210500740?perimetre=national")
    peers_ = data["peers"]
    assert peers_["summary"]["total"] > 1000 and len(peers_["items"]) == peers_["per_page"]
    assert len(peers_["markers"]) == peers_["summary"]["total"] and peers_["pages"] > 1
    text, last = await page_and_data(datasette, f"/territoire/210500740?perimetre=national&page={peers_['pages']}")
    assert last["peers"]["page"] == peers_["pages"] and "← précédente" in text
    _, beyond = await page_and_data(datasette, "/territoire/210500740?perimetre=national&page=999999")
    assert beyond["peers"]["page"] == peers_["pages"]
    for params in ("page=" + "9" * 5000, "min=" + "1" * 5000, "max=1e999", "perimetre=%00", "min=-1&max=-1"):
        await get(datasette, f"/territoire/210500740?{params}")
        await get(datasette, f"/territoire/210500740.json?{params}")


async def test_epci_kind_is_spelled_out(datasette):
    text = (await get(datasette, "/territoire/200040715")).text  # Grenoble-Alpes-Métropole
    assert '<span class="nature">EPCI (métropole)</span>' in text


LYON = "216901231"


async def test_a_region_without_peers_widens_to_the_whole_of_france_and_says_so(datasette):
    """Lyon: no other commune of its size in Auvergne-Rhône-Alpes; its page opened on « 0 territoire comparable »."""
    text, data = await page_and_data(datasette, f"/territoire/{LYON}")
    rules = data["peers"]["rules"]
    assert (rules["perimetre"], rules["widened"]) == ("national", True) and data["peers"]["summary"]["total"] > 0
    assert rules["text"].startswith("Aucun territoire comparable dans la région Auvergne-Rhône-Alpes : la comparaison "
                                    "est élargie à toute la France.")
    assert rules["text"] in text and "0 territoire comparable" not in text
    _, explicit = await page_and_data(datasette, f"/territoire/{LYON}?perimetre=region")
    assert (explicit["peers"]["rules"]["perimetre"], explicit["peers"]["summary"]["total"]) == ("region", 0)


@pytest.mark.parametrize("path, sql", [
    ("/territoire/departement-38", "t.departement_code = '38'"),
    ("/territoire/region-84", "t.region_code = '84'"),
    ("/territoire/200040715", "(t.epci_siren = '200040715' or t.id = '200040715')"),  # Grenoble-Alpes-Métropole
])
async def test_departement_region_and_epci_pages_list_the_laureates_within_them(datasette, db, path, sql):
    text, data = await page_and_data(datasette, path)
    expected = db.execute(f"select t.id, count(*) from results r join territories t on t.id = r.territory_id "
                          f"where {sql} group by t.id").fetchall()
    assert expected
    assert {(line["id"], len(line["results"])) for line in data["laureates"]} == set(expected)
    assert '<section id="laureats">' in text
    for line in data["laureates"]:
        assert f'<a href="{line["url"]}">{line["name"]}</a>' in text
    editions = [line["results"][0]["edition"] for line in data["laureates"]]
    assert editions == sorted(editions, reverse=True)  # the latest laureates first
