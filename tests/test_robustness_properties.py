"""Property-based tests (hypothesis) on the loaders and validators, each at the level of the function that can break.

Every example runs in milliseconds; the number of examples comes from the hypothesis profile (tests/conftest.py).
Inputs that once broke a property are kept as @example. One named end-to-end example goes through validate + build.
"""
from __future__ import annotations

import csv
import io
import re
import sqlite3

import pytest
from conftest import DATA, set_cell
from hypothesis import example, given
from hypothesis import strategies as st
from stdnum import luhn
from stdnum.fr import siren

from tnl.pipeline import datapackage
from tnl.pipeline.build import build
from tnl.pipeline.csv_writer import write_csv
from tnl.pipeline.datapackage import DataPackage
from tnl.pipeline.published import typed_rows
from tnl.pipeline.validate import (
    CONTROL,
    _departement_problems,
    _frictionless_problems,
    _pattern_problems,
    _siren_problems,
    check_file_structure,
    validate,
)
from tnl.site.exports.excel_csv import RecordStream, excel_cell
from tnl.site.search.search_index import SearchEntry, SearchIndex, _containing, _joined
from tnl.text import normalise

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", " ", "\n")  # whitespace too: a spreadsheet skips it before a formula

# Text a person may type in a cell: anything but surrogates and control characters (refused by design).
CELL_TEXT = st.text(st.characters(blacklist_categories=("Cs",)).filter(lambda c: c in "\n\t" or not CONTROL.match(c)),
                    min_size=1, max_size=40)
HOSTILE = {  # text that once broke, or might break, a step between the CSV file and the database
    "name": "<script>alert(1)</script>",
    "name_as_published": '=HYPERLINK("http://x")',
    "note": 'a "quoted", multi\nline note, a lone \r carriage return, \ufeffBOM inside, Œuvre ; 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ; \u2028',
}


# --- any text round-trips -----------------------------------------------------------------------------------------

CELLS = {"name": "cells", "path": "cells.csv", "profile": "tabular-data-resource", "format": "csv", "encoding": "utf-8",
         "schema": {"fields": [{"name": "id", "type": "integer"},
                               {"name": "text", "type": "string", "constraints": {"required": True}}],
                    "primaryKey": ["id"]}}


@pytest.fixture(scope="module")
def cells_package(tmp_path_factory) -> DataPackage:
    """A one-table package (an id, a required text) that each example below rewrites."""
    return DataPackage(tmp_path_factory.mktemp("cells"), {"name": "cells", "resources": [CELLS]})


@given(texts=st.lists(CELL_TEXT.filter(str.strip), min_size=1, max_size=3))
@example(texts=["0000\r"])  # a lone CR: written unquoted by csv.writer before Python 3.11.9, it split the row (2026-11)
@example(texts=["a\rb", "\r\n", '"', ",", "\n"])
@example(texts=list(HOSTILE.values()))
def test_any_text_round_trips_through_the_csv_the_validation_and_the_build_reader(cells_package, texts):
    """What the project writes (csv_writer), validation accepts as it is and the build loads unchanged.
    Blank text is left out: a required field that is blank is missing, by design."""
    write_csv(cells_package.path(CELLS), ["id", "text"], [[i, text] for i, text in enumerate(texts)])
    assert check_file_structure(cells_package.data_dir, CELLS) == []
    assert _frictionless_problems(cells_package.descriptor, cells_package.data_dir) == []
    assert [row["text"] for row in typed_rows(cells_package, CELLS)] == texts


def test_hostile_text_round_trips_through_validate_and_build(package_dir, tmp_path):
    """The one end-to-end example of the property above: the real pipeline on the fixture package."""
    set_cell(package_dir / "territories.csv", 9, "name", HOSTILE["name"])
    set_cell(package_dir / "results.csv", 2, "name_as_published", HOSTILE["name_as_published"])
    set_cell(package_dir / "results.csv", 2, "note", HOSTILE["note"])
    assert validate(package_dir) == []
    output = build(package_dir, tmp_path / "out" / "tnl.db")
    with sqlite3.connect(output) as conn:
        assert conn.execute("select name from territories where id = '210500740'").fetchone() == (HOSTILE["name"],)
        assert conn.execute("select name_as_published, note from results where edition = 2023 and territory_id = '210500740'"
                            ).fetchone() == (HOSTILE["name_as_published"], HOSTILE["note"])


