"""Validate the Data Package: frictionless for types, constraints and keys, plus the label's own rules.

Every problem names its file, row and field and says what was expected, in French, because the
people who fix the CSV files read them.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from frictionless import FrictionlessException, Package
from stdnum.fr import siren

from tnl.datapackage import DESCRIPTOR_NAME, read_descriptor

TYPE_NAMES = {
    "integer": "un nombre entier",
    "number": "un nombre (point décimal)",
    "date": "une date AAAA-MM-JJ",
    "string": "du texte",
    "boolean": "true ou false",
}
SIREN_COLUMNS = ("siren", "epci_siren")


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row:
            where += f", ligne {self.row}"
        if self.field:
            where += f", champ « {self.field} »"
        return f"{where} : {self.message}"


def validate(data_dir: Path) -> list[Problem]:
    """All problems of the package in data_dir; an empty list means it may be built and published."""
    data_dir = Path(data_dir)
    try:
        descriptor = read_descriptor(data_dir)
    except (OSError, yaml.YAMLError) as error:
        return [Problem(DESCRIPTOR_NAME, 0, "", f"descripteur illisible ({error})")]
    problems = [p for r in descriptor["resources"] for p in _check_file(data_dir, r)]
    if problems:
        return sorted(problems)  # frictionless would only repeat these, less clearly
    problems += _frictionless_problems(descriptor, data_dir)
    problems += _label_rules(descriptor, data_dir)
    return sorted(set(problems))


def _check_file(data_dir: Path, resource: dict) -> list[Problem]:
    """A file that is missing, empty or not UTF-8 gets one clear problem before anything else reads it."""
    path = data_dir / resource["path"]
    name = resource["path"]
    if not path.is_file():
        return [Problem(name, 0, "", "fichier absent")]
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return [Problem(name, line, "", f"encodage invalide : octet 0x{raw[error.start]:02x} ; attendu : UTF-8")]
    if not text.strip("\ufeff \r\n\t"):
        return [Problem(name, 0, "", "fichier vide ; attendu : une ligne d'en-tête puis des lignes de données")]
    control = re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text)
    if control:
        line = text[: control.start()].count("\n") + 1
        return [Problem(name, line, "", f"caractère de contrôle U+{ord(control.group()):04X} interdit")]
    return _header_problems(name, text, [f["name"] for f in resource["schema"]["fields"]])


def _header_problems(name: str, text: str, expected: list[str]) -> list[Problem]:
    """Name the missing and unexpected columns, rather than every column shifted after them."""
    header = next(csv.reader([text.lstrip("\ufeff").splitlines()[0]]))
    if header == expected:
        return []
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    problems = [Problem(name, 1, c, "colonne manquante ; attendu : les colonnes du schéma") for c in missing]
    problems += [Problem(name, 1, c, "colonne inattendue ; attendu : " + ", ".join(expected)) for c in extra]
    if not problems:
        problems = [Problem(name, 1, "", "colonnes dans le désordre ; attendu : " + ", ".join(expected))]
    return problems


def _frictionless_problems(descriptor: dict, data_dir: Path) -> list[Problem]:
    try:
        report = Package(descriptor, basepath=str(data_dir)).validate()
    except FrictionlessException as error:
        return [Problem(DESCRIPTOR_NAME, 0, "", f"descripteur invalide ({error.error.message})")]
    paths = {r["name"]: r["path"] for r in descriptor["resources"]}
    problems = [Problem(DESCRIPTOR_NAME, 0, "", error.message) for error in report.errors]
    for task in report.tasks:
        file = paths.get(task.name, task.name)
        problems += [_problem(file, error) for error in task.errors]
    return problems


def _problem(file: str, error) -> Problem:
    row = getattr(error, "row_number", None) or 0
    field = getattr(error, "field_name", None) or getattr(error, "label", None) or ""
    cell = getattr(error, "cell", None)
    kind = error.type
    if kind == "type-error":
        field_type = re.sub(r'.*type is "(\w+).*', r"\1", error.note or "")
        message = f"valeur « {cell} » invalide ; attendu : {TYPE_NAMES.get(field_type, field_type)}"
    elif kind == "constraint-error":
        message = _constraint_message(error.note, cell)
    elif kind == "primary-key":
        message = f"clé primaire en double ({', '.join(map(str, error.cells))}) ; attendu : une seule ligne par clé"
    elif kind == "foreign-key":
        field = ", ".join(error.field_names)
        target = f"{error.reference_name or 'territories'}.{', '.join(error.reference_field_names)}"
        message = f"référence inconnue « {', '.join(map(str, error.field_cells))} » ; attendu : une valeur présente dans {target}"
    elif kind in ("missing-label", "blank-label"):
        message = "colonne manquante dans l'en-tête ; attendu : les colonnes du schéma, dans l'ordre"
    elif kind in ("extra-label", "incorrect-label", "duplicate-label"):
        message = f"en-tête « {getattr(error, 'label', '')} » inattendu ; attendu : « {getattr(error, 'field_name', '')} » (colonnes du schéma, dans l'ordre)"
    elif kind == "missing-cell":
        message = "cellule manquante ; attendu : une valeur par colonne"
    elif kind == "extra-cell":
        message = f"cellule en trop « {cell} » ; attendu : autant de cellules que de colonnes"
    elif kind == "blank-row":
        message = "ligne vide ; attendu : une ligne de données"
    else:
        message = f"{error.title} : {error.note}"
    return Problem(file, row, field, message)


def _constraint_message(note: str, cell) -> str:
    match = re.match(r'constraint "(\w+)" is "(.*)"', note or "", re.S)
    name, value = match.groups() if match else ("", note)
    if name == "required":
        return "valeur obligatoire manquante"
    if name == "enum":
        return f"valeur « {cell} » hors des valeurs admises ; attendu : {value.strip('[]').replace(chr(39), '')}"
    if name == "pattern":
        return f"valeur « {cell} » mal formée ; attendu : le motif {value}"
    if name == "unique":
        return f"valeur « {cell} » en double ; attendu : une valeur unique"
    if name in ("minimum", "maximum"):
        bound = "au moins" if name == "minimum" else "au plus"
        return f"valeur « {cell} » hors limites ; attendu : {bound} {value}"
    return f"valeur « {cell} » refusée ({note})"


def _read_rows(data_dir: Path, resource: dict) -> list[tuple[int, dict]]:
    """(line number, row) pairs as text, for the rules frictionless does not know."""
    with open(data_dir / resource["path"], encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        return [(reader.line_num, row) for row in reader]


def _label_rules(descriptor: dict, data_dir: Path) -> list[Problem]:
    by_name = {r["name"]: r for r in descriptor["resources"]}
    problems: list[Problem] = []
    territories = by_name["territories"]
    for line, row in _read_rows(data_dir, territories):
        problems += _siren_problems(territories["path"], line, row)
        problems += _departement_problems(territories["path"], line, row)
    problems += _code_problems(territories["path"], _read_rows(data_dir, territories))
    problems += _scheme_problems(data_dir, by_name)
    return problems


def _siren_problems(file: str, line: int, row: dict) -> list[Problem]:
    values = [(column, row.get(column) or "") for column in SIREN_COLUMNS]
    if re.fullmatch(r"[0-9]{9}", row.get("id") or ""):
        values.append(("id", row["id"]))
    return [
        Problem(file, line, column, f"SIREN « {value} » invalide (clé de Luhn) ; attendu : un SIREN existant")
        for column, value in values
        if re.fullmatch(r"[0-9]{9}", value) and not siren.is_valid(value)
    ]


COG_PATTERNS = {"commune": r"[0-9]{5}|2[AB][0-9]{3}", "departement": r"[0-9]{2}|2[AB]|97[1-6]", "region": r"[0-9]{2}"}


def _departement_problems(file: str, line: int, row: dict) -> list[Problem]:
    """A code has its kind's format, and a commune's département is the start of its code: 3 characters overseas (97x), else 2."""
    code, departement, kind = row.get("cog_code") or "", row.get("departement_code") or "", row.get("kind")
    if kind in COG_PATTERNS and not re.fullmatch(COG_PATTERNS[kind], code):
        return [Problem(file, line, "cog_code", f"code « {code} » mal formé pour un(e) {kind} ; attendu : le motif {COG_PATTERNS[kind]}")]
    if kind != "commune":
        return []
    expected = code[:3] if code.startswith("97") else code[:2]
    if departement == expected:
        return []
    return [Problem(file, line, "departement_code", f"département « {departement} » incohérent avec le code commune {code} ; attendu : {expected}")]


def _code_problems(file: str, rows: list[tuple[int, dict]]) -> list[Problem]:
    """Département, région and seat codes must name a territory of the reference geography."""
    known = {
        kind: {row["cog_code"] for _, row in rows if row["kind"] == kind}
        for kind in ("departement", "region", "commune")
    }
    checks = (("departement_code", "departement"), ("region_code", "region"), ("seat_code", "commune"))
    return [
        Problem(file, line, column, f"code « {row[column]} » inconnu ; attendu : le code d'un(e) {kind} du référentiel")
        for line, row in rows
        for column, kind in checks
        if row.get(column) and known[kind] and row[column] not in known[kind]
    ]


def _scheme_problems(data_dir: Path, by_name: dict) -> list[Problem]:
    """A distinction must belong to the scheme of its edition (no « bronze » in 2019, no « niveau_3 » in 2025)."""
    schemes = {row["id"]: row["scheme"] for _, row in _read_rows(data_dir, by_name["distinctions"])}
    editions = {row["edition"]: row["distinction_scheme"] for _, row in _read_rows(data_dir, by_name["editions"])}
    results = by_name["results"]
    problems = []
    for line, row in _read_rows(data_dir, results):
        distinction, edition = row.get("distinction") or "", row.get("edition") or ""
        expected = editions.get(edition)
        if distinction and expected and schemes.get(distinction) not in (None, expected):
            allowed = ", ".join(sorted(d for d, s in schemes.items() if s == expected))
            problems.append(Problem(results["path"], line, "distinction",
                                    f"distinction « {distinction} » hors du barème de l'édition {edition} ; attendu : {allowed}"))
    return problems
