"""What a researcher's downloads cost: the largest table as complete CSV and as .xlsx, and `frictionless validate` of
the versioned zip (tasks and rows checked).

Usage: .venv/bin/python benchmarks/exports.py [--db build/tnl.db]   (after `tnl build`)
In-process Datasette client (no network); prints figures only, no pass/fail. One run each: the figures move with
the load of the machine.
"""
from __future__ import annotations

import argparse
import asyncio
import io
import json
import subprocess
import sys
import time
from pathlib import Path

import openpyxl

from tnl.build_layout import SUMS_NAME
from tnl.site.exports.downloads import current_zip
from tnl.site.http.serve import datasette_app


async def exports(database: Path) -> None:
    datasette = datasette_app(database)
    await datasette.client.get("/")  # startup work out of the figures
    for path in ("/tnl/territories.csv", "/tnl/territories.xlsx"):
        start = time.perf_counter()
        response = await datasette.client.get(path)
        seconds = time.perf_counter() - start
        if path.endswith(".csv"):
            rows = response.text.count("\n") - 1
        else:
            sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
            rows = sum(1 for _ in sheet.iter_rows(values_only=True)) - 1
        print(f"{path}: {rows} lignes, {len(response.content) / 1e6:.1f} Mo, {seconds:.1f} s")


def validate_zip(database: Path) -> None:
    archive = database.parent / current_zip(database.parent)
    frictionless = Path(sys.executable).with_name("frictionless")
    start = time.perf_counter()
    result = subprocess.run([str(frictionless), "validate", "--json", str(archive)], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    report = json.loads(result.stdout)
    rows = sum(task["stats"].get("rows", 0) for task in report["tasks"])
    print(f"frictionless validate {archive.name}: valide={report['valid']}, {len(report['tasks'])} tables, "
          f"{rows} lignes vérifiées, {seconds:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("build/tnl.db"))
    database = parser.parse_args().db
    if not (database.parent / SUMS_NAME).is_file():
        sys.exit(f"{database.parent / SUMS_NAME} introuvable : lancez d'abord « tnl build ».")
    asyncio.run(exports(database))
    validate_zip(database)


if __name__ == "__main__":
    main()
