"""The real data/: valid for frictionless itself, loaded whole and typed right into SQLite."""
from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DATA

from tnl.pipeline import datapackage

PACKAGE = datapackage.read(DATA)


def rows_of(name: str) -> list[dict]:
    with open(PACKAGE.path(name), encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_package_is_valid(real_problems):
    assert real_problems == []


@pytest.mark.real_data
def test_frictionless_itself_validates_the_package():
    """The descriptor is plain Frictionless: its own CLI accepts it, foreign keys included."""
    frictionless = Path(sys.executable).with_name("frictionless")
    result = subprocess.run([str(frictionless), "validate", str(DATA / "datapackage.yaml")],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:]


def test_every_field_is_documented_in_french():
    for resource in PACKAGE.resources:
        assert resource["title"] and resource["description"]
        for field in datapackage.fields(resource):
            assert field.get("title") and field.get("description") and "example" in field, (resource["name"], field["name"])


@pytest.mark.parametrize("name", [r["name"] for r in PACKAGE.resources])
def test_database_holds_every_row(db, name):
    resource = PACKAGE.resource(name)
    key = datapackage.primary_key(resource)
    in_file = {tuple(row[k] for k in key) for row in rows_of(name)}
    in_db = {tuple(str(v) for v in row) for row in db.execute(f"select {', '.join(key)} from [{name}]").fetchall()}
    assert in_db == in_file


def test_every_edition_2016_to_2025(db):
    assert [r[0] for r in db.execute("select edition from editions order by edition")] == list(range(2016, 2026))


def test_every_result_is_matched_to_a_territory(db):
    unmatched = db.execute("select edition, territory_id from results where territory_id not in (select id from territories)").fetchall()
    assert unmatched == []
    assert db.execute("select count(*) from results where match_confidence is null").fetchone()[0] == 0


def test_codes_stay_strings(db):
    assert db.execute("select name from territories where cog_code = '01053' and kind = 'commune'").fetchone()[0] == "Bourg-en-Bresse"
    assert db.execute("select name from territories where cog_code = '2A004'").fetchone()[0] == "Ajaccio"
    assert db.execute("select departement_code from territories where cog_code = '97411'").fetchone()[0] == "974"
    assert db.execute("select typeof(cog_code), typeof(id) from territories where cog_code = '01053'").fetchone() == ("text", "text")


def test_reference_geography_counts(db):
    counts = dict(db.execute("select kind, count(*) from territories where source = 'georef' group by kind").fetchall())
    assert counts["commune"] == 34875
    assert counts["departement"] == 101
    assert counts["region"] == 18
    assert 1200 < counts["epci"] + counts.get("collectivite", 0) < 1300


def test_every_territory_has_a_point_inside_france(db):
    missing = db.execute("select id, name from territories where latitude is null and cog_code not in "
                         "('15031', '15035', '15047', '15171')").fetchall()
    assert missing == []
    outside = db.execute("""select id from territories where latitude is not null and not (
        (latitude between 41.3 and 51.2 and longitude between -5.3 and 9.7)      -- metropolitan France and Corsica
        or (latitude between 15.8 and 16.6 and longitude between -61.9 and -60.9) -- Guadeloupe
        or (latitude between 14.3 and 14.9 and longitude between -61.3 and -60.7) -- Martinique
        or (latitude between 2.0 and 5.9 and longitude between -54.7 and -51.5)   -- Guyane
        or (latitude between -21.5 and -20.8 and longitude between 55.2 and 55.9) -- La Réunion
        or (latitude between -13.1 and -12.6 and longitude between 44.9 and 45.4) -- Mayotte
    )""").fetchall()
    assert outside == []


def test_full_text_search_ignores_accents(db):
    names = [r[0] for r in db.execute(
        "select t.name from territories_fts f join territories t on t.rowid = f.rowid where territories_fts match 'ales'")]
    assert "Alès" in names


def test_views_for_the_map_and_history(db):
    columns = [r[1] for r in db.execute("pragma table_info(labelled_territories)")]
    assert "latitude" in columns and "longitude" in columns
    labelled = db.execute("select count(*) from labelled_territories").fetchone()[0]
    assert labelled == db.execute("select count(distinct territory_id) from results").fetchone()[0]
    assert db.execute("select count(*) from territory_history").fetchone()[0] == db.execute("select count(*) from results").fetchone()[0]


def test_no_personal_data_columns(db):
    for table in [r[0] for r in db.execute("select name from sqlite_master where type = 'table'")]:
        columns = {r[1] for r in db.execute(f"pragma table_info([{table}])")}
        assert not columns & {"maire", "president", "elu", "email", "telephone", "nom_jury"}
