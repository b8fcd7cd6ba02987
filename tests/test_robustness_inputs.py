"""Robustness of `tnl validate` / `tnl build` against malformed sources.

A corpus of broken copies of the small fixture package: each is refused with a message that names the file,
the line and the field (where they make sense), and a failed build leaves every published file byte for byte
as it was. What a spreadsheet does to a good file (BOM, CRLF, no final newline) is not an error.
"""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DATA, snapshot

from tnl.cli import cli
from tnl.pipeline import bundle, datapackage
from tnl.pipeline.build import build
from tnl.pipeline.validate import validate
from tnl.problems import Problem

PUBLISHED = {"tnl.db", "metadata.json", bundle.zip_name(datapackage.read(DATA)), "SHA256SUMS", "cartes", "paquet", "current"}


# --- ways of breaking a file ------------------------------------------------------------------------------------

def text_sub(name: str, old: str, new: str):
    def breaker(d: Path) -> None:
        path = d / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"fixture changed: {old!r} not in {name}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return breaker


def bytes_sub(name: str, old: bytes, new: bytes):
    def breaker(d: Path) -> None:
        path = d / name
        data = path.read_bytes()
        assert old in data, f"fixture changed: {old!r} not in {name}"
        path.write_bytes(data.replace(old, new, 1))
    return breaker


def reencode(name: str, encoding: str):
    def breaker(d: Path) -> None:
        path = d / name
        path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))
    return breaker


def rewrite(name: str, transform):
    def breaker(d: Path) -> None:
        path = d / name
        path.write_text(transform(path.read_text(encoding="utf-8")), encoding="utf-8")
    return breaker


def append(name: str, line: str):
    return rewrite(name, lambda text: text + line + "\n")


def both(*breakers):
    def breaker(d: Path) -> None:
        for b in breakers:
            b(d)
    return breaker


def drop_column(name: str, column: str):
    def transform(text: str) -> str:
        import csv
        import io
        rows = list(csv.reader(io.StringIO(text)))
        index = rows[0].index(column)
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([r[:index] + r[index + 1:] for r in rows])
        return out.getvalue()
    return rewrite(name, transform)


LETTRET = "210500740,210500740,Lettret,commune,,05074,05,93,200067825,,196,2023,44.48,6.07,surface,,georef,"

