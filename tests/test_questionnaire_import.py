"""`tnl import-questionnaire` on SYNTHETIC exports (tnl/dev/questionnaire_synthetic.py), written to tmp_path only.

The target is always a temporary copy of data/: consent, disclosure control (threshold, differencing),
idempotence, refusal of malformed exports (CSV and XLSX), and nothing of the raw export in the database or zip.
"""
from __future__ import annotations

import csv
import fcntl
import json
import shutil
import sqlite3
import zipfile
from fractions import Fraction
from pathlib import Path

import pytest
from tnl.dev import questionnaire_synthetic as synthetic
from click.testing import CliRunner
from conftest import DATA, snapshot

from tnl.cli import cli
from tnl.importers import disclosure
from tnl.importers.questionnaire_export import read_schema
from tnl.importers.questionnaire_import import import_questionnaire
from tnl.pipeline import bundle, datapackage
from tnl.pipeline.build import build
from tnl.problems import Rejected

pytestmark = pytest.mark.real_data  # imports into copies of the whole of data/ (synthetic answers need many communes)
EDITION = 2024  # results published on 2024-12-04


def rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))



@pytest.fixture(scope="session")
def base(tmp_path_factory) -> Path:
    """A copy of data/ with 12 synthetic questions mapped for 2024 (copied again by each test that writes)."""
    data_dir = synthetic.copy_data(DATA, tmp_path_factory.mktemp("base") / "data")
    synthetic.add_questions(data_dir, EDITION, 12)
    return data_dir


@pytest.fixture
def data_dir(base, tmp_path) -> Path:
    return synthetic.copy_data(base, tmp_path / "data")


def laureates(edition: int) -> list[str]:
    return sorted({r["territory_id"] for r in rows(DATA / "results.csv") if r["edition"] == str(edition)})


def candidates(count: int = 150) -> list[str]:
    return sorted(set(laureates(EDITION) + synthetic.communes(DATA, count)))


def questions(data_dir: Path) -> list[dict]:
    indicators = {r["code"]: r for r in rows(data_dir / "indicators.csv")}
    return [dict(indicators[m["indicator"]], column=m["column"], transform=m["transform"])
            for m in rows(data_dir / "questionnaire_mapping.csv") if m["edition"] == str(EDITION)]


def export(data_dir: Path, tmp_path: Path, seed: int = 1, fmt: str = "csv", consent: float = 0.6, ids=None) -> tuple[Path, list[list[str]]]:
    table = synthetic.export_rows(ids or candidates(), EDITION, questions(data_dir), consent, seed)
    path = tmp_path / f"export-synthetique.{fmt}"
    (synthetic.write_xlsx if fmt == "xlsx" else synthetic.write_csv)(path, table)
    return path, table


def truth(data_dir: Path, table: list[list[str]]) -> list[tuple[str, str, float, bool]]:
    """(territory, indicator, value, consent) of every answer of the synthetic export, parsed independently."""
    header, answers = table[0], []
    by_column = {q["column"]: q for q in questions(data_dir)}
    for line in table[1:]:
        for column, text in zip(header, line):
            q = by_column.get(column)
            if q and text:
                value = {"oui": 1.0, "non": 0.0}.get(text, None)
                value = float(text.replace(",", ".")) if value is None else value
                value = round(value * 100, 10) if q["transform"] == "fraction_en_pourcentage" else value
                answers.append((line[0], q["code"], value, line[2] == "oui"))
    return answers


def test_export_schema_is_a_valid_table_schema():
    from frictionless import Schema

    schema = Schema.from_descriptor({k: v for k, v in read_schema().items() if not k.startswith("x-")})
    assert [f.name for f in schema.fields] == ["territoire", "edition", "accord_publication"]
    assert all(f.title and f.description for f in schema.fields)


