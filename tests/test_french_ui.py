"""The pages users see on the main paths speak French, including Datasette's own strings (translated as they load)."""
from __future__ import annotations

import html as html_module
import re
from pathlib import Path

import datasette as datasette_package
import pytest

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
DATASETTE_TEMPLATES = Path(datasette_package.__file__).parent / "templates"
ENGLISH_COUNT = re.compile(r"\b\d[\d,]* rows?\b")  # "1,234 rows", "1 row"
FRENCH_COUNT = re.compile(r"\b\d{1,3}(\u202f\d{3})*&nbsp;lignes?\b")  # "1 234 lignes" (narrow no-break spaces)

# Every page: French layout and footer, no Datasette English around them.
PAGES = [
    "/",
    "/tnl",
    "/tnl/results",
    "/tnl/results_map",
    "/tnl/territories?kind=commune",
    "/tnl/results/2023,210500740",
    "/tnl/palmares",
    "/tnl?sql=select+1",
]


def text_of(html: str) -> str:
    """Visible text, roughly: no scripts, styles or SQL listings (those are for developers)."""
    html = re.sub(r"(?s)<(script|style|pre|textarea)\b.*?</\1>", " ", html)
    return re.sub(r"<[^>]+>", " ", html)


def test_no_datasette_template_is_copied():
    # Datasette's templates are translated as they load (tnl/site/french/french_templates.py); the only template of ours that
    # shares a name with one of Datasette's is the front page, which is entirely ours.
    ours = {path.name for path in TEMPLATES.glob("*.html")}
    assert ours & {path.name for path in DATASETTE_TEMPLATES.glob("*.html")} == {"index.html"}


@pytest.mark.parametrize("path", PAGES)
async def test_layout_is_french(datasette, path):
    r = await datasette.client.get(path)
    assert r.status_code == 200, path
    assert '<html lang="fr">' in r.text
    assert "Powered by" not in r.text
    for english in ("Data license", "Data source", "About:", "Queries took", ">home<", "Log out"):
        assert english not in r.text, (path, english)


FOOTER = ("Propulsé par", "Requête exécutée en", ">Accueil<")
LICENSED_FOOTER = FOOTER + ("Licence des données", "Source des données", "À propos")


# A canned query's footer shows the query's own metadata, which has no license.
@pytest.mark.parametrize("path, fragments", [(p, FOOTER if p == "/tnl/palmares" else LICENSED_FOOTER) for p in PAGES[1:]])
async def test_footer_and_crumbs_are_french(datasette, path, fragments):
    r = await datasette.client.get(path)
    for fragment in fragments:
        assert fragment in r.text, fragment


async def test_a_row_page_opened_first_shows_the_licence(built_db_path):
    # Datasette fills a table's licence in only when its table page is shown: a fresh process must not depend on that.
    from tnl.site.http.serve import datasette_app

    r = await datasette_app(built_db_path).client.get("/tnl/results/2023,210500740")
    assert r.status_code == 200
    for fragment in LICENSED_FOOTER:
        assert fragment in r.text, fragment


async def test_table_page(datasette):
    r = await datasette.client.get("/tnl/results")
    assert r.status_code == 200
    html, text = html_module.unescape(r.text), text_of(r.text)
    for french in (
        'value="Appliquer"', "- colonne -", "Trier par Édition", "ordre décroissant", "Voir et modifier la requête SQL",
        "Ces données en", ">JSON<", "export avancé", "Export avancé", "Options CSV", "télécharger le fichier",
        "développer les libellés", 'value="Exporter en CSV"', ">contient<", ">commence par<", ">n'a pas de valeur<",
        "triées par Édition (ordre décroissant)",
    ):
        assert french in html, french
    assert FRENCH_COUNT.search(r.text)
    assert not ENGLISH_COUNT.search(text)
    for english in (
        'value="Apply"', "Advanced export", "This data as", "CSV options", "download file", "expand labels",
        "View and edit SQL", "Sort by", "descending", ">contains<", ">starts with<", ">is null<", "sorted by",
        "- column -", "JSON shape",
    ):
        assert english not in html, english


