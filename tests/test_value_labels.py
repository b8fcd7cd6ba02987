"""The HTML shows French labels for codes and links every territory to its page; the JSON keeps codes and ids."""
from __future__ import annotations

import re

import pytest

from tnl.site.french import value_labels


def cells(html: str, column_class: str) -> list[str]:
    return re.findall(rf'<td class="col-{re.escape(column_class)}(?: [^"]*)?">(.*?)</td>', html, re.S)


def test_sources_become_one_link_each():
    html = value_labels.sources("https://a.example/1 | https://b.example/<2> | note")
    assert html == ('<a href="https://a.example/1" rel="nofollow">https://a.example/1</a><br>'
                    '<a href="https://b.example/&lt;2&gt;" rel="nofollow">https://b.example/&lt;2&gt;</a><br>note')


@pytest.mark.parametrize(("table", "column", "value", "expected"), [
    ("territories", "kind", "etablissement_public", "établissement public"),
    (None, "Nature", "epci", "EPCI"),
    ("results", "confidence", "medium", "moyenne"),
    ("results", "match_confidence", "doubtful", "douteux"),
    ("open_questions", "status", "unresolved", "ouverte"),
    ("coverage_by_distinction", "status", "partielle", None),
    ("territories", "epci_type", "METRO", "métropole"),
    ("territories", "name", "Rennes", None),
])
def test_fixed_vocabularies(table, column, value, expected):
    assert value_labels.label(object(), table, column, value) == expected


@pytest.mark.parametrize("path", ["/tnl/palmares", "/tnl/nouveaux_laureats", "/tnl/progressions", "/tnl/fideles",
                                  "/tnl/derniere_distinction"])
async def test_every_list_links_names_to_territory_pages(datasette, path):
    r = await datasette.client.get(path)
    assert r.status_code == 200
    names = cells(r.text, "Nom-officiel-bf3395")
    assert names
    assert all(re.fullmatch(r'<a href="/territoire/[A-Za-z0-9_-]+">[^<]+</a>', name) for name in names), names[:3]


async def test_palmares_shows_names_and_labels_the_json_keeps_codes(datasette):
    html = (await datasette.client.get("/tnl/palmares?edition=2025")).text
    row = html.split('href="/territoire/213801517">Échirolles</a>')[1].split("</tr>")[0]
    assert ">Isère<" in row and ">Auvergne-Rhône-Alpes<" in row and ">commune<" in row
    assert re.search(r">(haute|moyenne|faible)<", row)
    data = (await datasette.client.get("/tnl/palmares.json?edition=2025&_shape=array")).json()
    echirolles = next(r for r in data if r["Identifiant"] == "213801517")
    assert echirolles["Département"] == "38" and echirolles["Région"] == "84" and echirolles["Confiance"] in ("high", "medium", "low")


@pytest.mark.parametrize(("path", "column"), [
    ("/tnl/results?edition=2024", "territory_id"),
    ("/tnl/results_map?edition=2024", "name"),
    ("/tnl/labelled_territories", "name"),
    ("/tnl/territories?kind=region", "name"),
    ("/tnl/territory_history?territory_id=213801517", "name"),
    ("/tnl/mentions", "territory_id"),
])
async def test_tables_link_territories_to_their_page(datasette, path, column):
    r = await datasette.client.get(path)
    found = cells(r.text, column)
    assert found
    assert all(cell.startswith('<a href="/territoire/') for cell in found), found[:3]


@pytest.mark.parametrize(("path", "territory_id"), [
    ("/tnl/territories/213801517", "213801517"), ("/tnl/results/2024,213801517", "213801517"),
    ("/tnl/results_map/2024,213801517", "213801517"), ("/tnl/labelled_territories/213801517", "213801517"),
])
async def test_row_pages_point_to_the_territory_page(datasette, path, territory_id):
    r = await datasette.client.get(path)
    assert r.status_code == 200
    assert f'<p class="lien-territoire"><a href="/territoire/{territory_id}">' in r.text


