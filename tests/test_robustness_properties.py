"""Property-based tests (hypothesis) on the loaders and validators, with modest example counts.

Pure functions get a few hundred examples; the end-to-end round trip through validate + build, a handful.
"""
from __future__ import annotations

import csv
import io
import re
import shutil
import sqlite3
import tempfile
from pathlib import Path

from conftest import DATA, FIXTURE_PACKAGE, set_cell
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from stdnum import luhn
from stdnum.fr import siren

from tnl.pipeline import datapackage
from tnl.pipeline.build import build
from tnl.pipeline.validate import (
    CONTROL,
    _departement_problems,
    _pattern_problems,
    _siren_problems,
    validate,
)
from tnl.site.excel_csv import FORMULA_STARTS, excel_cell, to_excel_csv
from tnl.site.search_index import Entry, SearchIndex, _containing, _joined, normalise

PURE = settings(max_examples=200, deadline=None)
SLOW = settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text a person may type in a cell: anything but surrogates and control characters (refused by design).
CELL_TEXT = st.text(st.characters(blacklist_categories=("Cs",)).filter(lambda c: c in "\n\t" or not CONTROL.match(c)),
                    min_size=1, max_size=40)


def fresh_package() -> Path:
    data = Path(tempfile.mkdtemp(prefix="tnl-prop-")) / "data"
    shutil.copytree(FIXTURE_PACKAGE, data)
    shutil.copy(DATA / "datapackage.yaml", data)
    return data


# --- any text round-trips -----------------------------------------------------------------------------------------

@SLOW
@given(name=CELL_TEXT, published=CELL_TEXT, note=CELL_TEXT)
@example(name="<script>alert(1)</script>", published='=HYPERLINK("http://x")', note='a "quoted", multi\nline note')
@example(name="  Saint-Étienne  ", published="Œuvre ; ß ; 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ; \u2028", note="\ufeffBOM inside")
def test_any_text_in_a_string_field_round_trips_through_validate_and_build(name, published, note):
    data = fresh_package()
    try:
        name = name if name.strip() else name + "x"  # a required field: blank is "missing", by design
        published = published if published.strip() else published + "x"
        set_cell(data / "territories.csv", 9, "name", name)
        set_cell(data / "results.csv", 2, "name_as_published", published)
        set_cell(data / "results.csv", 2, "note", note)
        assert validate(data) == []
        output = build(data, data.parent / "out" / "tnl.db")
        with sqlite3.connect(output) as conn:
            assert conn.execute("select name from territories where id = '210500740'").fetchone() == (name,)
            assert conn.execute("select name_as_published, note from results where edition = 2023 and territory_id = '210500740'"
                                ).fetchone() == (published, note)
    finally:
        shutil.rmtree(data.parent, ignore_errors=True)


# --- SIREN --------------------------------------------------------------------------------------------------------

NINE_DIGITS = st.from_regex(r"[0-9]{9}", fullmatch=True)


@PURE
@given(value=NINE_DIGITS.filter(lambda v: not siren.is_valid(v)), line=st.integers(2, 40_000),
       column=st.sampled_from(["siren", "epci_siren"]))
def test_any_siren_failing_luhn_is_refused_with_its_row(value, line, column):
    row = {"id": "syndicat-test", "siren": "", "epci_siren": "", column: value}
    problems = _siren_problems("territories.csv", line, row)
    assert [(p.file, p.row, p.field) for p in problems] == [("territories.csv", line, column)]
    assert f"« {value} »" in problems[0].message and "Luhn" in problems[0].message


@PURE
@given(body=st.from_regex(r"[0-9]{8}", fullmatch=True))
def test_any_siren_passing_luhn_is_accepted(body):
    value = body + luhn.calc_check_digit(body)
    assert _siren_problems("territories.csv", 2, {"id": value, "siren": value, "epci_siren": value}) == []


@SLOW
@given(value=NINE_DIGITS.filter(lambda v: not siren.is_valid(v)), line=st.sampled_from([8, 9, 10, 11]))
def test_an_invalid_siren_in_the_package_is_refused_with_its_row(value, line):
    data = fresh_package()
    try:
        set_cell(data / "territories.csv", line, "siren", value)
        problems = validate(data)
        assert any((p.file, p.row, p.field) == ("territories.csv", line, "siren") and "Luhn" in p.message for p in problems), problems
    finally:
        shutil.rmtree(data.parent, ignore_errors=True)


# --- codes --------------------------------------------------------------------------------------------------------

COMMUNE = r"[0-9]{5}|2[AB][0-9]{3}"
DEPARTEMENT = r"[0-9]{2}|2[AB]|97[1-6]"


@PURE
@given(code=st.from_regex(COMMUNE, fullmatch=True))
def test_any_well_formed_commune_code_with_its_departement_is_accepted(code):
    departement = code[:3] if code.startswith("97") else code[:2]
    assert _departement_problems("t.csv", 5, {"cog_code": code, "departement_code": departement, "kind": "commune"}) == []


