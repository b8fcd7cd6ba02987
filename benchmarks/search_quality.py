"""How often the territory search lands on the right place: postal codes and typo classes, on the built database.

Postal codes: 200 codes drawn deterministically (random.Random(SEED)) from the package's codes (data/georef/
postal_codes.csv, derived from npm codes-postaux by `make georef`). The right commune is the most populous one the
code serves (the search's promise); counted: right commune first, every commune of the code listed, another place
first (e.g. the commune whose Insee code equals the postal code), nothing found.

Typo classes: communes drawn the same way among those whose name is unique and at least 5 letters long; each name is
altered one way (a letter dropped at the start, in the middle or at the end, one added, one replaced, two swapped,
accents and hyphens dropped, the département's number or name added) and the commune must come first (and within
the first 10).

Usage: .venv/bin/python benchmarks/search_quality.py [--db build/tnl.db] [--baseline GIT_REV]
With --baseline, the same figures for the search index of that revision (the figures before a change). Prints
figures only; no pass/fail.
"""
from __future__ import annotations

import argparse
import csv
import dataclasses
import importlib.util
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTAL_CODES = ROOT / "data" / "georef" / "postal_codes.csv"
INDEX_PATHS = ("tnl/site/search/search_index.py", "tnl/site/search_index.py")
SEED = 21
POSTAL_SAMPLE = 200
TYPO_SAMPLE = 300
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def load_index_module(revision: str | None):
    """The search index module of the working tree, or of a git revision (read with git show, never checked out)."""
    if revision is None:
        for relative in INDEX_PATHS:
            if (ROOT / relative).exists():
                source = (ROOT / relative).read_text(encoding="utf-8")
                break
    else:
        for relative in INDEX_PATHS:
            shown = subprocess.run(["git", "-C", str(ROOT), "show", f"{revision}:{relative}"], capture_output=True, text=True)
            if shown.returncode == 0:
                source = shown.stdout
                break
        else:
            sys.exit(f"{revision} : aucun module d'index de recherche")
    folder = Path(tempfile.mkdtemp(prefix="search-index-"))
    path = folder / "search_index_under_test.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("search_index_under_test", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def build_index(module, conn: sqlite3.Connection, postal: dict[str, list[str]]):
    """The index as the site builds it; postal codes given only to an index that knows them."""
    entry_class = getattr(module, "SearchEntry", None) or module.Entry  # named Entry before the layout move
    knows_postal_codes = "postal_codes" in {f.name for f in dataclasses.fields(entry_class)}
    entries = []
    for row in conn.execute("select id, name, kind, departement_code, population, cog_code, siren, former_cog_codes "
                            "from territories"):
        former = tuple(code.strip() for code in (row[7] or "").split(";") if code.strip())
        extra = {"postal_codes": tuple(postal.get(row[0], ()))} if knows_postal_codes else {}
        entries.append(entry_class(*row[:7], former, **extra))
    return module.SearchIndex(entries)


def read_postal_codes() -> dict[str, list[str]]:
    """postal code -> ids of the communes it serves."""
    served = defaultdict(list)
    with POSTAL_CODES.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            served[row["postal_code"]].append(row["territory_id"])
    return served


def postal_figures(index, conn, served: dict[str, list[str]]) -> dict[str, int]:
    population = dict(conn.execute("select id, coalesce(population, 0) from territories where kind = 'commune'"))
    sample = random.Random(SEED).sample(sorted(served), POSTAL_SAMPLE)
    figures = dict.fromkeys(("bonne commune en premier", "toutes les communes listées", "autre lieu en premier",
                             "aucun résultat"), 0)
    for code in sample:
        communes = served[code]
        largest = max(communes, key=lambda c: (population.get(c, 0), c))
        ids = [entry.id for entry in index.search(code, 50)]
        figures["bonne commune en premier"] += bool(ids) and ids[0] == largest
        figures["toutes les communes listées"] += set(communes) <= set(ids)
        figures["autre lieu en premier"] += bool(ids) and ids[0] not in communes
        figures["aucun résultat"] += not ids
    return figures