async def test_codes_in_tables_and_facets_are_labels(datasette):
    html = (await datasette.client.get("/tnl/results?edition=2024&_facet=confidence")).text
    confidence, match = cells(html, "confidence"), cells(html, "match_confidence")
    assert confidence and set(confidence) <= {"haute", "moyenne", "faible"}
    assert match and set(match) <= {"sûr", "probable", "douteux"}
    facet = html.split('id="facet-confidence"')[1].split("</div>")[0]
    assert "<strong>Confiance" in facet and re.search(r">(haute|moyenne|faible)</a>", facet)
    html = (await datasette.client.get("/tnl/labelled_territories")).text
    facet = html.split('id="facet-region_code"')[1].split("</div>")[0]
    assert "<strong>Région" in facet and ">Auvergne-Rhône-Alpes</a>" in facet and ">84</a>" not in facet
    assert "<strong>Nature" in html.split('id="facet-kind"')[1] and ">etablissement_public<" not in html


async def test_sources_cells_are_links(datasette):
    html = (await datasette.client.get("/tnl/results?territory_id=213801517")).text
    sources = cells(html, "source_urls")
    assert len(sources) == 5 and sum(cell.count('<a href="http') for cell in sources) == 5
    assert all("http" not in re.sub(r"<a [^>]+>[^<]+</a>", "", cell) for cell in sources)  # no URL left as text
    assert any("</a><br>librealire.org, transcription" in cell for cell in sources)
    assert any("<br><a href=" in cell for cell in (await datasette.client.get("/tnl/results?_size=max")).text.split("col-source_urls")[1:])


async def test_column_headers_are_french_and_keep_their_name_for_the_api(datasette):
    html = (await datasette.client.get("/tnl/results")).text
    for label in ("Édition", "Territoire", "Distinction", "Nom publié", "Confiance", "Rattachement", "Sources"):
        assert re.search(rf">{label}(&nbsp;[▲▼])?</a>", html), label
    assert 'data-column="name_as_published"' in html
    data = (await datasette.client.get("/tnl/results.json?_shape=array&_size=1")).json()
    assert set(data[0]) >= {"edition", "territory_id", "name_as_published", "confidence"}


async def test_excel_csv_speaks_french_the_csv_keeps_codes(datasette):
    import csv
    import io

    french = list(csv.reader(io.StringIO((await datasette.client.get("/tnl/results.csvfr?edition=2024")).content
                                         .decode("utf-8-sig")), delimiter=";"))
    assert french[0][:4] == ["Édition", "Territoire", "Distinction", "Nom publié"]
    confidence, match = french[0].index("Confiance"), french[0].index("Rattachement")
    assert french[1:] and {row[confidence] for row in french[1:]} <= {"haute", "moyenne", "faible"}
    assert {row[match] for row in french[1:]} <= {"sûr", "probable", "douteux"}
    plain = list(csv.reader(io.StringIO((await datasette.client.get("/tnl/results.csv?edition=2024&_size=max")).text)))
    assert plain[0][:4] == ["edition", "territory_id", "distinction", "name_as_published"]
    assert {row[plain[0].index("confidence")] for row in plain[1:]} <= {"high", "medium", "low"}
    assert len(plain) == len(french)
    results = list(csv.reader(io.StringIO((await datasette.client.get("/tnl/results.csvfr?edition=2025")).content
                                          .decode("utf-8-sig")), delimiter=";"))
    assert {row[2] for row in results[1:]} <= {"Badge", "Label Bronze", "Label Argent", "Label Or", ""}
    assert "Label Or" in {row[2] for row in results[1:]}
    # results_map has its own label column: its code column keeps the code
    both = list(csv.reader(io.StringIO((await datasette.client.get("/tnl/results_map.csvfr?edition=2025")).content
                                       .decode("utf-8-sig")), delimiter=";"))
    code, label = both[0].index("Code distinction"), both[0].index("Distinction")
    assert {(row[code], row[label]) for row in both[1:]} >= {("or", "Label Or")}


async def test_glossary_lists_codes_and_columns(datasette):
    r = await datasette.client.get("/glossaire")
    assert r.status_code == 200
    assert "<h1>Glossaire des colonnes et des codes</h1>" in r.text
    for code, label in (("etablissement_public", "établissement public"), ("medium", "moyenne"), ("doubtful", "douteux"),
                        ("unresolved", "ouverte"), ("niveau_5", "Niveau 5 (5 copylefts)"), ("METRO", "métropole")):
        assert (f'<tr><td data-label="Code (API)"><code>{code}</code></td>'
                f'<td data-label="Libellé">{label}</td></tr>') in r.text, code
    assert ('<tr><td data-label="Colonne (API)"><code>name_as_published</code></td>'
            '<td data-label="Libellé">Nom publié</td>') in r.text
    assert '<h3 id="table-results_map">' in r.text
    assert '<td data-label="Colonne (API)"><code>region_name</code></td><td data-label="Libellé">Région</td>' in r.text


