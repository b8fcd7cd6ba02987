"""Share and embed: badges, pages for iframes, link previews, preview images and Atom feeds, on the real database."""
from __future__ import annotations

import json
import re
import shutil
import sqlite3
import xml.etree.ElementTree as ET
from datetime import datetime
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from PIL import Image

from tnl.build_layout import PREVIEW_SIZE, metadata_path
from tnl.distinction_style import COLOURS, LEFT_COLOURS, NOT_LABELLED_COLOURS
from tnl.pipeline.preview_cards import cards_dir
from tnl.site.http.serve import datasette_app
from tnl.site.share.badges import badge_svg

SVG = "{http://www.w3.org/2000/svg}"
ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE = '<script>alert("x")</script> & \'Ville\''


def distinctions(db_path) -> list[dict]:
    with sqlite3.connect(db_path) as conn:
        return [{"distinction": d, "label": label, "scheme": scheme} for d, label, scheme in
                conn.execute("select id, label, scheme from distinctions order by scheme, rank")]


# --- badges ---------------------------------------------------------------------------------------------------------

def check_badge(svg: str, name: str, expected_words: list[str]) -> ET.Element:
    root = ET.fromstring(svg)  # well-formed XML, or this raises
    assert root.tag == SVG + "svg"
    assert root.get("role") == "img"
    label = root.get("aria-label")
    title = root[0]
    assert title.tag == SVG + "title" and title.text == label  # the text alternative, first child as SVG wants it
    assert name in label
    for word in expected_words:
        assert word in label
    width, height = int(root.get("width")), int(root.get("height"))
    assert root.get("viewBox") == f"0 0 {width} {height}"
    assert height >= 20  # readable at small sizes: 13 px bold text
    texts = [t for t in root.iter(SVG + "text")]
    assert [t.text for t in texts][0] == "Territoire Numérique Libre"
    for text in texts:
        assert 0 < float(text.get("x")) < width and 0 < float(text.get("y")) < height
        assert float(text.get("x")) + float(text.get("textLength")) <= width
    return root


def test_a_badge_for_every_distinction_of_both_schemes(built_db_path):
    found = distinctions(built_db_path)
    assert {d["scheme"] for d in found} == {"niveaux_1_5", "badge_bronze_argent_or"}
    assert len(found) == 9
    for d in found:
        latest = {"edition": 2020 if d["scheme"] == "niveaux_1_5" else 2025, "distinction": d["distinction"], "label": d["label"]}
        root = check_badge(badge_svg(HOSTILE, latest), HOSTILE, [d["label"], str(latest["edition"])])
        shown = root.findall(f"{SVG}g/{SVG}text")[1].text
        assert shown == d["label"].split(" (")[0] + f" {latest['edition']}"


def test_badges_for_a_level_not_published_and_for_a_territory_never_labelled():
    root = check_badge(badge_svg("Gap", {"edition": 2019, "distinction": None, "label": "Labellisé (niveau non publié)"}),
                       "Gap", ["niveau non publié", "2019"])
    assert root.findall(f"{SVG}g/{SVG}text")[1].text == "Labellisé 2019"
    root = check_badge(badge_svg("Isère", None), "Isère", ["non labellisé"])
    assert root.findall(f"{SVG}g/{SVG}text")[1].text == "Non labellisé"