def strip_accents(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower().replace("-", " ").replace("'", " ")


def typo_classes(name: str, departement: str, departement_name: str, rng: random.Random) -> dict[str, str]:
    plain = strip_accents(name)
    letters = [i for i, c in enumerate(plain) if c.isalpha()]
    middle = letters[len(letters) // 2]
    replaced = rng.choice([c for c in LETTERS if c != plain[middle]])
    return {
        "tel quel": name,
        "sans accents ni tirets": plain,
        "première lettre oubliée": plain[letters[0] + 1:],
        "lettre oubliée au milieu": plain[:middle] + plain[middle + 1:],
        "dernière lettre oubliée": plain[:letters[-1]] + plain[letters[-1] + 1:],
        "lettre en trop": plain[:middle] + rng.choice(LETTERS) + plain[middle:],
        "lettre erronée": plain[:middle] + replaced + plain[middle + 1:],
        "deux lettres inversées": plain[:middle] + plain[middle + 1] + plain[middle] + plain[middle + 2:],
        "nom + numéro de département": f"{plain} {departement}",
        "nom + nom du département": f"{plain} {strip_accents(departement_name)}",
    }


def typo_figures(index, conn) -> tuple[dict[str, tuple[int, int]], float]:
    rows = conn.execute("""select t.id, t.name, t.departement_code, d.name from territories t
        join departements d on d.code = t.departement_code where t.kind = 'commune' order by t.id""").fetchall()
    counts = defaultdict(int)
    for _, name, _, _ in rows:
        counts[strip_accents(name)] += 1
    eligible = [row for row in rows if counts[strip_accents(row[1])] == 1 and sum(c.isalpha() for c in row[1]) >= 5]
    rng = random.Random(SEED)
    sample = rng.sample(eligible, TYPO_SAMPLE)
    figures: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    spent, searches = 0.0, 0
    for territory, name, departement, departement_name in sample:
        for kind, query in typo_classes(name, departement, departement_name, rng).items():
            started = time.perf_counter()
            ids = [entry.id for entry in index.search(query, 10)]
            spent, searches = spent + time.perf_counter() - started, searches + 1
            figures[kind][0] += bool(ids) and ids[0] == territory
            figures[kind][1] += territory in ids
    return {kind: tuple(values) for kind, values in figures.items()}, 1000 * spent / searches


def report(title: str, index, conn, served) -> None:
    print(f"\n== {title}")
    print(f"Codes postaux ({POSTAL_SAMPLE} codes tirés du paquet, graine {SEED}) :")
    for label, count in postal_figures(index, conn, served).items():
        print(f"  {label:<30} {count:>4} / {POSTAL_SAMPLE}")
    print(f"Fautes de frappe ({TYPO_SAMPLE} communes au nom unique, graine {SEED}) : bonne commune en premier / parmi 10")
    figures, milliseconds = typo_figures(index, conn)
    for kind, (first, top) in figures.items():
        print(f"  {kind:<30} {first:>4} / {TYPO_SAMPLE}   {top:>4} / {TYPO_SAMPLE}")
    print(f"Temps moyen d'une recherche de nom : {milliseconds:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / "build" / "tnl.db")
    parser.add_argument("--baseline", help="git revision whose search index to measure as well (before a change)")
    args = parser.parse_args()
    conn = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    served = read_postal_codes()
    postal_by_commune = defaultdict(list)
    for code, communes in served.items():
        for commune in communes:
            postal_by_commune[commune].append(code)
    if args.baseline:
        report(f"Index de {args.baseline}", build_index(load_index_module(args.baseline), conn, postal_by_commune),
               conn, served)
    report("Index actuel", build_index(load_index_module(None), conn, postal_by_commune), conn, served)


if __name__ == "__main__":
    main()
