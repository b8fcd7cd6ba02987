"""SYNTHETIC questionnaire data for tests and benchmarks: invented indicators, mapping and operator export.

Nothing here is real: indicators are named « synthetique_q… », every export carries the marker below, and
everything is written to a temporary directory (a copy of data/), never to the repository's data/.
"""
from __future__ import annotations

import csv
import random
import shutil
from pathlib import Path

SYNTHETIC_MARK = "SYNTHETIQUE-NE-PAS-PUBLIER"
TYPES = ("percent", "integer", "number", "boolean")
FIXED = ["territoire", "edition", "accord_publication"]


GEOREF_RESOURCES = {"postal_codes.csv"}  # of georef/, what the Data Package lists; the rest (outlines, sources) is big


def copy_data(source: Path, target: Path) -> Path:
    """data/ without the reference geography's build inputs, which no import reads."""
    shutil.copytree(source, target, ignore=lambda folder, names: (
        [n for n in names if n not in GEOREF_RESOURCES] if Path(folder).name == "georef" else []))
    return target


def add_questions(data_dir: Path, edition: int, count: int) -> list[dict]:
    """Append `count` synthetic indicators and their mapping for the edition; returns the questions."""
    questions = []
    for n in range(1, count + 1):
        kind = TYPES[(n - 1) % len(TYPES)]
        questions.append({
            "code": f"synthetique_q{n:03d}", "column": f"Q{n:03d} question synthétique", "type": kind,
            "allowed_values": "0 ; 1 ; 2 ; 3 ; 4" if kind == "integer" and n % 8 == 2 else "",
            "transform": "fraction_en_pourcentage" if kind == "percent" and n % 8 == 5 else "",
        })
    with open(data_dir / "indicators.csv", "a", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        for q in questions:
            unit = {"percent": "%", "boolean": "", "integer": "", "number": "EUR"}[q["type"]]
            writer.writerow([q["code"], f"Question synthétique {q['code'][-3:]} (test)", "synthétique (tests)", unit, q["type"],
                             q["allowed_values"], "Indicateur SYNTHÉTIQUE généré par les tests : aucune donnée réelle.",
                             str(edition), ""])
    with open(data_dir / "questionnaire_mapping.csv", "a", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        for q in questions:
            writer.writerow([edition, q["column"], q["code"], q["transform"], "Correspondance synthétique (tests)."])
    return questions


def answer(rng: random.Random, question: dict) -> str:
    """A valid answer as the operator would type it (French decimal comma sometimes), or "" (no answer)."""
    if rng.random() < 0.05:
        return ""
    kind = question["type"]
    if kind == "boolean":
        return rng.choice(["oui", "non", "1", "0"])
    if kind == "integer":
        return str(rng.randint(0, 4) if question["allowed_values"] else rng.randint(0, 500))
    if kind == "percent":
        value = rng.randint(0, 1000) / 10
        return str(value / 100) if question["transform"] else str(value).replace(".", ",")
    return str(rng.randint(0, 2_000_000) / 100)


def export_rows(territory_ids: list[str], edition: int, questions: list[dict], consent_rate: float, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    header = FIXED + [q["column"] for q in questions] + ["contact_synthetique"]
    rows = [header]
    for i, territory in enumerate(territory_ids):
        consent = "oui" if rng.random() < consent_rate else "non"
        rows.append([territory, str(edition), consent] + [answer(rng, q) for q in questions] + [f"{SYNTHETIC_MARK} {i}"])
    return rows


def write_csv(path: Path, rows: list[list[str]], delimiter: str = ",") -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[str]]) -> Path:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("export")
    for row in rows:
        sheet.append([int(c) if c.isdigit() and len(c) < 9 else c for c in row])
    workbook.save(path)
    return path


def communes(data_dir: Path, count: int, seed: int = 0) -> list[str]:
    """`count` commune ids spread over France, deterministically."""
    with open(data_dir / "territories.csv", encoding="utf-8", newline="") as f:
        ids = [row["id"] for row in csv.DictReader(f) if row["kind"] == "commune"]
    return sorted(random.Random(seed).sample(ids, count)) if count < len(ids) else ids
