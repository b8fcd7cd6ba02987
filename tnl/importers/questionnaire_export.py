"""Read and check the operator's questionnaire export (CSV or XLSX) against its Table Schema and the mapping.

Nothing here writes anything: the result is either the parsed answers or a list of Problems naming the
row and the column, in French, like tnl.validate. Only the columns of the schema and of the edition's
mapping are read; any other column of the export (contacts, free comments…) is ignored.
"""
from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tnl import PROJECT_ROOT
from tnl.problems import Problem

SCHEMA_PATH = PROJECT_ROOT / "schemas" / "questionnaire_export.schema.yaml"
TERRITORY, EDITION, CONSENT = "territoire", "edition", "accord_publication"
MAPPING_FILE = "questionnaire_mapping.csv"
TRUE_WORDS, FALSE_WORDS = {"oui", "1", "vrai", "true"}, {"non", "0", "faux", "false"}
TRANSFORMS = {
    "fraction_en_pourcentage": lambda v: v * 100,
    "milliers": lambda v: v * 1000,
    "inverse_oui_non": lambda v: 1 - v,
}
TYPE_WORDS = {
    "integer": "un nombre entier",
    "number": "un nombre",
    "percent": "un pourcentage de 0 à 100",
    "boolean": "oui ou non (1 ou 0)",
}


def read_schema(path: Path = SCHEMA_PATH) -> dict:
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


@dataclass(frozen=True)
class Candidate:
    territory_id: str
    consent: bool
    row: int


@dataclass(frozen=True)
class Answer:
    territory_id: str
    indicator: str
    value: float
    published: bool


@dataclass
class Export:
    candidates: list[Candidate] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


