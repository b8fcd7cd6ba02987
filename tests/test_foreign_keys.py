"""Foreign keys: the validation reports exactly the problems frictionless' own check of the keys reports.

tnl/pipeline/foreign_keys.py checks the keys itself, each referenced table read once (its docstring says why);
frictionless' Package.validate on the untouched descriptor is the reference: the same problems, with their file,
row, field and words, and the same problems of every other kind.
"""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
from conftest import DATA, set_cell
from frictionless import Package
from hypothesis import example, given
from hypothesis import strategies as st

from tnl.pipeline import datapackage
from tnl.pipeline.csv_writer import write_csv
from tnl.pipeline.validate import _frictionless_problems, report_problems


def frictionless_own(descriptor: dict, data_dir: Path):
    """The problems of frictionless' own validation, foreign keys included, on a copy of the descriptor."""
    return report_problems(descriptor, Package(copy.deepcopy(descriptor), basepath=str(data_dir)).validate())


def key_problems(problems) -> list:
    return sorted(p for p in problems if p.message.startswith("référence inconnue"))


# --- the fixture package, broken in every way a key breaks ----------------------------------------------------------

def remove_line(path: Path, line: int) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[: line - 1] + lines[line:]), encoding="utf-8")


def add_lines(path: Path, *lines: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "".join(line + "\n" for line in lines), encoding="utf-8")


def test_the_fixture_broken_in_every_way_a_key_breaks_gets_frictionless_own_problems(package_dir):
    set_cell(package_dir / "results.csv", 2, "territory_id", "210500741")  # an unknown id
    set_cell(package_dir / "results.csv", 3, "edition", "02023")  # the integer 2023: no problem
    remove_line(package_dir / "results.csv", 4)  # (2025, 213801517), which the mention on line 2 references
    set_cell(package_dir / "territories.csv", 9, "epci_siren", "200067833")  # a self-reference to no territory
    set_cell(package_dir / "indicator_values.csv", 2, "indicator", "share_windows")
    add_lines(package_dir / "mentions.csv",
              "02025,syndicat-sitpi-38,Zéro en tête,https://example.org/a,high,",  # (2025, syndicat-sitpi-38): no problem
              '2023,,"Identifiant vide,\nsur deux lignes",https://example.org/b,high,',  # the key half missing
              ",213801517,Édition vide,https://example.org/c,high,",  # the other half missing
              "2o23,213801517,Édition illisible,https://example.org/d,high,",  # a type error in the key
              "2023,213801855,Pas de résultat,https://example.org/e,high,",
              ",,Clé vide,https://example.org/f,high,")  # no key at all: no reference to check
    descriptor = datapackage.read(package_dir).descriptor
    published = copy.deepcopy(descriptor)

    ours = _frictionless_problems(descriptor, package_dir)

    assert descriptor == published  # the foreign keys stay in the descriptor that is published
    assert sorted(ours) == sorted(frictionless_own(descriptor, package_dir))
    assert [(p.file, p.row, p.field) for p in key_problems(ours)] == [
        ("indicator_values.csv", 2, "indicator"),
        ("mentions.csv", 2, "edition, territory_id"),
        ("mentions.csv", 4, "edition, territory_id"),
        ("mentions.csv", 5, "edition, territory_id"),
        ("mentions.csv", 6, "edition, territory_id"),
        ("mentions.csv", 7, "edition, territory_id"),
        ("results.csv", 2, "territory_id"),
        ("territories.csv", 9, "epci_siren"),
    ]


def test_the_real_descriptor_keeps_its_foreign_keys_once_validated(package_dir):
    descriptor = datapackage.read(package_dir).descriptor
    assert _frictionless_problems(descriptor, package_dir) == []
    assert descriptor == datapackage.read(DATA).descriptor
    assert sum(len(r["schema"].get("foreignKeys", [])) for r in descriptor["resources"]) >= 13


# --- any small package: places (referencing themselves), years, results, notes on results --------------------------

def table(name: str, fields: dict, key: list, *references, **schema) -> dict:
    return {"name": name, "path": f"{name}.csv", "profile": "tabular-data-resource", "format": "csv", "encoding": "utf-8",
            "schema": {"fields": [{"name": n, "type": t} for n, t in fields.items()], "primaryKey": key, **schema,
                       "foreignKeys": [{"fields": f, "reference": {"resource": r, "fields": rf}} for f, r, rf in references]}}


