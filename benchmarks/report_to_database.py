"""From a report's message to a rebuilt database: the facts of one batch of reports, each applied with `tnl add-result`
on a temporary copy of data/ (data/ itself is never written), then `tnl build`; prints each step's wall time and the
coverage per edition before and after.

Usage: .venv/bin/python benchmarks/report_to_database.py [--data data]
The facts are those of the Gazette BlueHats n°14 (21 December 2021) and of the laureates' own pages, as a maintainer
would receive them in reports. Prints figures only; no pass/fail.
"""
from __future__ import annotations

import argparse
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tnl.pipeline.datapackage import DEFAULT_DATA_DIR

BLUEHATS_14 = "https://code.gouv.fr/fr/bluehats/bluehats_14/"
REPORTS = [  # (what the message says, the command's arguments)
    ("Mions niveau 4 en 2021 (« se maintient au niveau 4 »), mention « Meilleure continuité »",
     ["--edition", "2021", "--territory", "69283", "--distinction", "niveau_4", "--mention", "Meilleure continuité",
      "--name", "Ville de Mions", "--source", BLUEHATS_14, "--confidence", "medium"]),
    *((f"Mions niveau 4 en {year} (déduit de « depuis 6 ans »)",
       ["--edition", year, "--territory", "216902833", "--distinction", "niveau_4", "--source", BLUEHATS_14,
        "--confidence", "low"]) for year in ("2017", "2018", "2019", "2020")),
    ("Lettret, mention « Plus petite collectivité » en 2021",
     ["--edition", "2021", "--territory", "210500740", "--distinction", "niveau_2", "--mention", "Plus petite collectivité",
      "--source", BLUEHATS_14, "--confidence", "medium"]),
    ("Abbeville niveau 5 en 2021 (source de plus)",
     ["--edition", "2021", "--territory", "218000016", "--distinction", "niveau_5", "--source", BLUEHATS_14]),
    ("Échirolles, « Meilleure première candidature » en 2021 (source de plus)",
     ["--edition", "2021", "--territory", "213801517", "--mention", "Meilleure première candidature", "--source", BLUEHATS_14]),
    ("SITIV niveau 3 en 2021 (source déjà citée)",
     ["--edition", "2021", "--territory", "syndicat-sitiv", "--distinction", "niveau_3", "--source", "https://sitiv.fr/?p=15"]),
    ("Boé niveau 5 en 2023 (source de plus)",
     ["--edition", "2023", "--territory", "214700312", "--distinction", "niveau_5",
      "--source", "https://code.gouv.fr/fr/bluehats/bluehats_29/"]),
    ("Boé labellisée en 2019 (titre d'article)",
     ["--edition", "2019", "--territory", "214700312",
      "--source", "https://www.ladepeche.fr/2019/12/23/boe-decroche-le-label-territoire-numerique-libre,8622489.php"]),
]


def tnl(*args: str) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "tnl.cli", *args], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stdout + done.stderr)
    return time.perf_counter() - start, done.stdout


def coverage(database: Path) -> dict[int, tuple]:
    with sqlite3.connect(database) as conn:
        return {e: (p, a) for e, p, a in conn.execute("select edition, published_count, announced_count from coverage")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR)
    data = parser.parse_args().data
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "data"
        shutil.copytree(data, copy)
        before_db, after_db = Path(tmp) / "before" / "tnl.db", Path(tmp) / "after" / "tnl.db"
        seconds, _ = tnl("build", "--data", str(copy), "--output", str(before_db))
        print(f"build before the reports: {seconds:.1f} s")
        total = 0.0
        for message, args in REPORTS:
            shown, diff = tnl("add-result", "--data", str(copy), *args)
            applied, _ = tnl("add-result", "--data", str(copy), *args, "--apply")
            total += shown + applied
            print(f"- {message}: diff {shown:.1f} s, --apply {applied:.1f} s")
            print("    " + "\n    ".join(line for line in diff.splitlines()[1:-1]))
        seconds, _ = tnl("build", "--data", str(copy), "--output", str(after_db))
        print(f"{len(REPORTS)} reports: {total:.1f} s of commands (diff then --apply each); rebuild {seconds:.1f} s")
        print("edition: published before -> after (announced)")
        before, after = coverage(before_db), coverage(after_db)
        for edition in sorted(before):
            print(f"  {edition}: {before[edition][0]} -> {after[edition][0]} ({before[edition][1] or 'inconnu'})")


if __name__ == "__main__":
    main()