def read_table(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (spreadsheet row number, cells as text) of a CSV or XLSX file; blank rows are skipped."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path)
    else:
        with open(path, encoding="utf-8-sig", newline="") as f:
            text = f.read()
        first = text.split("\n", 1)[0]
        delimiter = ";" if first.count(";") > first.count(",") else ","
        rows = list(csv.reader(text.splitlines(keepends=True), delimiter=delimiter))
    if not rows:
        return [], []
    header = [h.strip() for h in rows[0]]
    body = [(number, cells) for number, cells in enumerate(rows[1:], start=2) if any(c.strip() for c in cells)]
    return header, body


def _xlsx_rows(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_number(text: str) -> float | None:
    """French or plain notation: « 1 234,5 », « 1234.5 », « 42 »; None if not a finite number."""
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", text)
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", cleaned):
        return None
    number = float(cleaned)
    return number if math.isfinite(number) else None


def parse_value(text: str, indicator: dict, transform: str) -> tuple[float | None, str]:
    """(value, "") when valid for the indicator after the transform, else (None, French reason)."""
    kind = indicator["type"]
    word = text.strip().lower()
    if kind == "boolean" and word in TRUE_WORDS | FALSE_WORDS:
        value = 1.0 if word in TRUE_WORDS else 0.0
    else:
        value = parse_number(text)
    if value is None:
        return None, f"valeur « {text} » invalide ; attendu : {TYPE_WORDS[kind]}"
    if transform:
        value = round(TRANSFORMS[transform](value), 10)
    if kind == "integer" and not value.is_integer():
        return None, f"valeur « {text} » invalide ; attendu : {TYPE_WORDS[kind]}"
    if kind == "percent" and not 0 <= value <= 100:
        return None, f"valeur « {text} » hors limites ; attendu : {TYPE_WORDS[kind]}"
    if kind == "boolean" and value not in (0.0, 1.0):
        return None, f"valeur « {text} » invalide ; attendu : {TYPE_WORDS[kind]}"
    allowed = allowed_values(indicator)
    if allowed and value not in allowed:
        return None, f"valeur « {text} » hors des valeurs admises ; attendu : {indicator['allowed_values']}"
    return value, ""


def allowed_values(indicator: dict) -> set[float]:
    parsed = (parse_number(v) for v in (indicator.get("allowed_values") or "").split(";") if v.strip())
    return {v for v in parsed if v is not None}


def check_mapping(mapping: list[tuple[int, dict]], edition: int, indicators: dict) -> tuple[dict, list[Problem]]:
    """{export column: (indicator code, transform)} for the edition, or the problems of the mapping file."""
    columns, seen, problems = {}, {}, []
    for line, row in mapping:
        if row["edition"] != str(edition):
            continue
        code, transform = row["indicator"], row.get("transform") or ""
        if code not in indicators:
            problems.append(Problem(MAPPING_FILE, line, "indicator", f"indicateur « {code} » inconnu ; attendu : un code de indicators.csv"))
        elif code in seen:
            problems.append(Problem(MAPPING_FILE, line, "indicator",
                                    f"indicateur « {code} » déjà rattaché à la colonne « {seen[code]} » ; attendu : une colonne par indicateur et par édition"))
        if transform and transform not in TRANSFORMS:
            problems.append(Problem(MAPPING_FILE, line, "transform",
                                    f"transformation « {transform} » inconnue ; attendu : {', '.join(TRANSFORMS)} ou vide"))
        seen.setdefault(code, row["column"])
        columns[row["column"].strip()] = (code, transform)
    if not columns and not problems:
        problems.append(Problem(MAPPING_FILE, 0, "edition",
                                f"aucune colonne rattachée à l'édition {edition} ; attendu : des lignes « {edition},<colonne>,<indicateur>, » dans la correspondance"))
    return columns, problems


def check_export(path: Path, edition: int, columns: dict, indicators: dict, territory_ids: dict) -> tuple[Export, list[Problem]]:
    """Parse the export; every problem names its row and column. territory_ids maps ids and SIRENs to ids."""
    name = Path(path).name
    try:
        header, body = read_table(path)
    except (OSError, UnicodeDecodeError, csv.Error, ValueError, KeyError) as error:
        return Export(), [Problem(name, 0, "", f"fichier illisible ({error.__class__.__name__}) ; attendu : un CSV UTF-8 ou un classeur XLSX")]
    problems = _header_problems(name, header, columns)
    if problems:
        return Export(), problems
    position = {column: i for i, column in enumerate(header)}
    export = Export(ignored_columns=[c for c in header if c not in columns and c not in (TERRITORY, EDITION, CONSENT)])
    first_row: dict[str, int] = {}
    for number, cells in body:
        cell = lambda column: cells[position[column]].strip() if position[column] < len(cells) else ""  # noqa: E731
        row_problems = []
        territory = territory_ids.get(re.sub(r"\s", "", cell(TERRITORY)))
        if not cell(TERRITORY):
            row_problems.append(Problem(name, number, TERRITORY, "valeur obligatoire manquante"))
        elif territory is None:
            row_problems.append(Problem(name, number, TERRITORY,
                                        f"territoire « {cell(TERRITORY)} » inconnu ; attendu : un identifiant ou un SIREN de territories.csv"))
        elif territory in first_row:
            row_problems.append(Problem(name, number, TERRITORY,
                                        f"candidat « {cell(TERRITORY)} » en double (déjà ligne {first_row[territory]}) ; attendu : une ligne par candidat"))
        if cell(EDITION) != str(edition):
            row_problems.append(Problem(name, number, EDITION, f"édition « {cell(EDITION)} » ; attendu : {edition} (option --edition)"))
        consent = cell(CONSENT).lower()
        if consent not in ("oui", "non"):
            row_problems.append(Problem(name, number, CONSENT, f"valeur « {cell(CONSENT)} » ; attendu : oui ou non"))
        answers = []
        for column, (code, transform) in columns.items():
            text = cell(column)
            if not text:
                continue  # no answer
            value, reason = parse_value(text, indicators[code], transform)
            if reason:
                row_problems.append(Problem(name, number, column, reason))
            else:
                answers.append(Answer(territory or "", code, value, consent == "oui"))
        problems += row_problems
        if territory is not None:
            first_row.setdefault(territory, number)
        if not row_problems:
            export.candidates.append(Candidate(territory, consent == "oui", number))
            export.answers += answers
    return export, problems


def _header_problems(name: str, header: list[str], columns: dict) -> list[Problem]:
    if not header:
        return [Problem(name, 0, "", "fichier vide ; attendu : une ligne d'en-tête puis une ligne par candidat")]
    fixed = [f["name"] for f in read_schema()["fields"]]
    problems = [Problem(name, 1, c, f"colonne obligatoire manquante ; attendu : {', '.join(fixed)} puis les colonnes des questions")
                for c in fixed if c not in header]
    problems += [Problem(name, 1, c, "colonne de la correspondance absente de l'export ; attendu : toutes les colonnes de l'édition dans questionnaire_mapping.csv")
                 for c in columns if c not in header]
    duplicates = sorted({c for c in header if c and header.count(c) > 1})
    problems += [Problem(name, 1, c, "colonne en double ; attendu : un nom de colonne unique") for c in duplicates]
    return problems
