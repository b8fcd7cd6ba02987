"""The translating template loader: Datasette's installed templates, in French, with a table that fails loudly."""
from __future__ import annotations

import re
from pathlib import Path

import jinja2
import pytest

from tnl.site.french import french_wording
from tnl.site.french.french_templates import (
    DATASETTE_TEMPLATES,
    TRANSLATIONS,
    FrenchLoader,
    Pair,
    TemplateDrift,
    check,
    translate,
)

TABLE = {"page.html": [Pair("Hello", "Bonjour"), Pair("row", "ligne", times=2)]}


def test_every_pair_fits_the_installed_datasette():
    check()  # raises TemplateDrift naming the template and the fragment otherwise


def test_translate_applies_every_pair():
    assert translate("page.html", "<p>Hello: 1 row, 2 row</p>", TABLE) == "<p>Bonjour: 1 ligne, 2 ligne</p>"
    assert translate("other.html", "Hello", TABLE) == "Hello"


@pytest.mark.parametrize(("source", "found"), [("<p>Hi: 1 row, 2 row</p>", 0), ("Hello Hello row row", 2)])
def test_a_fragment_that_no_longer_fits_stops_everything(source, found):
    with pytest.raises(TemplateDrift, match=rf"template page\.html: 'Hello' found {found} time\(s\), expected 1"):
        translate("page.html", source, TABLE)


def test_check_reads_the_installed_templates(tmp_path: Path):
    (tmp_path / "page.html").write_text("Hello row", encoding="utf-8")
    with pytest.raises(TemplateDrift, match=r"'row' found 1 time\(s\), expected 2"):
        check(tmp_path, TABLE)


def test_the_loader_translates_datasette_templates_only(tmp_path: Path):
    ours, theirs = tmp_path / "ours", tmp_path / "datasette"
    ours.mkdir(), theirs.mkdir()
    (theirs / "table.html").write_text("Next page", encoding="utf-8")
    (theirs / "index.html").write_text("Next page", encoding="utf-8")
    (ours / "index.html").write_text("Next page, ours", encoding="utf-8")
    inner = jinja2.ChoiceLoader([
        jinja2.FileSystemLoader([str(ours), str(theirs)]),
        jinja2.PrefixLoader({"default": jinja2.FileSystemLoader(str(theirs))}, delimiter=":"),
    ])
    table = {"table.html": [Pair("Next page", "Page suivante")], "index.html": [Pair("Next page", "Page suivante")]}
    env = jinja2.Environment(loader=FrenchLoader(inner, theirs, table))
    assert env.get_template("table.html").render() == "Page suivante"
    assert env.get_template("default:table.html").render() == "Page suivante"
    assert env.get_template("index.html").render() == "Next page, ours"


def test_no_english_left_of_the_pairs():
    for name, pairs in TRANSLATIONS.items():
        source = translate(name, (DATASETTE_TEMPLATES / name).read_text(encoding="utf-8"))
        for pair in pairs:
            assert pair.english != pair.french
            if pair.english not in pair.french:
                assert pair.english not in source, (name, pair.english)


def test_french_side_parses():
    env = jinja2.Environment()
    for name in TRANSLATIONS:
        env.parse(translate(name, (DATASETTE_TEMPLATES / name).read_text(encoding="utf-8")))


class Filters:
    def __init__(self, selections):
        self._selections = selections

    def selections(self):
        return self._selections


@pytest.mark.parametrize(("args", "filters", "search", "sort", "sort_desc", "count", "expected"), [
    ({}, [("kind", "exact", "commune"), ("name", "contains", "e")], "", "", "", 3,
     "où Nature = «\u00a0commune\u00a0» et Nom officiel contient «\u00a0e\u00a0»"),
    ({}, [("edition", "gte", "2020")], "rennes", "", "edition", 1,
     "correspondant à la recherche «\u00a0rennes\u00a0», où edition ≥ 2020, triée par edition (ordre décroissant)"),
    ({}, [], "", "edition", "", 12, "triées par edition"),
    ({}, [("kind", "exact", "epci")], "", "name", "", 12, "où Nature = «\u00a0epci\u00a0», triées par Nom officiel"),
    ({"_through": "x"}, [], "", "", "", 2, "where English"),
])
def test_human_description(args, filters, search, sort, sort_desc, count, expected):
    metadata = {"column_labels": {"kind": "Nature", "name": "Nom officiel"}}
    assert french_wording.human_description(args, Filters(filters), search, sort, sort_desc, count, "where English",
                                            metadata) == expected


def test_counts_and_sizes():
    assert french_wording.rows(1) == "1&nbsp;ligne"
    assert french_wording.rows(34875) == "34\u202f875&nbsp;lignes"
    assert french_wording.byte_size("12.3 MB") == "12,3&nbsp;Mo"
    assert str(french_wording.byte_size("<b> KB")) == "&lt;b&gt;&nbsp;Ko"
    assert french_wording.error_message("Cannot sort table by nope") == "Impossible de trier la table par nope"
    assert french_wording.error_message("Table not found") == "Table introuvable"


def test_column_labels_come_from_the_table_metadata():
    metadata = {"column_labels": {"kind": "Nature"}}
    assert french_wording.column_label("kind", metadata) == "Nature"
    assert french_wording.column_label("name", metadata) == "name"
    assert french_wording.column_label("Link", {}) == "Lien"
    assert re.fullmatch(r"\w+", french_wording.column_label("edition", None))


async def test_start_up_fails_when_a_pair_no_longer_fits(built_db_path, monkeypatch):
    from tnl.site.http.serve import datasette_app

    monkeypatch.setitem(TRANSLATIONS, "base.html", [*TRANSLATIONS["base.html"], Pair("Gone from Datasette", "Parti")])
    with pytest.raises(TemplateDrift, match="template base.html: 'Gone from Datasette' found 0 time"):
        await datasette_app(built_db_path).invoke_startup()


def test_installing_twice_translates_once():
    from tnl.site.french.french_templates import install

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(DATASETTE_TEMPLATES)))
    install(env, None)
    install(env, None)
    assert isinstance(env.loader, FrenchLoader) and not isinstance(env.loader.inner, FrenchLoader)
    assert "Page suivante" in env.loader.get_source(env, "table.html")[0]