TABLES = {
    "places": table("places", {"id": "string", "parent": "string", "twin": "string"}, ["id"],
                    (["parent"], "", ["id"]), (["twin"], "places", ["id"])),
    "years": table("years", {"year": "integer"}, ["year"]),
    "results": table("results", {"year": "integer", "place": "string"}, ["year", "place"],
                     (["year"], "years", ["year"]), (["place"], "places", ["id"]), missingValues=["", "NA"]),
    "notes": table("notes", {"line": "integer", "year": "integer", "place": "string"}, ["line"],
                   (["year", "place"], "results", ["year", "place"])),
}
DESCRIPTOR = {"name": "keys", "resources": list(TABLES.values())}
INTEGERS = st.sampled_from(["2023", "02023", "2024", "", "NA", "2o23", "-0", "+2023", "2023.0", " 2023"])
TEXTS = st.sampled_from(["a", "b", "", "NA", "A", " a", "a\nb"])  # « a\nb »: a quoted cell over two lines


def rows(*cells):
    return st.lists(st.tuples(*cells), max_size=5)


@pytest.fixture(scope="module")
def keys_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("keys")


def write(directory: Path, places, years, results, notes) -> None:
    for name, content in (("places", places), ("years", years), ("results", results),
                          ("notes", [(line, *row) for line, row in enumerate(notes, 1)])):
        write_csv(directory / f"{name}.csv", [f["name"] for f in TABLES[name]["schema"]["fields"]], content)


@given(places=rows(TEXTS, TEXTS, TEXTS), years=rows(INTEGERS), results=rows(INTEGERS, TEXTS), notes=rows(INTEGERS, TEXTS))
@example(places=[("a", "", ""), ("b", "a", "b"), ("c", "z", "")], years=[("2023",)],
         results=[("02023", "a"), ("2024", "a"), ("2o23", "b"), ("", "c"), ("NA", "NA"), ("2023", "A")],
         notes=[("2023", "a"), ("2023", ""), ("", "a"), ("2o23", "b"), ("02023", "c"), ("", ""), ("2024", "a")])
@example(places=[("a\nb", "", "a"), ("c", "a\nb", "d")], years=[], results=[("2023", "a\nb")],
         notes=[("2023", "a\nb"), ("2023", "c")])  # rows after a two-line cell: frictionless' row numbers
def test_any_small_package_gets_frictionless_own_problems(keys_dir, places, years, results, notes):
    write(keys_dir, places, years, results, notes)
    assert sorted(_frictionless_problems(DESCRIPTOR, keys_dir)) == sorted(frictionless_own(DESCRIPTOR, keys_dir))


def test_the_small_package_example_has_key_problems(keys_dir):
    """The first @example above is not vacuous: it breaks keys of every table, some in ways frictionless accepts."""
    write(keys_dir, [("a", "", ""), ("c", "z", "")], [("2023",)], [("02023", "a"), ("2o23", "c")],
          [("2023", "a"), ("2023", "c"), ("", ""), ("2024", "a")])
    assert [(p.file, p.row, p.field) for p in key_problems(_frictionless_problems(DESCRIPTOR, keys_dir))] == [
        ("notes.csv", 3, "year, place"), ("notes.csv", 5, "year, place"), ("places.csv", 3, "parent")]  # « 2o23 »: a type error alone


@pytest.mark.parametrize("name, reference", [
    ("unknown table", {"resource": "nowhere", "fields": ["year"]}),
    ("unknown column", {"resource": "years", "fields": ["nowhere"]}),
    ("the table itself, by name", {"resource": "notes", "fields": ["line"]}),
])
def test_an_odd_reference_gets_frictionless_own_problems(keys_dir, name, reference):
    descriptor = copy.deepcopy(DESCRIPTOR)
    descriptor["resources"][3]["schema"]["foreignKeys"] = [{"fields": ["year"], "reference": reference}]
    write(keys_dir, [("a", "", "")], [("2023",)], [("2023", "a")], [("2023", "a"), ("1", "a")])
    ours = _frictionless_problems(descriptor, keys_dir)
    assert ours != []
    assert sorted(ours) == sorted(frictionless_own(descriptor, keys_dir))