# (case, breaker, file, line, field, what the message must say). Lines are the file's physical lines (header = 1);
# 0 means the problem is about the whole file; "" means no single field is at fault.
CASES = [
    # encodings
    ("latin-1", reencode("results.csv", "latin-1"), "results.csv", 3, "", "encodage invalide : octet 0xc9 ; attendu : UTF-8"),
    ("utf-16", reencode("results.csv", "utf-16"), "results.csv", 1, "", "encodage invalide : octet 0xff"),
    ("invalid byte", bytes_sub("results.csv", b"SITPI 38", b"SITPI \xff38"), "results.csv", 5, "", "octet 0xff"),
    ("windows-1252 apostrophe", bytes_sub("results.csv", "Ville d'Échirolles".encode(), "Ville d\u2019Échirolles".encode("cp1252")),
     "results.csv", 4, "", "octet 0x92"),
    # separators
    ("semicolon separator", rewrite("results.csv", lambda t: t.replace(",", ";")), "results.csv", 1, "", "séparateur « ; »"),
    ("tab separator", rewrite("results.csv", lambda t: t.replace(",", "\t")), "results.csv", 1, "", "séparateur « tabulation »"),
    # columns and cells
    ("missing column", drop_column("mentions.csv", "confidence"), "mentions.csv", 1, "confidence", "colonne manquante"),
    ("extra column", rewrite("mentions.csv", lambda t: t.replace("added_on\n", "added_on,extra\n").replace("medium,\n", "medium,,x\n")),
     "mentions.csv", 1, "extra", "colonne inattendue"),
    ("duplicate column", text_sub("mentions.csv", "mention,source_urls", "mention,mention"), "mentions.csv", 1, "mention", "colonne en double"),
    ("columns out of order", text_sub("mentions.csv", "mention,source_urls", "source_urls,mention"), "mentions.csv", 1, "",
     "colonnes dans le désordre"),
    ("extra cell in a row", text_sub("results.csv", "Département déduit du contexte.,,\n", "Département déduit du contexte.,,,surplus\n"),
     "results.csv", 3, "", "cellule en trop « surplus »"),
    ("missing cell in a row", text_sub("results.csv", ",sure,,,\n2025,syndicat", ",sure,,\n2025,syndicat"), "results.csv", 4, "added_on",
     "cellule manquante"),
    ("decimal comma unquoted", text_sub("indicator_values.csv", ",42.5,", ",42,5,"), "indicator_values.csv", 2, "", "cellule en trop"),
    # codes
    ("commune code of 6 digits", text_sub("territories.csv", ",05074,", ",050740,"), "territories.csv", 9, "cog_code", "mal formé"),
    ("commune code with a letter", text_sub("territories.csv", ",05074,", ",05O74,"), "territories.csv", 9, "cog_code", "mal formé"),
    ("corsica 2C", text_sub("territories.csv", ",05074,05,", ",2C074,05,"), "territories.csv", 9, "cog_code", "« 2C074 » mal formé"),
    ("corsica 2A commune in 2B", text_sub("territories.csv", ",05074,05,", ",2A074,2B,"), "territories.csv", 9, "departement_code",
     "incohérent avec le code commune 2A074 ; attendu : 2A"),
    ("overseas commune in 97", text_sub("territories.csv", ",05074,05,", ",97411,97,"), "territories.csv", 9, "departement_code",
     "incohérent avec le code commune 97411 ; attendu : 974"),
    ("overseas département 977", text_sub("territories.csv", ",05074,05,", ",97711,977,"), "territories.csv", 9, "departement_code",
     "« 977 » mal formée ; attendu : le motif"),
    ("département code with a suffix", text_sub("territories.csv", ",05074,05,", ",05074,05x,"), "territories.csv", 9,
     "departement_code", "« 05x » mal formée"),
    ("département mismatch", text_sub("territories.csv", ",05074,05,", ",05074,38,"), "territories.csv", 9, "departement_code",
     "département « 38 » incohérent avec le code commune 05074 ; attendu : 05"),
    ("region code of 3 digits", text_sub("territories.csv", ",05,93,200067825,,196", ",05,930,200067825,,196"), "territories.csv", 9,
     "region_code", "« 930 » mal formée"),
    ("SIREN of 10 digits", text_sub("territories.csv", "210500740,210500740,", "210500740,2105007400,"), "territories.csv", 9, "siren",
     "mal formée"),
    ("EPCI SIREN fails Luhn", text_sub("territories.csv", "05,93,200067825,,196", "05,93,200067826,,196"), "territories.csv", 9,
     "epci_siren", "clé de Luhn"),
    # duplicates and references
    ("duplicate territory", append("territories.csv", LETTRET.replace("Lettret", "Lettret bis")), "territories.csv", 13, "",
     "clé primaire en double (210500740) ; déjà en ligne 9"),
    ("duplicate mention", append("mentions.csv", "2025,213801517,\"Promotion, communication et sensibilisation aux logiciels libres\",https://example.org/x,high,"),
     "mentions.csv", 3, "", "clé primaire en double"),
    ("dangling EPCI", text_sub("territories.csv", "05,93,200067825,,196", "05,93,200067833,,196"), "territories.csv", 9, "epci_siren",
     "référence inconnue « 200067833 »"),
    ("dangling indicator", text_sub("indicator_values.csv", ",share_linux_workstations,", ",share_windows,"), "indicator_values.csv", 2,
     "indicator", "référence inconnue « share_windows »"),
    ("mention without result", text_sub("mentions.csv", "2025,213801517", "2023,213801855"), "mentions.csv", 2, "edition, territory_id",
     "référence inconnue « 2023, 213801855 »"),
    # dates
    ("30 February", text_sub("editions.csv", "2023-12-11", "2023-02-30"), "editions.csv", 2, "results_date", "« 2023-02-30 » invalide ; attendu : une date AAAA-MM-JJ"),
    ("French date", text_sub("indicator_values.csv", "2025-11-19", "19/11/2025"), "indicator_values.csv", 2, "date", "« 19/11/2025 » invalide"),
    ("required date empty", text_sub("indicator_values.csv", "2025-11-19", ""), "indicator_values.csv", 2, "date", "valeur obligatoire manquante"),
    # numbers
    ("decimal comma", text_sub("indicator_values.csv", ",42.5,", ',"1,5",'), "indicator_values.csv", 2, "value",
     "« 1,5 » invalide ; attendu : un nombre (point décimal)"),
    ("NaN", text_sub("indicator_values.csv", ",42.5,", ",NaN,"), "indicator_values.csv", 2, "value", "« NaN » invalide ; attendu : un nombre fini"),
    ("1e999", text_sub("indicator_values.csv", ",42.5,", ",1e999,"), "indicator_values.csv", 2, "value", "« 1e999 » invalide ; attendu : un nombre fini"),
    ("-Infinity", text_sub("indicator_values.csv", ",42.5,", ",-Infinity,"), "indicator_values.csv", 2, "value", "nombre fini"),
    ("latitude 1e999", text_sub("territories.csv", "44.48,6.07", "1e999,6.07"), "territories.csv", 9, "latitude", "hors limites ; attendu : au plus 52"),
    ("negative population", text_sub("territories.csv", ",196,2023", ",-196,2023"), "territories.csv", 9, "population",
     "« -196 » hors limites ; attendu : au moins 0"),
    ("population with a space", text_sub("territories.csv", ",196,2023", ",1 000,2023"), "territories.csv", 9, "population",
     "« 1 000 » invalide ; attendu : un nombre entier"),
    ("population beyond 64 bits", text_sub("territories.csv", ",196,2023", ",99999999999999999999999,2023"), "territories.csv", 9,
     "population", "hors limites ; attendu : un entier entre"),
    # empty and huge cells
    ("required name empty", text_sub("territories.csv", ",Lettret,", ",,"), "territories.csv", 9, "name", "valeur obligatoire manquante"),
    ("1 MB name", text_sub("territories.csv", ",Lettret,", "," + "L" * 1_000_000 + ","), "territories.csv", 9, "name",
     "cellule de 1000000 caractères ; attendu : au plus 10000"),
    ("1 MB quoted note", text_sub("results.csv", "Département déduit du contexte.", '"' + "x, " * 350_000 + '"'), "results.csv", 3,
     "match_note", "cellule de 1050000 caractères"),
    # control characters
    ("NUL", text_sub("territories.csv", ",Lettret,", ",Let\x00tret,"), "territories.csv", 9, "name", "caractère de contrôle U+0000 interdit"),
    ("escape sequence", text_sub("results.csv", "SITPI 38", "SITPI \x1b[31m38"), "results.csv", 5, "name_as_published",
     "caractère de contrôle U+001B"),
    ("C1 control NEL", text_sub("results.csv", "Ville d'Échirolles", "Ville d'\u0085Échirolles"), "results.csv", 4, "name_as_published",
     "U+0085"),
    # quoting
    ("unclosed quote", text_sub("results.csv", ",Ville d'Échirolles,", ',"Ville d\'Échirolles,'), "results.csv", 4, "name_as_published",
     "guillemet ouvrant jamais fermé"),
    ("text after a closing quote", text_sub("results.csv", ",Ville d'Échirolles,", ',"Ville" d\'Échirolles,'), "results.csv", 4,
     "name_as_published", "guillemets mal placés"),
    # blank lines and header-only files
    ("blank line", text_sub("results.csv", "\n2025,syndicat", "\n\n2025,syndicat"), "results.csv", 5, "", "ligne vide"),
    ("line of commas", text_sub("results.csv", "\n2025,syndicat", "\n,,,,,,,,,\n2025,syndicat"), "results.csv", 5, "", "ligne vide"),
    ("blank line at the end", rewrite("results.csv", lambda t: t + "\n"), "results.csv", 6, "", "ligne vide"),
    ("blank first line", rewrite("mentions.csv", lambda t: "\n" + t), "mentions.csv", 1, "", "ligne vide ; attendu : la ligne d'en-tête"),
    ("header only", rewrite("results.csv", lambda t: t.splitlines()[0] + "\n"), "results.csv", 0, "", "aucune ligne de données"),
    ("empty file", rewrite("editions.csv", lambda t: ""), "editions.csv", 0, "", "fichier vide"),
    # the descriptor
    ("YAML broken", rewrite("datapackage.yaml", lambda t: "name: a: b\n" + t), "datapackage.yaml", 1, "",
     "YAML invalide, colonne 8 (mapping values are not allowed in this context)"),
    ("YAML tab", rewrite("datapackage.yaml", lambda t: "\t- x\n" + t), "datapackage.yaml", 1, "", "YAML invalide, colonne 1"),
    ("YAML comment in latin-1", lambda d: (d / "datapackage.yaml").write_bytes("# Métadonnées\n".encode("latin-1") + (d / "datapackage.yaml").read_bytes()),
     "datapackage.yaml", 1, "", "encodage invalide, octet 0xe9 ; attendu : UTF-8"),
    ("YAML empty", rewrite("datapackage.yaml", lambda t: ""), "datapackage.yaml", 0, "resources", "liste des ressources absente"),
    ("YAML a list", rewrite("datapackage.yaml", lambda t: "- a\n- b\n"), "datapackage.yaml", 0, "resources", "liste des ressources absente"),
    ("YAML resource without schema", text_sub("datapackage.yaml", "    schema:\n      primaryKey: [edition]\n",
                                              "    schemas:\n      primaryKey: [edition]\n"),
     "datapackage.yaml", 0, "resources[0]", "ressource incomplète"),
    ("YAML resource renamed", text_sub("datapackage.yaml", "  - name: mentions\n", "  - name: mentionz\n"), "datapackage.yaml", 0,
     "resources", "ressource « mentions » absente"),
]
# Cases whose consequences legitimately reach other files or repeat (a bad code is both malformed and unknown…).
NOT_ALONE = {"duplicate column", "decimal comma unquoted", "commune code of 6 digits", "commune code with a letter",
             "corsica 2A commune in 2B", "overseas commune in 97", "corsica 2C", "EPCI SIREN fails Luhn", "latitude 1e999",
             "header only", "overseas département 977", "département code with a suffix", "region code of 3 digits"}