@pytest.mark.parametrize(("path", "heading"), [
    ("/tnl/territories/213801517", "Territoires : Échirolles (213801517)"),
    ("/tnl/editions/2023", "Éditions du label : 2023"),
])
async def test_row_pages_are_headed_by_their_label(datasette, path, heading):
    html = (await datasette.client.get(path)).text
    assert re.search(r"<h1[^>]*>(.*?)</h1>", html).group(1) == heading


async def test_code_columns_beside_their_label_column_keep_the_code(datasette):
    html = (await datasette.client.get("/tnl/results_map?edition=2025")).text
    codes = set(cells(html, "distinction"))
    assert "or" in codes and codes <= {"badge", "bronze", "argent", "or", "&nbsp;"}
    assert "Label Or" in cells(html, "distinction_label")


async def test_front_page_palmares_names_departements(datasette):
    html = (await datasette.client.get("/")).text
    table = html.split('<table class="palmares">')[1].split("</table>")[0]
    assert "<td>Isère</td>" in table and "<td>38</td>" not in table


def facet_items(html: str, column: str) -> list[str]:
    """A facet's entries as read: « 2025 8 », « Label Or 3 »."""
    block = html.split(f'data-column="{column}"')[1].split("</ul>")[0]
    return [" ".join(re.sub(r"<[^>]+>|&middot;|&#x2716;", " ", item).split())
            for item in re.findall(r"<li>(.*?)</li>", block, re.S)]


async def test_facets_in_a_readers_order_with_the_unpublished_level(datasette, db):
    """Editions by year, distinctions in their order, and the results without a published level, counted."""
    html = (await datasette.client.get("/tnl/results")).text
    editions = [item.split()[0] for item in facet_items(html, "edition")]
    assert editions and editions == sorted(editions, reverse=True)
    distinctions = facet_items(html, "distinction")
    unpublished = db.execute("select count(*) from results where distinction is null").fetchone()[0]
    assert unpublished and distinctions[-1] == f"Labellisé, niveau non publié {unpublished}"
    order = [label for (label,) in db.execute("select label from distinctions order by rowid")]
    shown = [next(label for label in order if item.startswith(label)) for item in distinctions[:-1]]
    assert shown == sorted(shown, key=order.index)
    chosen = (await datasette.client.get("/tnl/results?distinction__isnull=1")).text
    assert f"Labellisé, niveau non publié &middot; {unpublished}" in chosen


async def test_filters_are_described_with_labels_not_codes(datasette):
    html = (await datasette.client.get("/tnl/results?distinction=niveau_5&confidence=high")).text
    assert "Distinction = «\u00a0Niveau 5 (5 copylefts)\u00a0»" in html and "Confiance = «\u00a0haute\u00a0»" in html
    assert "niveau_5\u00a0»" not in html


async def test_foreign_keys_show_their_label_alone(datasette):
    html = (await datasette.client.get("/tnl/results?distinction=or")).text
    assert '<a href="/tnl/distinctions/or">Label Or</a></td>' in html and "<em>or</em>" not in html


async def test_versions_page_shows_labels_not_codes(datasette):
    html = (await datasette.client.get("/versions")).text
    assert "Statut (<code>status</code>) : ouverte → tranchée" in html
    for code in ("unresolved → resolved", "high → low", ": high", ": medium"):
        assert code not in html, code


@pytest.mark.parametrize(("name", "expected"), [
    ("Échirolles", "d'Échirolles"), ("Lyon", "de Lyon"), ("Isère", "d'Isère"), ("Le Mans", "du Mans"),
    ("Les Abymes", "des Abymes"), ("La Rochelle", "de La Rochelle"), ("Hénin-Beaumont", "de Hénin-Beaumont"),
])
def test_french_elision(name, expected):
    from tnl.text import of

    assert of(name) == expected


async def test_the_link_column_does_not_show_the_raw_key(datasette):
    html = (await datasette.client.get("/tnl/results?_size=5")).text
    links = cells(html, "Link")
    assert links and all(link.endswith(">voir la ligne</a>") for link in links)
    assert ">2025,syndicat-morbihan-energies<" not in html