# --- SIREN --------------------------------------------------------------------------------------------------------

NINE_DIGITS = st.from_regex(r"[0-9]{9}", fullmatch=True)


@given(value=NINE_DIGITS.filter(lambda v: not siren.is_valid(v)), line=st.integers(2, 40_000),
       column=st.sampled_from(["siren", "epci_siren"]))
def test_any_siren_failing_luhn_is_refused_with_its_row(value, line, column):
    row = {"id": "syndicat-test", "siren": "", "epci_siren": "", column: value}
    problems = _siren_problems("territories.csv", line, row)
    assert [(p.file, p.row, p.field) for p in problems] == [("territories.csv", line, column)]
    assert f"« {value} »" in problems[0].message and "Luhn" in problems[0].message


@given(body=st.from_regex(r"[0-9]{8}", fullmatch=True))
def test_any_siren_passing_luhn_is_accepted(body):
    value = body + luhn.calc_check_digit(body)
    assert _siren_problems("territories.csv", 2, {"id": value, "siren": value, "epci_siren": value}) == []


# --- codes --------------------------------------------------------------------------------------------------------

COMMUNE = r"[0-9]{5}|2[AB][0-9]{3}"
DEPARTEMENT = r"[0-9]{2}|2[AB]|97[1-6]"


@given(code=st.from_regex(COMMUNE, fullmatch=True))
def test_any_well_formed_commune_code_with_its_departement_is_accepted(code):
    departement = code[:3] if code.startswith("97") else code[:2]
    assert _departement_problems("t.csv", 5, {"cog_code": code, "departement_code": departement, "kind": "commune"}) == []


@given(code=st.from_regex(COMMUNE, fullmatch=True), departement=st.from_regex(DEPARTEMENT, fullmatch=True))
def test_a_commune_outside_its_departement_is_refused(code, departement):
    expected = code[:3] if code.startswith("97") else code[:2]
    problems = _departement_problems("t.csv", 5, {"cog_code": code, "departement_code": departement, "kind": "commune"})
    assert bool(problems) == (departement != expected)
    assert all((p.row, p.field) == (5, "departement_code") and f"attendu : {expected}" in p.message for p in problems)


@given(code=st.text(st.sampled_from("0123456789ABab2 -"), max_size=7), kind=st.sampled_from(["commune", "departement", "region"]))
def test_codes_are_accepted_exactly_when_they_match_their_kind(code, kind):
    pattern = {"commune": COMMUNE, "departement": DEPARTEMENT, "region": r"[0-9]{2}"}[kind]
    row = {"cog_code": code, "departement_code": code[:3] if code.startswith("97") else code[:2], "kind": kind}
    malformed = [p for p in _departement_problems("t.csv", 3, row) if p.field == "cog_code"]
    assert bool(malformed) == (re.fullmatch(pattern, code) is None)


def pattern_fields():
    return [(r, f["name"], f["constraints"]["pattern"]) for r in datapackage.read(DATA).resources
            for f in datapackage.fields(r) if "pattern" in f.get("constraints", {})]


@given(field=st.sampled_from(pattern_fields()), value=st.text(st.sampled_from("0123456789ABab-_ xdepartmnogi"), min_size=1, max_size=12))
@example(field=next(f for f in pattern_fields() if f[1] == "departement_code"), value="977")
@example(field=next(f for f in pattern_fields() if f[1] == "id"), value="213801517<b>")
def test_a_value_passes_the_pattern_checks_only_if_it_matches_the_whole_pattern(field, value):
    resource, name, pattern = field
    frictionless_refuses = re.match(f"^{pattern}$", value) is None  # how frictionless 5 compiles a pattern
    we_refuse = bool(_pattern_problems(resource, [(7, {name: value})]))
    assert (frictionless_refuses or we_refuse) == (re.fullmatch(pattern, value) is None)


# --- the Excel CSV ------------------------------------------------------------------------------------------------

EXCEL_NUMBER = re.compile(r"-?[0-9]+(,[0-9]+)?([eE][-+]?[0-9]+)?")