def location(file: str, row: int, field: str) -> str:
    """The start of a rendered problem: « results.csv, ligne 4, champ « note » : »."""
    return str(Problem(file, row, field, "…"))[:-1]


@pytest.fixture(scope="module")
def published(fixture_site) -> Path:
    """A site built once from the good fixture package: the files that a failed build must not touch."""
    assert {p.name for p in fixture_site.iterdir() if p.is_symlink()} == PUBLISHED
    return fixture_site


def test_corpus_is_large_and_distinct():
    assert len(CASES) >= 30
    assert len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case, breaker, file, row, field, fragment", CASES, ids=[c[0] for c in CASES])
def test_malformed_source_is_refused_and_nothing_is_published(published, package_dir, tmp_path, case, breaker, file, row, field,
                                                              fragment):
    site = tmp_path / "site"
    shutil.copytree(published, site, symlinks=True)
    before = snapshot(site)
    breaker(package_dir)

    result = CliRunner().invoke(cli, ["build", "--data", str(package_dir), "--output", str(site / "tnl.db")])

    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output  # no traceback
    lines = result.output.splitlines()
    assert lines[-1].endswith("erreur(s) : rien n'a été publié.")
    problems = [line for line in lines if " : " in line and not line.endswith("rien n'a été publié.")
                and not line.startswith(("Validation", "Chargement"))]
    where = location(file, row, field)
    assert [p for p in problems if p.startswith(where) and fragment in p], \
        f"{case}: expected « {where} … {fragment} », got:\n" + "\n".join(problems)
    if case not in NOT_ALONE:
        assert len(problems) == 1, f"{case}: one problem expected, got:\n" + "\n".join(problems)
    assert snapshot(site) == before  # byte for byte, and no temporary file or folder left