def test_only_consenting_answers_are_published(data_dir, tmp_path):
    path, table = export(data_dir, tmp_path)
    report = import_questionnaire(path, EDITION, data_dir)
    answers = truth(data_dir, table)
    published = {(r["territory_id"], r["indicator"], float(r["value"])) for r in rows(data_dir / "indicator_values.csv")
                 if r["origin"] == "questionnaire"}
    assert published == {(t, i, v) for t, i, v, consent in answers if consent}
    refused = {t for t, _, _, consent in answers if not consent}
    assert refused and not refused & {t for t, _, _ in published}
    assert report.published_values == len(published) and report.withheld_values == sum(not a[3] for a in answers)
    for row in rows(data_dir / "indicator_values.csv"):
        if row["origin"] == "questionnaire":
            assert row["date"] == "2024-12-04" and row["source_url"].startswith("https://territoire-numerique-libre.org/")
    assert [r for r in rows(DATA / "indicator_values.csv")] == [r for r in rows(data_dir / "indicator_values.csv")
                                                               if r["origin"] != "questionnaire"]


def test_source_option_is_used(data_dir, tmp_path):
    path, _ = export(data_dir, tmp_path)
    import_questionnaire(path, EDITION, data_dir, source="https://example.org/edition-2024")
    assert {r["source_url"] for r in rows(data_dir / "indicator_values.csv") if r["origin"] == "questionnaire"} == {"https://example.org/edition-2024"}


def membership(data_dir: Path, table) -> tuple[dict, list]:
    """Ground truth: each respondent's groups, recomputed from territories and results."""
    territories = {r["id"]: r for r in rows(data_dir / "territories.csv")}
    results = {r["territory_id"]: r["distinction"] or "non_publiee" for r in rows(data_dir / "results.csv") if r["edition"] == str(EDITION)}
    groups = {}
    for line in table[1:]:
        t = territories[line[0]]
        groups[line[0]] = {"ensemble": "toutes", "distinction": results.get(line[0], "aucune"), "nature": t["kind"],
                           "region": t["region_code"] or "inconnue",
                           "tranche_population": disclosure.population_band(int(t["population"]) if t["population"] else None)}
    return groups, truth(data_dir, table)


def rank(matrix: list[list[int]]) -> int:
    m = [[Fraction(x) for x in row] for row in matrix]
    r = 0
    for col in range(len(m[0]) if m else 0):
        pivot = next((i for i in range(r, len(m)) if m[i][col] != 0), None)
        if pivot is None:
            continue
        m[r], m[pivot] = m[pivot], m[r]
        for i in range(len(m)):
            if i != r and m[i][col] != 0:
                factor = m[i][col] / m[r][col]
                m[i] = [a - factor * b for a, b in zip(m[i], m[r])]
        r += 1
    return r


def check_disclosure(data_dir: Path, table) -> int:
    """Every published row and every linear combination of them keeps withheld answers hidden; returns rows checked."""
    groups, answers = membership(data_dir, table)
    aggregates = rows(data_dir / "indicator_aggregates.csv")
    for row in aggregates:
        if row["suppressed"] == "true":
            assert row["candidates_count"] == row["mean"] == row["share_percent"] == "" and row["suppression_reason"]
        else:
            assert int(row["candidates_count"]) >= 5 and (row["mean"] or row["share_percent"])
    for code in {row["indicator"] for row in aggregates}:
        cells = [(r["group_by"], r["group_value"]) for r in aggregates if r["indicator"] == code and r["suppressed"] == "false"]
        mine = [(t, v, c) for t, i, v, c in answers if i == code]
        withheld = [(t, v) for t, v, c in mine if not c]
        for group_by, value in cells:  # the published count is exact, and each group holds 0 or >= 5 withheld answers
            members = [t for t, _, _ in mine if groups[t][group_by] == value]
            hidden = [v for t, v in withheld if groups[t][group_by] == value]
            row = next(r for r in aggregates if (r["indicator"], r["group_by"], r["group_value"]) == (code, group_by, value))
            assert int(row["candidates_count"]) == len(members)
            assert not hidden or (len(hidden) >= 5 and len(set(hidden)) > 1)
        # Differencing: the published rows give one linear equation per cell over the withheld answers (the
        # consenting ones are public). A withheld answer is recoverable iff its column is outside the span of
        # the other columns, i.e. removing it lowers the rank. Atoms (identical columns) of >= 5 and several
        # values also resist bounds (swap two members of an atom: every published figure stays the same).
        columns = {}
        for t, v in withheld:
            signature = tuple(int(groups[t][g] == value) for g, value in cells)
            columns.setdefault(signature, []).append(v)
        for signature, values in columns.items():
            if any(signature):
                assert len(values) >= 5 and len(set(values)) > 1, (code, signature, values)
        distinct = list(columns)
        full = rank([list(col) for col in zip(*distinct)]) if distinct and cells else 0
        for i, signature in enumerate(distinct):
            if len(columns[signature]) == 1 and any(signature):
                rest = distinct[:i] + distinct[i + 1:]
                assert rank([list(col) for col in zip(*rest)]) == full, "a withheld answer is recoverable"
    return len(aggregates)


