"""Coverage per edition and distinction: the view against announced_counts, the text above each edition's results,
and the open questions traced from the rows they concern."""
from __future__ import annotations

import csv
import re

import pytest
from conftest import DATA


def test_coverage_by_distinction_matches_announced_counts(db):
    view = {(r["edition"], r["distinction"]): r for r in db.query("select * from coverage_by_distinction")}
    announced = list(db.query("select * from announced_counts"))
    assert announced
    for row in announced:
        line = view[(row["edition"], row["distinction"])]
        published = db.execute("select count(*) from results where edition = ? and distinction = ?",
                               [row["edition"], row["distinction"]]).fetchone()[0]
        assert (line["announced_count"], line["announced_source"], line["published_count"]) == \
            (row["announced_count"], row["source_url"], published)
        assert published <= row["announced_count"], f"{row['edition']} {row['distinction']}: more published than announced"
        assert line["missing_count"] == row["announced_count"] - published
    known = {(r["edition"], r["distinction"]) for r in announced}
    assert view.keys() - known  # some counts are unknown: the check below is not empty
    assert all(r["announced_count"] is None and r["status"] in ("effectif inconnu", "distinction non publiée")
               for key, r in view.items() if key not in known)


def test_coverage_by_distinction_covers_each_scheme_and_the_unknown_levels(db):
    editions = db.execute("select c.edition, c.distinction_scheme, c.unknown_level_count from coverage c").fetchall()
    assert {scheme for _, scheme, _ in editions} == {"niveaux_1_5", "badge_bronze_argent_or"}  # both schemes
    for edition, scheme, unknown in editions:
        rows = list(db.query("select * from coverage_by_distinction where edition = ?", [edition]))
        expected = {r[0] for r in db.execute("select id from distinctions where scheme = ?", [scheme])}
        assert {r["distinction"] for r in rows} == expected | {None}
        assert [r["published_count"] for r in rows if r["distinction"] is None] == [unknown]
        assert sum(r["published_count"] for r in rows) == db.execute(
            "select count(*) from results where edition = ?", [edition]).fetchone()[0]


def test_announced_counts_from_the_sources(db):
    counts = {(e, d): n for e, d, n in db.execute("select edition, distinction, announced_count from announced_counts")}
    assert counts[(2018, "niveau_4")] == 11
    assert [counts[(2021, f"niveau_{i}")] for i in range(1, 6)] == [0, 3, 10, 10, 1]
    assert [counts[(2022, f"niveau_{i}")] for i in range(2, 6)] == [3, 7, 10, 3]
    assert (counts[(2023, "niveau_5")], counts[(2023, "niveau_1")]) == (4, 0)
    assert counts[(2024, "niveau_1")] == counts[(2024, "niveau_2")] == counts[(2019, "niveau_1")] == counts[(2019, "niveau_2")] == 0


@pytest.mark.parametrize("path", ["/tnl/palmares?edition=2021", "/tnl/results?edition=2021",
                                  "/tnl/results_map?edition=2021", "/tnl/results?edition__exact=2021"])
async def test_coverage_is_stated_above_an_editions_results(datasette, db, path):
    html = (await datasette.client.get(path)).text
    published, announced = db.execute("select published_count, announced_count from coverage where edition = 2021").fetchone()
    headline = f"Liste partielle : {published} lauréats publiés sur {announced} annoncés pour l&#39;édition 2021."
    assert headline in html
    assert "Niveau 4 (4 copylefts) : 4 lauréats publiés sur 10 annoncés — 6 manquants" in html
    assert "Niveau 2 (2 copylefts) : 3 lauréats publiés sur 3 annoncés (complet)" in html
    assert "une collectivité absente de cette liste a pu être distinguée" in html
    assert html.index(headline) < html.index('class="rows-and-columns"')


async def test_palmares_without_edition_states_the_latest_editions_coverage(datasette, db):
    latest = db.execute("select max(edition) from results").fetchone()[0]
    html = (await datasette.client.get("/tnl/palmares")).text
    assert f"pour l&#39;édition {latest}." in html


async def test_unfiltered_results_carry_no_edition_coverage(datasette):
    html = (await datasette.client.get("/tnl/results")).text
    assert 'class="couverture-edition' not in html


async def test_front_page_shows_coverage_per_distinction(datasette):
    html = (await datasette.client.get("/")).text
    assert "Niveau 4 (4 copylefts) : 9 lauréats publiés sur 11 annoncés — 2 manquants" in html
    assert 'href="/tnl/open_questions"' in html and 'href="/tnl/coverage_by_distinction"' in html


def test_open_questions_are_traced_from_the_rows_they_concern():
    with open(DATA / "open_questions.csv", encoding="utf-8", newline="") as f:
        questions = {q["id"]: q for q in csv.DictReader(f)}
    with open(DATA / "results.csv", encoding="utf-8", newline="") as f:
        results = {(r["edition"], r["territory_id"]): r for r in csv.DictReader(f)}
    for key, row in results.items():
        for cited in re.findall(r"question ouverte « ([^»]+) »", row["match_note"] + row["note"]):
            assert cited in questions, (key, cited)
            assert (questions[cited]["edition"], questions[cited]["territory_id"]) == key
    about_a_result = [q for q in questions.values() if q["edition"] and q["territory_id"]]  # others: an edition, a territory
    assert about_a_result
    for question in about_a_result:
        row = results[(question["edition"], question["territory_id"])]
        assert f"« {question['id']} »" in row["match_note"] + row["note"], question["id"]
    for question in questions.values():
        assert question["status"] in ("resolved", "unresolved") and question["reason"] and question["source_urls"]
