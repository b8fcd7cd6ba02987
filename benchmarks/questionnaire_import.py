"""Import and build time, database size and aggregate query latency for SYNTHETIC questionnaire exports.

Scenarios: 250 candidates x 80 questions, and every French commune x 60 questions. Everything is generated
in a temporary directory (a copy of data/ plus tnl/dev/questionnaire_synthetic.py's invented questions), never
in data/. Usage: .venv/bin/python benchmarks/questionnaire_import.py [--only small|communes]. Figures only.
"""
from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

from tnl.dev import questionnaire_synthetic as synthetic  # noqa: E402

from tnl.importers.questionnaire_import import import_questionnaire  # noqa: E402
from tnl.pipeline.build import build  # noqa: E402

EDITION = 2024
SCENARIOS = {"small": (250, 80), "communes": (None, 60)}


def latency(conn: sqlite3.Connection, sql: str, params: dict, runs: int = 20) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        conn.execute(sql, params).fetchall()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def run(name: str, candidates: int | None, questions: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        tmp = Path(directory)
        data_dir = synthetic.copy_data(ROOT / "data", tmp / "data")
        asked = synthetic.add_questions(data_dir, EDITION, questions)
        ids = synthetic.communes(data_dir, candidates or 10**9)
        export = synthetic.write_csv(tmp / "export.csv", synthetic.export_rows(ids, EDITION, asked, 0.6, seed=1))
        start = time.perf_counter()
        report = import_questionnaire(export, EDITION, data_dir)
        imported = time.perf_counter() - start
        start = time.perf_counter()
        database = build(data_dir, tmp / "out" / "tnl.db")
        built = time.perf_counter() - start
        print(f"[{name}] {len(ids)} candidats x {questions} questions (export {export.stat().st_size / 1e6:.1f} Mo)")
        print(f"  import : {imported:.1f} s ; {report.published_values} réponses publiées, {report.withheld_values} retenues ; "
              f"agrégats {report.aggregates_published} publiés, {sum(report.suppressed.values())} au secret")
        print(f"  build  : {built:.1f} s ; base {database.stat().st_size / 1e6:.1f} Mo ; "
              f"indicator_values.csv {(data_dir / 'indicator_values.csv').stat().st_size / 1e6:.1f} Mo")
        queries = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))["databases"]["tnl"]["queries"]
        canned = queries["agregats_indicateurs"]["sql"]
        with sqlite3.connect(database) as conn:
            for dimension in ("distinction", "region", "ensemble"):
                print(f"  requête agregats_indicateurs (dimension={dimension}) : "
                      f"{latency(conn, canned, {'edition': '', 'dimension': dimension}):.2f} ms (médiane de 20)")
            one = "select * from indicator_aggregates where edition = :e and indicator = :i and not suppressed"
            print(f"  un indicateur, groupes publiés : {latency(conn, one, {'e': EDITION, 'i': asked[0]['code']}):.2f} ms")
            page = ("select v.*, i.label from indicator_values v join indicators i on i.code = v.indicator "
                    "where v.territory_id = :t order by i.domain, i.label, v.date")
            print(f"  valeurs d'un territoire (page territoire) : {latency(conn, page, {'t': ids[0]}):.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(SCENARIOS))
    args = parser.parse_args()
    for name, (candidates, questions) in SCENARIOS.items():
        if args.only in (None, name):
            run(name, candidates, questions)


if __name__ == "__main__":
    main()