def test_aggregates_hide_small_groups_and_resist_differencing(data_dir, tmp_path):
    path, table = export(data_dir, tmp_path)
    import_questionnaire(path, EDITION, data_dir)
    assert check_disclosure(data_dir, table) > 12 * len(disclosure.DIMENSIONS)
    published = [r for r in rows(data_dir / "indicator_aggregates.csv") if r["suppressed"] == "false"]
    assert {r["group_by"] for r in published} >= {"ensemble", "region"}  # still useful


@pytest.mark.parametrize("seed", [2, 3, 4])
def test_differencing_with_few_withheld_answers(data_dir, tmp_path, seed):
    """Mostly consenting candidates: the classic attacks (ensemble minus published groups, a group minus the
    published answers, one dimension minus another) would isolate 1-4 withheld answers without secondary suppression."""
    path, table = export(data_dir, tmp_path, seed=seed, consent=0.93)
    import_questionnaire(path, EDITION, data_dir)
    check_disclosure(data_dir, table)


def test_single_withheld_answer_in_a_region_cannot_be_recovered(data_dir, tmp_path):
    """Naive attack: ensemble total minus every published région total minus the published answers."""
    ids = synthetic.communes(DATA, 400, seed=7)
    path, table = export(data_dir, tmp_path, ids=ids, consent=0.8, seed=7)
    import_questionnaire(path, EDITION, data_dir)
    groups, answers = membership(data_dir, table)
    aggregates = [r for r in rows(data_dir / "indicator_aggregates.csv") if r["indicator"] == "synthetique_q001"]
    total = next(r for r in aggregates if r["group_by"] == "ensemble")
    assert total["suppressed"] == "false"  # 385 answers: the total is published, the attack can start from it
    regions = [r for r in aggregates if r["group_by"] == "region" and r["suppressed"] == "false"]
    assert regions
    covered = {r["group_value"] for r in regions}
    remainder = [v for t, i, v, c in answers if i == "synthetique_q001" and not c and groups[t]["region"] not in covered]
    assert not remainder or len(remainder) >= 5  # what the attack isolates is a group of >= 5 withheld answers


def test_reimport_is_idempotent(data_dir, tmp_path):
    path, _ = export(data_dir, tmp_path)
    import_questionnaire(path, EDITION, data_dir)
    first = snapshot(data_dir)
    import_questionnaire(path, EDITION, data_dir)
    assert snapshot(data_dir) == first
    (tmp_path / "other").mkdir()
    other, _ = export(data_dir, tmp_path / "other", seed=9)  # another export replaces the edition's rows, never adds
    import_questionnaire(other, EDITION, data_dir)
    import_questionnaire(path, EDITION, data_dir)
    assert snapshot(data_dir) == first


def test_xlsx_and_semicolon_csv_give_the_same_result(data_dir, tmp_path):
    path, table = export(data_dir, tmp_path)
    import_questionnaire(path, EDITION, data_dir)
    expected = snapshot(data_dir)
    xlsx = synthetic.write_xlsx(tmp_path / "export.xlsx", table)
    import_questionnaire(xlsx, EDITION, data_dir)
    assert snapshot(data_dir) == expected
    semicolon = synthetic.write_csv(tmp_path / "export-fr.csv", table, delimiter=";")
    import_questionnaire(semicolon, EDITION, data_dir)
    assert snapshot(data_dir) == expected


