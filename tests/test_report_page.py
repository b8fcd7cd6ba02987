"""/signaler: the report is pre-filled from the query string, checked against the data, echoed escaped, and leaves
only as a pre-filled e-mail (to the label's public contact unless metadata.yml sets another) or issue form, with the
facts and no internal command; the calls lead to it."""
from __future__ import annotations

import html
import json
import re
import shutil
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from tnl.build_layout import metadata_path
from tnl.site.http.serve import datasette_app
from tnl.site.pages.report_page import DEFAULT_EMAIL

EMAIL = "signalements@example.org"
FORM = "https://forge.example.org/tnl/issues/new?template=signalement.yml"


@pytest.fixture(scope="module")
def configured(built_db_path, tmp_path_factory):
    """The site with both destinations set, as metadata.yml would set them."""
    folder = tmp_path_factory.mktemp("configured")
    shutil.copy(built_db_path, folder / "tnl.db")
    metadata = json.loads(metadata_path(built_db_path).read_text(encoding="utf-8"))
    metadata["plugins"]["tnl-signalement"] = {"email": EMAIL, "formulaire": FORM}
    metadata_path(folder / "tnl.db").write_text(json.dumps(metadata), encoding="utf-8")
    return datasette_app(folder / "tnl.db")


def link(page: str, prefix: str) -> str:
    start = page.index(f'href="{prefix}') + len('href="')
    return html.unescape(page[start:page.index('"', start)])


async def test_report_is_prefilled_for_a_territory_an_edition_and_a_distinction(configured):
    response = await configured.client.get("/signaler?territoire=213801517&edition=2023&distinction=niveau_5")
    assert response.status_code == 200
    page = response.text
    for proof in ("liste des lauréats publiée par l'organisateur", "article de presse", "publication de l'organisme",
                  "délibération du conseil", "Jamais le nom d'une personne", "sous quinze jours"):
        assert proof in page
    assert '<dd>Échirolles (213801517)</dd>' in page and "<dd>2023</dd>" in page
    assert '<option value="niveau_5" selected>' in page and "Ignoré" not in page

    mail = urlsplit(link(page, "mailto:"))
    assert mail.path == EMAIL
    fields = parse_qs(mail.query)
    assert fields["subject"] == ["Signalement TNL : Échirolles — édition 2023"]
    body = fields["body"][0]
    assert "Territoire : Échirolles (identifiant 213801517)\nÉdition : 2023\nDistinction : Niveau 5" in body
    assert "(code niveau_5)\n" in body
    for internal in ("tnl ", "add-result", "--edition", "URL_DE_LA_PREUVE"):  # facts for the operator, no command
        assert internal not in body
    assert f"mailto:{EMAIL}?subject={quote(fields['subject'][0])}" in link(page, "mailto:")

    form = urlsplit(link(page, FORM.split("?")[0]))
    assert parse_qs(form.query)["template"] == ["signalement.yml"]
    assert parse_qs(form.query)["body"] == [body]
    copy = page[page.index('id="texte-signalement"'):].split(">", 1)[1].split("</textarea>")[0]
    assert html.unescape(copy) == body  # the plain-text copy, to paste


async def test_unknown_values_are_ignored_said_and_escaped(configured):
    evil = '<script>alert("x")</script>'
    response = await configured.client.get(
        "/signaler", params={"territoire": evil, "edition": "1999<b>", "distinction": "or"})
    page = response.text
    assert response.status_code == 200
    assert "<script>alert" not in page and "<b>" not in page
    assert "territoire « &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; » inconnu" in page
    assert "édition « 1999&lt;b&gt; » inconnue" in page
    body = parse_qs(urlsplit(link(page, "mailto:")).query)["body"][0]
    assert "Territoire : …" in body and "script" not in body