@PURE
@given(code=st.from_regex(COMMUNE, fullmatch=True), departement=st.from_regex(DEPARTEMENT, fullmatch=True))
def test_a_commune_outside_its_departement_is_refused(code, departement):
    expected = code[:3] if code.startswith("97") else code[:2]
    problems = _departement_problems("t.csv", 5, {"cog_code": code, "departement_code": departement, "kind": "commune"})
    assert bool(problems) == (departement != expected)
    assert all((p.row, p.field) == (5, "departement_code") and f"attendu : {expected}" in p.message for p in problems)


@PURE
@given(code=st.text(st.sampled_from("0123456789ABab2 -"), max_size=7), kind=st.sampled_from(["commune", "departement", "region"]))
def test_codes_are_accepted_exactly_when_they_match_their_kind(code, kind):
    pattern = {"commune": COMMUNE, "departement": DEPARTEMENT, "region": r"[0-9]{2}"}[kind]
    row = {"cog_code": code, "departement_code": code[:3] if code.startswith("97") else code[:2], "kind": kind}
    malformed = [p for p in _departement_problems("t.csv", 3, row) if p.field == "cog_code"]
    assert bool(malformed) == (re.fullmatch(pattern, code) is None)


def pattern_fields():
    return [(r, f["name"], f["constraints"]["pattern"]) for r in datapackage.read(DATA).resources
            for f in datapackage.fields(r) if "pattern" in f.get("constraints", {})]


@PURE
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


@PURE
@given(value=st.text(max_size=30) | st.from_regex(r"[-=+@\t\r][^\n]{0,10}", fullmatch=True)
       | st.from_regex(r"-?[0-9]{1,6}(\.[0-9]{1,3})?", fullmatch=True))
@example(value="-٣")  # Arabic-Indic digit: Python's \d, not a number for a spreadsheet
@example(value="-1+cmd|' /C calc'!A0")
def test_excel_cell_never_starts_a_formula_unless_it_is_a_number(value):
    cell = excel_cell(value)
    if cell.startswith(FORMULA_STARTS):
        assert EXCEL_NUMBER.fullmatch(cell), (value, cell)
    assert cell in (value, "'" + value) or EXCEL_NUMBER.fullmatch(cell) and cell == value.replace(".", ",")


@PURE
@given(rows=st.lists(st.lists(st.text(max_size=12), min_size=1, max_size=4), min_size=1, max_size=5))
def test_the_excel_csv_keeps_every_cell_and_defuses_formulas(rows):
    source = io.StringIO()
    csv.writer(source).writerows(rows)  # the dialect of Datasette's CSV (excel: CRLF, minimal quoting)
    data = to_excel_csv(source.getvalue())
    assert data.startswith("\ufeff".encode())
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8")[1:], newline=""), delimiter=";"))
    expected = list(csv.reader(io.StringIO(source.getvalue(), newline="")))
    assert len(parsed) == len(expected)
    for got, want in zip(parsed, expected):
        assert [excel_cell(c) for c in want] == got
        assert not any(c.startswith(FORMULA_STARTS) and not EXCEL_NUMBER.fullmatch(c) for c in got)


# --- the search normaliser ----------------------------------------------------------------------------------------

ACCENTS = {"à": "a", "â": "a", "ä": "a", "ç": "c", "é": "e", "è": "e", "ê": "e", "ë": "e", "î": "i", "ï": "i", "ô": "o", "ö": "o",
           "ù": "u", "û": "u", "ü": "u", "ÿ": "y", "œ": "oe", "æ": "ae"}
FRENCH = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz" + "".join(ACCENTS) + " -'"), max_size=30)


def plain(text: str) -> str:
    return "".join(ACCENTS.get(c, c) for c in text)


@PURE
@given(text=st.text(max_size=40))
def test_normalise_is_idempotent(text):
    key = normalise(text)
    assert normalise(key) == key
    assert re.fullmatch(r"([a-z0-9]+( [a-z0-9]+)*)?", key)


@PURE
@given(text=FRENCH)
def test_normalise_ignores_accents_and_case(text):
    assert normalise(text) == normalise(plain(text)) == normalise(text.upper()) == normalise(plain(text).upper())


@settings(max_examples=50, deadline=None)
@given(names=st.lists(FRENCH.filter(lambda s: normalise(s)), min_size=1, max_size=8), query=FRENCH)
def test_search_finds_the_same_whatever_the_accents(names, query):
    index = SearchIndex([Entry(str(i), name, "commune", "38", i) for i, name in enumerate(names)])
    assert [e.id for e in index.search(query)] == [e.id for e in index.search(plain(query).upper())]


@settings(max_examples=200, deadline=None)
@given(names=st.lists(st.text("abc ", max_size=6), max_size=12), fragment=st.text("abc ", min_size=1, max_size=3),
       at_start=st.booleans())
def test_names_containing_a_fragment_are_the_plain_scan(names, fragment, at_start):
    """The index finds names in one joined string: the same names, in order, as testing each name."""
    text, starts = _joined(names)
    fragment = "\n" + fragment if at_start else fragment
    assert _containing(text, starts, fragment) == [i for i, name in enumerate(names) if fragment in "\n" + name]
