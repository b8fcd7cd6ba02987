"""Open indicators from public sources (tnl/importers/public_sources.py) and the comparison desk of territory pages
(tnl/site/pages/comparison.py): SIREN-only matching, reported rows, wording of absence, licences, counts against SQL."""
from __future__ import annotations

import csv
import html
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from tnl.importers import public_sources
from tnl.importers.public_sources import Matcher, normalise_siren
from tnl.site.pages import comparison

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
MEYLAN, ECHIROLLES, LYON = "213802291", "213801517", "216901231"


def _territories():
    with open(DATA / "territories.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def derivation():
    return public_sources.derive(DATA)


def test_derivation_is_deterministic_and_matches_the_committed_files(derivation, tmp_path):
    again = public_sources.derive(DATA)
    assert again.public == derivation.public and again.odbl == derivation.odbl and again.unplaced == derivation.unplaced
    data = tmp_path / "data"
    (data / public_sources.SOURCES_DIR).mkdir(parents=True)
    public_sources.write(data, derivation)
    for name in (public_sources.PUBLIC_VALUES, public_sources.ODBL_VALUES, str(public_sources.UNMATCHED)):
        assert (data / name).read_bytes() == (DATA / name).read_bytes(), name


def test_every_value_is_matched_by_siren_to_an_existing_territory(derivation):
    territories = {t["id"]: t for t in _territories()}
    values = derivation.public + derivation.odbl
    assert len(values) > 1000
    for value in values:
        assert value.territory_id in territories, value
    # Communes and EPCI by their own SIREN; départements and régions only through the workbook's SIREN-code pairs.
    by_siren = {t["siren"] for t in territories.values() if t["siren"]}
    others = {v.territory_id for v in values if v.territory_id not in by_siren}
    assert others and all(t.startswith(("departement-", "region-")) for t in others)


def test_the_hand_matched_forge_accounts_exist_in_territories(derivation):
    forge = sorted(v.territory_id for v in derivation.public if v.indicator == public_sources.FORGE)
    assert len(forge) == 13
    assert {"217500016", "200046977", "244400404", "243500139", "region-53", "region-76", "region-24",
            "departement-33", "219200508", "210600045", "216704825", "219400769", "211703004"} == set(forge)


def test_names_never_match():
    matcher = Matcher([{"id": "213802291", "siren": "213802291", "name": "Meylan"}], {})
    assert matcher.find("213802291") == "213802291"
    assert matcher.find("Meylan") is None


@pytest.mark.parametrize("raw, expected", [
    ("213802291", "213802291"), (213802291.0, "213802291"), ("\u200e213802291", "213802291"), ("213802291.0", "213802291"),
    ("213802292", None), ("21380229", None), ("", None), (None, None), ("abc", None), (2.5, None),
])
def test_normalise_siren(raw, expected):
    assert normalise_siren(raw)[0] == expected


def test_an_unknown_or_malformed_siren_is_reported_not_published(tmp_path):
    source = tmp_path / "odater.csv"
    source.write_text('"siren","nom","url_platform","id_datagouv","techno_platform"\n'
                      '213802291,"MEYLAN",,,"CKAN"\n'
                      '213802292,"CLE FAUSSE",,,"CKAN"\n'
                      '999999998,"INCONNU",,,"CKAN"\n'
                      '12345,"COURT",,,"CKAN"\n'
                      '213802291,"MEYLAN BIS",,,"CKAN"\n', encoding="utf-8")
    matcher = Matcher([{"id": "213802291", "siren": "213802291"}], {})
    unplaced = []
    values = public_sources.odater_2022(source, "https://example.org/odater", matcher,
                                        {"CKAN": {"free_software": "oui"}}, unplaced)
    assert {(v.territory_id, v.indicator, v.value) for v in values} == {
        ("213802291", public_sources.PUBLISHES, 1), ("213802291", public_sources.FREE_PLATFORM, 1)}
    reported = {(u.row, u.outcome) for u in unplaced}
    assert reported == {(3, "écarté"), (4, "non rattaché"), (5, "écarté"), (6, "écarté")}
    assert all(u.reason for u in unplaced)


def test_a_changed_source_is_refused(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA / public_sources.SOURCES_DIR, data / public_sources.SOURCES_DIR)
    shutil.copy(DATA / "territories.csv", data)
    with open(data / public_sources.SOURCES_DIR / public_sources.CODEGOUV, "a", encoding="utf-8") as f:
        f.write("github.com,x,https://github.com/x,,,,213802291,\n")
    with pytest.raises(public_sources.SourceChanged, match="SHA-256"):
        public_sources.derive(data)


def test_unplaced_rows_are_all_reported_with_a_reason(derivation):
    assert derivation.unplaced
    counts = {source: 0 for source in derivation.rows_read}
    for u in derivation.unplaced:
        assert u.outcome in ("non rattaché", "écarté") and u.reason
        counts[u.source] += 1
    published = {public_sources.ODATER_2022: {v.territory_id for v in derivation.public if v.indicator == public_sources.PUBLISHES},
                 public_sources.ODATER_2020: {v.territory_id for v in derivation.odbl}}
    for source, ids in published.items():
        assert len(ids) + counts[source] == derivation.rows_read[source], source


def test_free_platform_classification():
    platforms = {"CKAN": {"free_software": "oui"}, "OpenDataSoft": {"free_software": "non"},
                 "DataGouv": {"free_software": "oui"}, "Spécifique": {"free_software": "inconnu"}}
    assert public_sources.free_platform(["CKAN", "OpenDataSoft"], platforms)[0] == 1
    assert public_sources.free_platform(["DataGouv", "OpenDataSoft"], platforms)[0] == 0
    assert public_sources.free_platform(["DataGouv"], platforms)[0] is None  # the national platform is not its own
    assert public_sources.free_platform(["Spécifique"], platforms)[0] is None
    assert public_sources.free_platform([], platforms)[0] is None


def test_every_platform_technology_is_classified_with_a_reason():
    with open(DATA / public_sources.SOURCES_DIR / public_sources.PLATFORMS, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows
    for row in rows:
        assert row["free_software"] in ("oui", "non", "inconnu") and row["reason"], row


# --- Licence per resource ------------------------------------------------------------------------------------

def test_licence_per_resource_in_the_published_zip(real_build):
    zips = sorted(real_build[0].parent.glob("tnl-donnees-*.zip")) if real_build[0] else []
    assert zips, real_build
    with zipfile.ZipFile(zips[-1]) as archive:
        descriptor = json.loads(archive.read("datapackage.json"))
        assert "sources/indicators/provenance.json" in archive.namelist()
    resources = {r["name"]: r for r in descriptor["resources"]}
    assert [l["name"] for l in descriptor["licenses"]] == ["etalab-2.0"]
    assert [l["name"] for l in resources["odater_2020_dataset_counts"]["licenses"]] == ["ODbL-1.0"]
    assert [l["name"] for l in resources["public_indicator_values"]["licenses"]] == ["etalab-2.0"]


async def test_about_page_states_the_odbl_resource(datasette):
    text = (await datasette.client.get("/a-propos")).text
    assert "odater_2020_dataset_counts" in text and "ODbL" in text


# --- Wording of absence, coverage and counts on the pages -------------------------------------------------------

async def test_absence_is_never_stated_as_a_fact(datasette):
    response = await datasette.client.get(f"/territoire/{MEYLAN}.json")
    indicators = {i["code"]: i for i in response.json()["comparison"]["indicators"]}
    assert indicators["open_data_published_2022"]["text"] == "Non recensé par l'observatoire (édition 2022)"
    assert indicators["public_code_forge_account"]["text"] == "Non recensé par code.gouv.fr (août 2024)"
    page = html.unescape((await datasette.client.get(f"/territoire/{MEYLAN}")).text)
    assert "Non recensé par l'observatoire (édition 2022)" in page
    for wrong in ("ne publie pas", "Ne publie pas", "pas de données ouvertes"):
        assert wrong not in page


async def test_peer_counts_agree_with_sql(datasette, db):
    for territory_id in (MEYLAN, ECHIROLLES, "212200281"):
        data = (await datasette.client.get(f"/territoire/{territory_id}.json")).json()
        rules = data["peers"]["rules"]
        me = db["territories"].get(territory_id)
        where = ("t.kind = :kind and t.id != :id and t.population between :low and :high"
                 + (" and t.region_code = :region" if rules["perimetre"] == "region" else ""))
        params = {"kind": me["kind"], "id": territory_id, "low": rules["population_min"], "high": rules["population_max"],
                  "region": me["region_code"]}
        total = db.execute(f"select count(*) from territories t where {where}", params).fetchone()[0]
        indicators = data["comparison"]["indicators"]
        assert indicators and total == data["peers"]["summary"]["total"]
        for indicator in indicators:
            table = "odater_2020_dataset_counts" if indicator["code"] == "open_data_datasets_2020" else "public_indicator_values"
            holds = "" if indicator["code"] == "open_data_datasets_2020" else " and v.value = 1"
            expected = db.execute(f"select count(*) from territories t join {table} v on v.territory_id = t.id "
                                  f"and v.indicator = :indicator{holds} where {where}",
                                  dict(params, indicator=indicator["code"])).fetchone()[0]
            assert (indicator["peers_with"], indicator["peers_total"]) == (expected, total), (territory_id, indicator["code"])
            assert indicator["peers_text"].startswith(f"{expected} de vos {total} pairs")
            assert len(indicator["peers"]) == expected


async def test_never_labelled_territory_gets_the_apply_line(datasette):
    data = (await datasette.client.get("/territoire/212200281.json")).json()
    assert data["comparison"]["apply"]["url"] == comparison.APPLY_URL
    page = (await datasette.client.get("/territoire/212200281")).text
    assert f'href="{comparison.APPLY_URL}"' in page
    labelled = (await datasette.client.get(f"/territoire/{ECHIROLLES}.json")).json()
    assert labelled["comparison"]["apply"] is None


async def test_coverage_lines_in_the_glossary_and_the_indicators_page(datasette, db):
    publishers = db.execute("select count(*) from public_indicator_values where indicator = 'open_data_published_2022'").fetchone()[0]
    assert publishers > 800
    for path in ("/glossaire", "/indicateurs-ouverts"):
        text = html.unescape((await datasette.client.get(path)).text)
        for spec in comparison.INDICATORS:
            assert f'id="couverture-{spec["code"]}"' in text, (path, spec["code"])
        assert f"{publishers} territoires ont une valeur" in text


async def test_canned_queries_state_their_source_date(datasette):
    for name in ("publient_sans_label", "labellises_sans_donnees_ouvertes", "indicateurs_par_departement",
                 "indicateurs_par_region", "open_data_publishers"):
        response = await datasette.client.get(f"/tnl/{name}")
        assert response.status_code == 200, name
        assert "au 31/12/2022" in html.unescape(response.text), name
    rows = (await datasette.client.get("/tnl/publient_sans_label.json?_shape=array")).json()
    assert rows