def contrast(a: str, b: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b_ = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b_
    high, low = sorted([luminance(a), luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("pair", [*COLOURS.values(), NOT_LABELLED_COLOURS, LEFT_COLOURS])
def test_badge_colours_keep_a_readable_contrast(pair):
    assert contrast(*pair) >= 4.5


@pytest.mark.parametrize("path, name, words", [
    ("/territoire/213801517/badge.svg", "Échirolles", ["Label Or", "2025"]),
    ("/territoire/215403957/badge.svg", "", ["Niveau 5", "2019"]),
    ("/territoire/departement-38/badge.svg", "Isère", ["non labellisé"]),
])
async def test_the_badge_route_serves_the_latest_distinction_cached(datasette, path, name, words):
    first = await datasette.client.get(path)
    assert first.status_code == 200
    assert first.headers["content-type"] == "image/svg+xml; charset=utf-8"
    assert first.headers["cache-control"].startswith("public, max-age=")
    check_badge(first.text, name, words)
    second = await datasette.client.get(path)
    assert second.headers["x-cache"] == "hit" and second.content == first.content


async def test_an_unknown_territory_has_no_badge(datasette):
    assert (await datasette.client.get("/territoire/nope/badge.svg")).status_code == 404


# --- territory page: what to copy --------------------------------------------------------------------------------------

class Fields(HTMLParser):
    """The text of each <textarea id=…> and every <meta> of a page."""
    def __init__(self):
        super().__init__()
        self.textareas, self.metas, self.links, self._current = {}, {}, [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "textarea":
            self._current = attrs["id"]
            self.textareas[self._current] = ""
        elif tag == "meta" and ("property" in attrs or "name" in attrs):
            self.metas[attrs.get("property") or attrs["name"]] = attrs["content"]
        elif tag == "link":
            self.links.append(attrs)

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._current = None

    def handle_data(self, data):
        if self._current:
            self.textareas[self._current] += data


def parse(html: str) -> Fields:
    fields = Fields()
    fields.feed(html)
    return fields


async def test_a_territory_page_offers_its_badge_in_html_and_markdown_linked_to_the_page(datasette):
    fields = parse((await datasette.client.get("/territoire/213801517")).text)
    page, badge = "http://localhost/territoire/213801517", "http://localhost/territoire/213801517/badge.svg"
    assert re.fullmatch(rf'<a href="{page}"><img src="{badge}" alt="[^"]*Échirolles, Label Or \(édition 2025\)" height="28"></a>',
                        fields.textareas["badge-html"])
    assert fields.textareas["badge-markdown"] == (
        f"[![Territoire Numérique Libre : Échirolles, Label Or (édition 2025)]({badge})]({page})")
    assert 'src="http://localhost/embed/territoire/213801517"' in fields.textareas["carte-iframe"]


# --- embeds -----------------------------------------------------------------------------------------------------------

def markers(html: str) -> list[dict]:
    return json.loads(re.search(r'<script type="application/json" id="marqueurs">(.*?)</script>', html, re.S).group(1))


@pytest.mark.parametrize("query, sql", [
    ("", "select id from labelled_territories where latitude is not null"),
    ("?edition=2025&distinction=or", "select territory_id from results_map where edition = 2025 and distinction = 'or'"),
    ("?edition=2024&distinction=non_publie", "select territory_id from results_map where edition = 2024 and distinction is null"),
    ("?kind=commune&region_code=84", "select id from labelled_territories where kind = 'commune' and region_code = '84'"),
    ("?distinction=niveau_4", "select id from labelled_territories where latest_distinction = 'niveau_4'"),
])
async def test_the_embedded_map_takes_the_filters_of_the_full_map(datasette, built_db_path, query, sql):
    response = await datasette.client.get("/embed/carte" + query)
    assert response.status_code == 200
    with sqlite3.connect(built_db_path) as conn:
        expected = {row[0] for row in conn.execute(sql)}
    found = markers(response.text)
    assert {m["id"] for m in found} == expected and expected
    fields = parse(response.text)
    assert fields.textareas["code-integration"].startswith('<iframe src="http://localhost/embed/carte')
    assert 'title="Carte : Territoires labellisés' in fields.textareas["code-integration"]
    assert response.text.count("<li>") == len(expected)  # the list for readers without the map


async def test_the_embedded_map_offers_its_own_code_with_its_filters_only(datasette):
    fields = parse((await datasette.client.get("/embed/carte?region_code=84&utm_source=x&edition=2021")).text)
    assert fields.textareas["code-integration"].startswith('<iframe src="http://localhost/embed/carte?edition=2021&amp;region_code=84"')


async def test_the_embedded_map_links_to_the_same_selection_on_the_full_map(datasette):
    html = (await datasette.client.get("/embed/carte?edition=2025&distinction=or")).text
    assert 'href="http://localhost/tnl/results_map?edition=2025&amp;distinction=or"' in html
    full = await datasette.client.get("/tnl/results_map.json?edition=2025&distinction=or&_shape=array")
    assert {r["territory_id"] for r in full.json()} == {m["id"] for m in markers(html)}


@pytest.mark.parametrize("query, message", [
    ("?edition=1999", "édition « 1999 » inconnue"),
    ("?edition=abc", "édition « abc » inconnue"),
    ("?distinction=platine", "distinction « platine » inconnu"),
    ("?kind=ville", "kind « ville » inconnu"),
    ("?region_code=99", "region_code « 99 » inconnu"),
])
async def test_the_embedded_map_refuses_unknown_filters_clearly(datasette, query, message):
    response = await datasette.client.get("/embed/carte" + query)
    assert response.status_code == 400
    assert message in response.text and "attendu" in response.text


async def test_the_embedded_map_is_light(datasette):
    html = (await datasette.client.get("/embed/carte")).text
    assert "app.css" not in html and "cluster" not in html  # none of Datasette's pages' weight
    assert "leaflet-v1.7.1.min.js" in html
    assert len(html.encode()) < 30_000


async def test_the_embedded_territory_card(datasette):
    response = await datasette.client.get("/embed/territoire/213801517")
    assert response.status_code == 200
    html = response.text
    assert "<h1><a href=\"http://localhost/territoire/213801517\"" in html
    assert "Label Or (édition 2025)" in html
    assert re.findall(r"<tr><td>(\d{4})</td>", html) == ["2025", "2024", "2023", "2022", "2021"]
    assert 'lang="fr"' in html and "<main>" in html
    assert (await datasette.client.get("/embed/territoire/nope")).status_code == 404


# --- framing: the embeds and nothing else ------------------------------------------------------------------------------

FRAMABLE = ["/embed/carte", "/embed/carte?edition=2025", "/embed/carte?edition=1999", "/embed/territoire/213801517"]
NOT_FRAMABLE = ["/", "/tnl/labelled_territories", "/tnl/results_map?edition=2025", "/territoire/213801517",
                "/territoire/213801517/badge.svg", "/territoire/213801517.atom", "/-/cartes/213801517.png",
                "/-/cartes/site.png", "/tnl/palmares?edition=2021", "/embedded", "/static/embed-carte.js"]


@pytest.mark.parametrize("path", FRAMABLE + NOT_FRAMABLE)
async def test_only_the_embeds_may_be_framed(datasette, path):
    for _ in range(2):  # fresh, then from the response cache
        response = await datasette.client.get(path)
        assert response.status_code < 500
        policy = response.headers["content-security-policy"]
        if path in FRAMABLE:
            assert "frame-ancestors *" in policy and "x-frame-options" not in response.headers
        else:
            assert "frame-ancestors 'none'" in policy and response.headers["x-frame-options"] == "DENY"


# --- link previews ------------------------------------------------------------------------------------------------------

PREVIEW_TAGS = ["description", "og:type", "og:site_name", "og:title", "og:description", "og:url", "og:image",
                "og:image:alt", "twitter:card", "twitter:title", "twitter:description", "twitter:image"]


@pytest.mark.parametrize("path, title, words, image", [
    ("/", "Territoire Numérique Libre — données ouvertes", ["depuis 2016", "lauréats"], "site"),
    ("/tnl/palmares?edition=2021", "Palmarès 2021 — Territoire Numérique Libre", ["Palmarès 2021", "Niveau 5 : 1"], "site"),
    ("/tnl/palmares", "Palmarès 2025 — Territoire Numérique Libre", ["Palmarès 2025", "Label Or : 3"], "site"),
    ("/territoire/213801517", "Échirolles — Territoire Numérique Libre", ["Label Or (édition 2025)"], "213801517"),
    ("/territoire/departement-38", "Isère — Territoire Numérique Libre", ["non labellisé"], "site"),
])
async def test_link_previews(datasette, path, title, words, image):
    fields = parse((await datasette.client.get(path)).text)
    assert set(PREVIEW_TAGS) <= set(fields.metas)
    assert fields.metas["og:title"] == fields.metas["twitter:title"] == title
    for word in words:
        assert word in fields.metas["og:description"]
    assert fields.metas["og:image"] == f"http://localhost/-/cartes/{image}.png"
    assert fields.metas["twitter:card"] == "summary_large_image"
    canonical = [link["href"] for link in fields.links if link.get("rel") == "canonical"]
    assert canonical == [fields.metas["og:url"]]
    assert (await datasette.client.get(fields.metas["og:image"].removeprefix("http://localhost"))).headers["content-type"] == "image/png"


async def test_the_canonical_address_comes_from_the_configured_base_url(built_db_path, tmp_path):
    shutil.copy(built_db_path, tmp_path / "tnl.db")
    metadata = json.loads(metadata_path(built_db_path).read_text(encoding="utf-8"))
    metadata.setdefault("plugins", {})["tnl-partage"] = {"base_url": "https://donnees.example.org/"}
    metadata_path(tmp_path / "tnl.db").write_text(json.dumps(metadata), encoding="utf-8")
    site = datasette_app(tmp_path / "tnl.db")
    fields = parse((await site.client.get("/territoire/213801517")).text)
    assert fields.metas["og:url"] == "https://donnees.example.org/territoire/213801517"
    assert fields.metas["og:image"] == "https://donnees.example.org/-/cartes/213801517.png"
    feed = ET.fromstring((await site.client.get("/territoire/213801517.atom")).content)
    assert feed.find(f"{ATOM}id").text == "https://donnees.example.org/territoire/213801517.atom"


def test_the_build_writes_a_preview_image_per_laureate_and_one_for_the_site(built_db_path):
    directory = cards_dir(built_db_path)
    with sqlite3.connect(built_db_path) as conn:
        laureates = {row[0] for row in conn.execute("select id from labelled_territories")}
    assert {p.stem for p in directory.glob("*.png")} == laureates | {"site"}
    assert not list(directory.parent.glob("cartes.*"))  # no temporary folder left behind
    for path in directory.glob("*.png"):
        with Image.open(path) as image:
            assert image.format == "PNG" and image.size == PREVIEW_SIZE


# --- Atom feeds ---------------------------------------------------------------------------------------------------------

def check_atom(body: bytes) -> ET.Element:
    """The structure Atom 1.0 (RFC 4287) requires, checked element by element (no validator of the RFC's schema is
    packaged for Python): feed id (an absolute IRI), title, updated, an author with a name (§4.1.1: required unless
    every entry has one); each entry's id, title, updated, and an alternate link since it has text content
    (§4.1.1.1); dates in RFC 3339; unique entry ids; every link absolute, so that a feed reader can follow it."""
    feed = ET.fromstring(body)
    assert feed.tag == ATOM + "feed"
    for tag in ("id", "title", "updated"):
        assert len(feed.findall(ATOM + tag)) == 1 and feed.find(ATOM + tag).text
    assert feed.find(ATOM + "id").text.startswith("http://localhost/")
    assert len(feed.findall(ATOM + "author")) == 1 and feed.find(f"{ATOM}author/{ATOM}name").text == "ADULLACT"
    assert feed.find(f"{ATOM}author/{ATOM}email").text == "label@territoire-numerique-libre.org"
    assert {link.get("rel") for link in feed.findall(ATOM + "link")} == {"self", "alternate"}
    datetime.fromisoformat(feed.find(ATOM + "updated").text)
    links = feed.findall(f".//{ATOM}link")
    assert links and all(urlsplit(link.get("href")).scheme == "http" and urlsplit(link.get("href")).netloc == "localhost"
                         for link in links)
    ids = []
    for entry in feed.findall(ATOM + "entry"):
        for tag in ("id", "title", "updated", "content"):
            assert len(entry.findall(ATOM + tag)) == 1 and entry.find(ATOM + tag).text
        assert entry.find(ATOM + "content").get("type") == "text"
        datetime.fromisoformat(entry.find(ATOM + "updated").text)
        assert entry.find(ATOM + "link").get("href").startswith("http://localhost/territoire/")
        assert entry.find(ATOM + "link").get("rel") in (None, "alternate")
        ids.append(entry.find(ATOM + "id").text)
    assert len(ids) == len(set(ids))
    return feed


async def test_the_site_wide_feed_is_valid_atom_with_absolute_links(datasette, built_db_path):
    response = await datasette.client.get("/tnl/derniers_resultats.atom")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    feed = check_atom(response.content)
    with sqlite3.connect(built_db_path) as conn:
        expected = conn.execute("select min(count(*), 100) from results").fetchone()[0]
    assert len(feed.findall(ATOM + "entry")) == expected > 0
    assert feed.find(ATOM + "title").text == "Derniers résultats publiés (flux Atom)"


@pytest.mark.parametrize("path, sql", [
    ("/territoire/213801517.atom", "select count(*) from results where territory_id = '213801517'"),
    ("/territoire/departement-38.atom",
     "select count(*) from results r join territories t on t.id = r.territory_id where t.departement_code = '38'"),
    ("/territoire/region-84.atom",
     "select count(*) from results r join territories t on t.id = r.territory_id where t.region_code = '84'"),
    ("/territoire/200040715.atom",  # Grenoble-Alpes-Métropole and its communes
     "select count(*) from results r join territories t on t.id = r.territory_id "
     "where t.epci_siren = '200040715' or t.id = '200040715'"),
])
async def test_atom_feeds_per_territory_departement_and_region(datasette, built_db_path, path, sql):
    response = await datasette.client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    feed = check_atom(response.content)
    entries = feed.findall(ATOM + "entry")
    with sqlite3.connect(built_db_path) as conn:
        expected = conn.execute(sql).fetchone()[0]
    assert len(entries) == expected > 0
    editions = [int(e.find(ATOM + "id").text.split(",")[1].split(":")[0]) for e in entries]
    assert editions == sorted(editions, reverse=True)  # newest first


async def test_a_territory_never_labelled_has_a_valid_empty_feed(datasette):
    feed = check_atom((await datasette.client.get("/territoire/departement-48.atom")).content)
    assert feed.findall(ATOM + "entry") == []


@pytest.mark.parametrize("path, what", [
    ("/territoire/213801517.atom", "de ce territoire"),
    ("/territoire/departement-38.atom", "des territoires de ce département"),
    ("/territoire/region-84.atom", "des territoires de cette région"),
    ("/territoire/200040715.atom", "de cette intercommunalité et de ses communes"),
])
async def test_a_feed_says_what_it_follows(datasette, path, what):
    feed = ET.fromstring((await datasette.client.get(path)).content)
    assert feed.find(ATOM + "subtitle").text == f"Distinctions {what} au label Territoire Numérique Libre, édition par édition."