@given(value=st.text(max_size=30) | st.from_regex(r"[-=+@\t\r][^\n]{0,10}", fullmatch=True)
       | st.from_regex(r"-?[0-9]{1,6}(\.[0-9]{1,3})?", fullmatch=True))
@example(value="-٣")  # Arabic-Indic digit: Python's \d, not a number for a spreadsheet
@example(value="-1+cmd|' /C calc'!A0")
@example(value=" =1+1")  # whitespace before a formula: spreadsheets skip it
@example(value="\n @SUM(A1)")
def test_excel_cell_never_starts_a_formula_unless_it_is_a_number(value):
    cell = excel_cell(value)
    if cell.lstrip(" \n").startswith(FORMULA_STARTS):
        assert EXCEL_NUMBER.fullmatch(cell), (value, cell)
    assert cell in (value, "'" + value) or EXCEL_NUMBER.fullmatch(cell) and cell == value.replace(".", ",")


@given(rows=st.lists(st.lists(st.text(max_size=12), min_size=1, max_size=4), min_size=1, max_size=5),
       cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=6))
def test_the_excel_csv_keeps_every_cell_and_defuses_formulas(rows, cuts):
    source = io.StringIO()
    csv.writer(source).writerows(rows)  # the dialect of Datasette's CSV (excel: CRLF, minimal quoting)
    encoded = source.getvalue().encode("utf-8")
    stream, data, start = RecordStream(excel_cell, ";", "\ufeff"), b"", 0
    for cut in sorted(cuts) + [len(encoded)]:  # pieces cut anywhere, even inside a character, as a stream may be
        data += stream.feed(encoded[start:max(start, cut)])
        start = max(start, cut)
    data += stream.feed(b"", final=True)
    assert data.startswith("\ufeff".encode())
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8")[1:], newline=""), delimiter=";"))
    expected = list(csv.reader(io.StringIO(source.getvalue(), newline="")))
    assert len(parsed) == len(expected)
    for got, want in zip(parsed, expected):
        assert [excel_cell(c) for c in want] == got
        assert not any(c.lstrip(" \n").startswith(FORMULA_STARTS) and not EXCEL_NUMBER.fullmatch(c) for c in got)


# --- the search normaliser ----------------------------------------------------------------------------------------

ACCENTS = {"à": "a", "â": "a", "ä": "a", "ç": "c", "é": "e", "è": "e", "ê": "e", "ë": "e", "î": "i", "ï": "i", "ô": "o", "ö": "o",
           "ù": "u", "û": "u", "ü": "u", "ÿ": "y", "œ": "oe", "æ": "ae"}
FRENCH = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz" + "".join(ACCENTS) + " -'"), max_size=30)


def plain(text: str) -> str:
    return "".join(ACCENTS.get(c, c) for c in text)


@given(text=st.text(max_size=40))
def test_normalise_is_idempotent(text):
    key = normalise(text)
    assert normalise(key) == key
    assert re.fullmatch(r"([a-z0-9]+( [a-z0-9]+)*)?", key)


@given(text=FRENCH)
def test_normalise_ignores_accents_and_case(text):
    assert normalise(text) == normalise(plain(text)) == normalise(text.upper()) == normalise(plain(text).upper())


@given(names=st.lists(FRENCH.filter(lambda s: normalise(s)), min_size=1, max_size=8), query=FRENCH)
def test_search_finds_the_same_whatever_the_accents(names, query):
    index = SearchIndex([SearchEntry(str(i), name, "commune", "38", i) for i, name in enumerate(names)])
    assert [e.id for e in index.search(query)] == [e.id for e in index.search(plain(query).upper())]


@given(names=st.lists(st.text("abc ", max_size=6), max_size=12), fragment=st.text("abc ", min_size=1, max_size=3),
       at_start=st.booleans())
def test_names_containing_a_fragment_are_the_plain_scan(names, fragment, at_start):
    """The index finds names in one joined string: the same names, in order, as testing each name."""
    text, starts = _joined(names)
    fragment = "\n" + fragment if at_start else fragment
    assert _containing(text, starts, fragment) == [i for i, name in enumerate(names) if fragment in "\n" + name]