async def test_table_page_title_and_description(datasette):
    r = await datasette.client.get("/tnl/territories?kind=commune&name__contains=e")
    assert r.status_code == 200
    assert "où Nature = «\u00a0commune\u00a0» et Nom officiel contient «\u00a0e\u00a0»" in r.text
    title = re.search(r"<title>(.*?)</title>", r.text, re.S).group(1)
    assert "ligne" in title and "où Nature" in title
    assert "where" not in title and "row" not in title
    assert not ENGLISH_COUNT.search(text_of(r.text))


async def test_next_page_link(datasette):
    r = await datasette.client.get("/tnl/territories?_size=2")
    assert r.status_code == 200
    assert "Page suivante" in r.text
    assert "Next page" not in r.text


async def test_view_page(datasette):
    r = await datasette.client.get("/tnl/territory_history")  # a view (results_map is a table: the build materialises it)
    assert r.status_code == 200
    assert "(vue)" in r.text and "(view)" not in r.text
    assert FRENCH_COUNT.search(r.text)
    assert not ENGLISH_COUNT.search(text_of(r.text))


async def test_row_page(datasette):
    r = await datasette.client.get("/tnl/results/2023,210500740")
    assert r.status_code == 200
    assert "Ces données en" in r.text
    assert "This data as" not in r.text
    assert "Links from other tables" not in r.text


async def test_row_page_with_links_from_other_tables(datasette):
    r = await datasette.client.get("/tnl/editions/2023")
    assert r.status_code == 200
    assert "Liens depuis d'autres tables" in r.text  # 2023 has results, indicator values…
    assert "Links from other tables" not in r.text
    assert re.search(r"[0-9]&nbsp;lignes?</a>\s*dans Résultats \(colonne « Édition »\)", r.text)
    assert not ENGLISH_COUNT.search(text_of(r.text))


async def test_database_page(datasette):
    r = await datasette.client.get("/tnl")
    assert r.status_code == 200
    for french in ("Requête SQL personnalisée", 'value="Exécuter la requête"', "Requêtes", "Vues",
                   "Télécharger la base SQLite"):
        assert french in r.text, french
    for english in ("Custom SQL query", "Run SQL", "Format SQL", ">Queries<", ">Views<", "Download SQLite DB",
                    "hidden table", " KB<", " MB<"):
        assert english not in r.text, english
    assert not ENGLISH_COUNT.search(text_of(r.text))


async def test_canned_query_page(datasette):
    r = await datasette.client.get("/tnl/palmares")
    assert r.status_code == 200
    for french in ("Paramètres de la requête", 'value="Exécuter la requête"', "Modifier la requête SQL", ">voir la requête SQL<"):  # SQL hidden by default
        assert french in r.text, french
    for english in ("Query parameters", "Run SQL", ">Edit SQL<", "returning", ">hide<", "This data as"):
        assert english not in r.text, english


async def test_sql_query_page(datasette):
    r = await datasette.client.get("/tnl?sql=select+1")
    assert r.status_code == 200
    assert "Requête SQL personnalisée renvoyant 1&nbsp;ligne" in r.text
    assert "Ces données en" in r.text
    for english in ("Custom SQL query", "returning", "This data as", "Run SQL"):
        assert english not in r.text, english


async def test_query_without_results(datasette):
    r = await datasette.client.get("/tnl?sql=select+1+where+0")
    assert r.status_code == 200
    assert "Aucun résultat" in r.text and "0 results" not in r.text


@pytest.mark.parametrize(("path", "message"), [
    ("/tnl/nope", "Table introuvable"),
    ("/nope", "Base de données introuvable"),
    ("/tnl/results/1900,000000000", "Ligne introuvable"),
])
async def test_not_found_pages(datasette, path, message):
    r = await datasette.client.get(path)
    assert r.status_code == 404
    assert "Erreur 404" in r.text and message in r.text
    assert '<html lang="fr">' in r.text
    for english in ("Error 404", "not found", "Powered by"):
        assert english not in r.text, english