def set_cell(table, row: int, column: str, value: str) -> str:
    table[row - 1][table[0].index(column)] = value
    return column


def question(data_dir: Path, kind: str, allowed: bool = False) -> str:
    return next(q["column"] for q in questions(data_dir)
                if q["type"] == kind and bool(q["allowed_values"]) == allowed and not q["transform"])


def drop_column(table, index: int) -> str:
    name = table[0][index]
    for line in table:
        line.pop(index)
    return name


def duplicate(table) -> str:
    table.append(list(table[2]))
    return "territoire"


CASES = [
    # (case, break the table and return the column, row (None: the last), what the message must say)
    ("unknown territory", lambda t, d: set_cell(t, 3, "territoire", "999999999"), 3, "inconnu"),
    ("bad value type", lambda t, d: set_cell(t, 4, question(d, "integer"), "beaucoup"), 4, "nombre entier"),
    ("not an integer", lambda t, d: set_cell(t, 4, question(d, "integer"), "2,5"), 4, "nombre entier"),
    ("percent out of range", lambda t, d: set_cell(t, 5, question(d, "percent"), "140"), 5, "hors limites"),
    ("outside allowed values", lambda t, d: set_cell(t, 6, question(d, "integer", allowed=True), "7"), 6, "valeurs admises"),
    ("bad boolean", lambda t, d: set_cell(t, 6, question(d, "boolean"), "peut-être"), 6, "oui ou non"),
    ("duplicate candidate", lambda t, d: duplicate(t), None, "en double"),
    ("missing consent column", lambda t, d: drop_column(t, 2), 1, "colonne obligatoire manquante"),
    ("bad consent value", lambda t, d: set_cell(t, 7, "accord_publication", "peut-être"), 7, "oui ou non"),
    ("wrong edition", lambda t, d: set_cell(t, 8, "edition", "2023"), 8, "attendu : 2024"),
    ("missing question column", lambda t, d: drop_column(t, 3), 1, "absente de l'export"),
]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("case, breaker, row, fragment", CASES, ids=[c[0] for c in CASES])
def test_malformed_export_is_refused_and_data_unchanged(data_dir, tmp_path, fmt, case, breaker, row, fragment):
    path, table = export(data_dir, tmp_path, fmt=fmt)
    column = breaker(table, data_dir)
    row = row or len(table)
    (synthetic.write_xlsx if fmt == "xlsx" else synthetic.write_csv)(path, table)
    before = snapshot(data_dir)
    with pytest.raises(Rejected) as refused:
        import_questionnaire(path, EDITION, data_dir)
    problems = refused.value.problems
    assert any(p.row == row and p.field == column and fragment in p.message for p in problems), [str(p) for p in problems]
    assert snapshot(data_dir) == before
    result = CliRunner().invoke(cli, ["import-questionnaire", str(path), "--edition", str(EDITION), "--data", str(data_dir)])
    assert result.exit_code == 1 and "rien n'a été écrit" in result.output
    assert f"ligne {row}, champ « {column} »" in result.output
    assert snapshot(data_dir) == before


def test_unknown_edition_and_edition_without_mapping_are_refused(data_dir, tmp_path):
    path, _ = export(data_dir, tmp_path)
    before = snapshot(data_dir)
    for edition, fragment in ((2031, "inconnue"), (2023, "aucune colonne")):
        with pytest.raises(Rejected) as refused:
            import_questionnaire(path, edition, data_dir)
        assert any(fragment in p.message for p in refused.value.problems)
    assert snapshot(data_dir) == before