def test_validate_names_every_problem_of_a_file_with_several(package_dir):
    """Problems are not only the first one: two broken rows in one file are both named."""
    text_sub("territories.csv", ",196,2023", ",-196,2023")(package_dir)
    text_sub("territories.csv", ",37491,2023", ",abc,2023")(package_dir)
    problems = {(p.file, p.row, p.field) for p in validate(package_dir)}
    assert problems == {("territories.csv", 9, "population"), ("territories.csv", 10, "population")}


# --- what a spreadsheet does to a good file is not an error -----------------------------------------------------------

def table_contents(database: Path) -> dict[str, list]:
    with sqlite3.connect(database) as conn:
        names = [n for (n,) in conn.execute(
            "select name from sqlite_master where type in ('table', 'view') and name not like 'sqlite_%' order by name")]
        return {n: sorted(map(repr, conn.execute(f"select * from [{n}]").fetchall())) for n in names}


def with_bom(data: bytes) -> bytes:
    return b"\xef\xbb\xbf" + data


def with_crlf(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def without_final_newline(data: bytes) -> bytes:
    return data.rstrip(b"\r\n")


SPREADSHEET = {
    "BOM": [with_bom],
    "CRLF": [with_crlf],
    "no final newline": [without_final_newline],
    "all three (Excel)": [with_crlf, without_final_newline, with_bom],
}


@pytest.fixture(scope="module")
def reference_contents(published) -> dict:
    return table_contents(published / "tnl.db")


@pytest.mark.parametrize("changes", SPREADSHEET.values(), ids=SPREADSHEET.keys())
def test_spreadsheet_habits_give_the_same_database(package_dir, tmp_path, reference_contents, changes):
    for path in package_dir.glob("*.csv"):
        data = path.read_bytes()
        for change in changes:
            data = change(data)
        path.write_bytes(data)
    assert validate(package_dir) == []
    output = build(package_dir, tmp_path / "out" / "tnl.db")
    assert table_contents(output) == reference_contents