async def test_a_distinction_outside_the_editions_scheme_is_refused_in_french(configured):
    page = (await configured.client.get("/signaler?edition=2021&distinction=or")).text
    assert ("La distinction « Label Or » n&#39;existe pas à l&#39;édition 2021, dont le barème est niveaux 1 à 5 : "
            "choisissez l&#39;une des distinctions proposées.") in page
    assert "<dd>2021</dd>" in page and offered(page) == ["niveau_1", "niveau_2", "niveau_3", "niveau_4", "niveau_5"]
    body = parse_qs(urlsplit(link(page, "mailto:")).query)["body"][0]
    assert "Distinction : …" in body


def offered(page: str) -> list[str]:
    """The distinctions a visitor can choose: those of the optgroups neither hidden nor disabled."""
    select = page[page.index('<select id="distinction"'):].split("</select>")[0]
    groups = re.findall(r'<optgroup label="[^"]*" data-bareme="[^"]*"( hidden disabled)?>(.*?)</optgroup>', select)
    assert groups
    return [value for hidden, options in groups if not hidden for value in re.findall(r'value="([^"]+)"', options)]


@pytest.mark.parametrize("edition, expected", [
    ("2025", ["badge", "bronze", "argent", "or"]),
    ("2024", ["niveau_1", "niveau_2", "niveau_3", "niveau_4", "niveau_5"]),
    ("2016", ["niveau_1", "niveau_2", "niveau_3", "niveau_4", "niveau_5"]),
    ("", ["badge", "bronze", "argent", "or", "niveau_1", "niveau_2", "niveau_3", "niveau_4", "niveau_5"]),
])
async def test_the_distinctions_offered_are_those_of_the_chosen_edition(datasette, edition, expected):
    page = (await datasette.client.get("/signaler", params={"edition": edition})).text
    assert offered(page) == expected
    # each scheme under the editions it belongs to; the other one stays in the page for the script, hidden
    assert 'label="Édition 2025 : badge, bronze, argent, or"' in page
    assert 'label="Éditions 2016 à 2024 : niveaux 1 à 5"' in page


async def test_without_setting_the_report_goes_to_the_labels_public_contact(datasette):
    page = (await datasette.client.get("/signaler?territoire=213801517")).text
    mail = urlsplit(link(page, "mailto:"))
    assert mail.path == DEFAULT_EMAIL == "label@territoire-numerique-libre.org"
    assert f"Envoyer par courriel à {DEFAULT_EMAIL}" in page and "Aucune adresse" not in page
    assert 'id="texte-signalement"' in page


@pytest.mark.parametrize("typed, expected", [("Échirolles", "213801517"), ("echirolles", "213801517")])
async def test_a_territory_can_be_given_by_its_name(datasette, typed, expected):
    page = (await datasette.client.get("/signaler", params={"territoire": typed})).text
    assert f"<dd>Échirolles ({expected})</dd>" in page


async def test_an_ambiguous_name_offers_the_choice(datasette):
    page = (await datasette.client.get("/signaler", params={"territoire": "Saint-Denis", "edition": "2024"})).text
    assert "Plusieurs territoires correspondent à « Saint-Denis »" in page
    assert '<a href="/signaler?territoire=219740115&amp;edition=2024">Saint-Denis (974)</a>' in page
    assert "<dd>à préciser</dd>" in page


@pytest.mark.parametrize("path, target", [
    ("/territoire/213801517", "/signaler?territoire=213801517"),
    ("/tnl/palmares?edition=2020", "/signaler?edition=2020"),
    ("/tnl/results?edition=2022", "/signaler?edition=2022"),
    ("/", "/signaler?edition=2025"),
    ("/", "/signaler"),
])
async def test_calls_lead_to_the_prefilled_report(datasette, path, target):
    page = (await datasette.client.get(path)).text
    assert f'<a href="{target}">Un résultat manque ou est inexact ?</a>' in page


async def test_edition_coverage_says_how_many_laureates_are_missing(datasette, db):
    published = db.execute("select count(*) from results where edition = 2020").fetchone()[0]
    page = (await datasette.client.get("/tnl/palmares?edition=2020")).text
    assert f"Il manque {26 - published} lauréats de l&#39;édition 2020." in page