@pytest.fixture(scope="session")
def imported_build(base, tmp_path_factory, worker_id):
    """Import a synthetic export into a copy of data/, then build it: database, zip, sums (never written to by a test).

    Built once for every pytest-xdist worker, under a lock in the session's shared temporary folder (xdist's own
    recipe for a session fixture): a whole build of data/ takes 15 to 30 s."""
    root = tmp_path_factory.getbasetemp()
    shared = (root if worker_id == "master" else root.parent) / "questionnaire-imported"
    with open(shared.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = shared / "table.json"
        if not done.exists():
            shutil.rmtree(shared, ignore_errors=True)  # what a worker stopped halfway left
            data_dir = synthetic.copy_data(base, shared / "data")
            path, table = export(data_dir, shared)
            result = CliRunner().invoke(cli, ["import-questionnaire", str(path), "--edition", str(EDITION), "--data", str(data_dir)])
            assert result.exit_code == 0, result.output
            assert "avec accord de publication" in result.output and "sous secret statistique" in result.output
            build(data_dir, shared / "out" / "tnl.db")
            done.write_text(json.dumps(table), encoding="utf-8")
    return shared / "data", json.loads(done.read_text(encoding="utf-8")), shared / "out" / "tnl.db"


def test_raw_export_never_reaches_the_database_or_the_zip(imported_build):
    data_dir, table, database = imported_build
    archive = zipfile.ZipFile(database.with_name(bundle.zip_name(datapackage.read(data_dir))))
    zipped = b"".join(archive.read(n) for n in archive.namelist())
    for blob in (database.read_bytes(), zipped, *snapshot(data_dir).values()):
        assert synthetic.SYNTHETIC_MARK.encode() not in blob
        assert b"accord_publication" not in blob and b"contact_synthetique" not in blob
    refused = {line[0] for line in table[1:] if line[2] == "non"}
    with sqlite3.connect(database) as conn:
        published = {r[0] for r in conn.execute("select territory_id from indicator_values where origin = 'questionnaire'")}
        assert published and not published & refused


def test_no_sql_returns_a_number_for_a_group_under_five(imported_build):
    _, _, database = imported_build
    with sqlite3.connect(database) as conn:
        assert conn.execute("select count(*) from indicator_aggregates where candidates_count < 5").fetchone()[0] == 0
        assert conn.execute("select count(*) from indicator_aggregates where suppressed and "
                            "(candidates_count is not null or mean is not null or share_percent is not null)").fetchone()[0] == 0
        assert conn.execute("select count(*) from indicator_aggregates where not suppressed and candidates_count is null").fetchone()[0] == 0
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type in ('table', 'view')")}
        # The only tables holding questionnaire data are the two published resources: no raw table exists.
        assert not {t for t in tables if "questionnaire" in t or "export" in t} - {"questionnaire_mapping"}


@pytest.fixture(scope="session")
def site(imported_build):
    from tnl.site.http.serve import datasette_app

    _, _, database = imported_build
    return datasette_app(database)


async def test_questionnaire_value_shows_its_origin_on_the_territory_page(site, imported_build):
    _, table, database = imported_build
    territory = next(line[0] for line in table[1:] if line[2] == "oui")
    html = (await site.client.get(f"/territoire/{territory}")).text
    assert "questionnaire (réponse publiée avec accord)" in html and "/indicateurs" in html
    data = (await site.client.get(f"/territoire/{territory}.json")).json()
    origins = {v["origin"] for group in data["indicators"] for v in group["values"]}
    assert "questionnaire" in origins


async def test_aggregates_canned_query_and_rules_page(site):
    response = await site.client.get("/tnl/agregats_indicateurs.json?edition=2024&dimension=region&_shape=array")
    assert response.status_code == 200
    result = response.json()
    assert result and {r["Dimension"] for r in result} == {"region"}
    assert all(r["Moyenne"] is None and r["Part de oui (%)"] is None for r in result if r["Réponses"] == "secret statistique")
    assert all(isinstance(r["Réponses"], int) and r["Réponses"] >= 5 for r in result if r["Réponses"] != "secret statistique")
    page = await site.client.get("/indicateurs")
    assert page.status_code == 200
    for fragment in ("Consentement", "au moins 5 réponses", "Secret secondaire", "secret statistique", "/tnl/agregats_indicateurs"):
        assert fragment in page.text
