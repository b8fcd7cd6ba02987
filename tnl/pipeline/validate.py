"""Validate the Data Package: frictionless for types, constraints and keys, plus the label's own rules.

Every problem names its file, row and field and says what was expected, in French, because the
people who fix the CSV files read them.
"""
from __future__ import annotations

import codecs
import csv
import functools
import math
import re
from pathlib import Path
from typing import Iterable, Iterator

import yaml
from frictionless import FrictionlessException, Package
from stdnum.fr import siren

from tnl.pipeline import confinement, datapackage, foreign_keys
from tnl.pipeline.metadata_once import work_metadata_out_once
from tnl.pipeline.datapackage import DESCRIPTOR_NAME, DataPackage, DescriptorRefused
from tnl.problems import Problem, Rejected

TYPE_NAMES = {
    "integer": "un nombre entier",
    "number": "un nombre (point décimal)",
    "date": "une date AAAA-MM-JJ",
    "string": "du texte",
    "boolean": "true ou false",
}
SIREN_COLUMNS = ("siren", "epci_siren")

work_metadata_out_once()


def validate(data_dir: Path) -> list[Problem]:
    """All problems of the package in data_dir; an empty list means it may be built and published."""
    try:
        read_valid(data_dir)
    except Rejected as rejected:
        return rejected.problems
    return []


def read_valid(data_dir: Path) -> DataPackage:
    """The package of data_dir, read once and checked whole; raises Rejected with every problem found."""
    try:
        package = datapackage.read(data_dir)
    except DescriptorRefused as error:
        raise Rejected([Problem(DESCRIPTOR_NAME, 0, "", f"descripteur refusé : {error} ; attendu : un descripteur simple, sans alias démultipliés")])
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise Rejected([_unreadable_descriptor(error)])
    descriptor, data_dir = package.descriptor, package.data_dir
    problems = _descriptor_shape_problems(descriptor)
    if problems:
        raise Rejected(problems)
    problems = [Problem(DESCRIPTOR_NAME, 0, field, message) for field, message in confinement.reach_problems(descriptor, data_dir)]
    if problems:
        raise Rejected(problems)
    problems = [p for r in descriptor["resources"] for p in check_file_structure(data_dir, r)]
    if problems:
        raise Rejected(sorted(problems))  # frictionless would only repeat these, less clearly
    problems += _frictionless_problems(descriptor, data_dir)
    problems += _label_rules(descriptor, data_dir)
    if problems:
        raise Rejected(sorted(set(problems)))
    return package


REQUIRED_RESOURCES = ("editions", "distinctions", "territories", "results", "mentions", "indicators", "indicator_values")


def _unreadable_descriptor(error: Exception) -> Problem:
    """Where the YAML breaks (line and column), or which byte is not UTF-8, rather than a traceback."""
    mark = getattr(error, "problem_mark", None)
    if mark is not None:
        detail = getattr(error, "problem", None) or error
        return Problem(DESCRIPTOR_NAME, mark.line + 1, "",
                       f"descripteur illisible : YAML invalide, colonne {mark.column + 1} ({detail}) ; attendu : un document YAML valide")
    if isinstance(error, UnicodeDecodeError):
        line = error.object[: error.start].count(b"\n") + 1
        return Problem(DESCRIPTOR_NAME, line, "",
                       f"descripteur illisible : encodage invalide, octet 0x{error.object[error.start]:02x} ; attendu : UTF-8")
    return Problem(DESCRIPTOR_NAME, 0, "", f"descripteur illisible ({error})")


def _descriptor_shape_problems(descriptor) -> list[Problem]:
    """A descriptor that YAML reads but that does not describe the package's tables: named, not a KeyError."""
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list):
        return [Problem(DESCRIPTOR_NAME, 0, "resources",
                        "liste des ressources absente ; attendu : « resources », la liste des tables (name, path, schema)")]
    problems = []
    for index, resource in enumerate(resources):
        schema = resource.get("schema") if isinstance(resource, dict) else None
        fields = schema.get("fields") if isinstance(schema, dict) else None
        if not (isinstance(resource.get("name") if schema else None, str) and isinstance(resource.get("path"), str)
                and isinstance(fields, list) and all(isinstance(f, dict) and isinstance(f.get("name"), str) for f in fields)
                and isinstance(schema.get("primaryKey"), list)):
            problems.append(Problem(DESCRIPTOR_NAME, 0, f"resources[{index}]",
                                    "ressource incomplète ; attendu : name, path, schema.fields (chacun avec son name) et schema.primaryKey"))
    names = {r.get("name") for r in resources if isinstance(r, dict)}
    problems += [Problem(DESCRIPTOR_NAME, 0, "resources", f"ressource « {name} » absente ; attendu : les tables {', '.join(REQUIRED_RESOURCES)}")
                 for name in REQUIRED_RESOURCES if name not in names]
    return problems


def check_file_structure(data_dir: Path, resource: dict) -> list[Problem]:
    """A file that is missing, empty or not UTF-8 gets one clear problem before anything else reads it."""
    path = data_dir / resource["path"]
    name = resource["path"]
    if not path.is_file():
        return [Problem(name, 0, "", "fichier absent")]
    if path.stat().st_size > MAX_FILE_BYTES:
        return [Problem(name, 0, "", f"fichier de {path.stat().st_size / 1e6:.0f} Mo ; attendu : au plus {MAX_FILE_BYTES // 1_000_000} Mo")]
    encoding_problem, blank = _encoding_problem(name, path)
    if encoding_problem:
        return [encoding_problem]
    if blank:
        return [Problem(name, 0, "", "fichier vide ; attendu : une ligne d'en-tête puis des lignes de données")]
    expected = [f["name"] for f in resource["schema"]["fields"]]
    try:
        problems = _record_problems(name, path, expected)
    except LineTooLong as error:
        return [Problem(name, error.line, "", f"ligne de plus de {MAX_LINE_CHARACTERS} caractères ; attendu : une ligne par enregistrement, "
                                              f"des cellules d'au plus {MAX_CELL_LENGTH} caractères")]
    if resource.get("x-may-be-empty"):  # a table filled by a command (e.g. tnl import-questionnaire), empty until its first run
        problems = [p for p in problems if not p.message.startswith("aucune ligne de données")]
    return problems or _header_problems(name, path, expected)


READ_SIZE = 1 << 20  # files are read in pieces of this many bytes: memory does not grow with the file
MAX_FILE_BYTES = 1_000_000_000  # the real data: 4 MB; the growth benchmark's largest resource, about 150 MB
MAX_LINE_CHARACTERS = 4_000_000  # far above a valid row (cells of at most 10,000): oversized cells are still named


class LineTooLong(Exception):
    def __init__(self, line: int):
        super().__init__(line)
        self.line = line


def _encoding_problem(name: str, path: Path) -> tuple[Problem | None, bool]:
    """The first byte that is not UTF-8, with its line; and whether the file holds nothing but blanks."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line, blank = 1, True
    try:
        with open(path, "rb") as f:
            for piece in iter(lambda: f.read(READ_SIZE), b""):
                text = decoder.decode(piece)
                blank = blank and not text.strip("\ufeff \r\n\t")
                line += piece.count(b"\n")
        decoder.decode(b"", final=True)  # a sequence cut short by the end of the file
    except UnicodeDecodeError as error:  # error.object: the bytes the decoder kept from the previous piece, then this one
        line += error.object[: error.start].count(b"\n")
        return Problem(name, line, "", f"encodage invalide : octet 0x{error.object[error.start]:02x} ; attendu : UTF-8"), False
    return None, blank


def _lines(path: Path) -> Iterator[str]:
    """The file's lines as the csv module reads them (line endings kept), without byte order marks at its start."""
    with open(path, encoding="utf-8", newline="") as f:
        number = 1
        for line in iter(lambda: f.readline(MAX_LINE_CHARACTERS + 1), ""):
            if len(line) > MAX_LINE_CHARACTERS:  # never a whole 1 GB line in memory, nor echoed in an error
                raise LineTooLong(number)
            yield line.lstrip("\ufeff") if number == 1 else line
            number += 1


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # C0 and C1 controls; tab, LF and CR are CSV's own
MAX_CELL_LENGTH = 10_000  # the longest cell of the real data is about 500 characters
csv.field_size_limit(2**31 - 2)  # as frictionless does: an oversized cell is named below, not a csv.Error


def _record_problems(name: str, path: Path, expected: list[str]) -> list[Problem]:
    """Quoting, blank lines, oversized cells, control characters and a file without data, each with its line and column."""
    reader = csv.reader(_lines(path), strict=True)
    header, problems, data_rows, start = None, [], 0, 1
    try:
        for record in reader:
            header = record if header is None else header
            if not any(cell.strip() for cell in record):
                expected_line = "la ligne d'en-tête (noms des colonnes)" if record is header else "une ligne de données (supprimez la ligne)"
                problems.append(Problem(name, start, "", f"ligne vide ; attendu : {expected_line}"))
            elif record is not header:
                data_rows += 1
            for index, cell in enumerate(record):
                column = header[index] if index < len(header) else f"colonne {index + 1}"
                control = CONTROL.search(cell)
                if control:
                    problems.append(Problem(name, start, column,
                                            f"caractère de contrôle U+{ord(control.group()):04X} interdit ; attendu : du texte sans caractère invisible"))
                if len(cell) > MAX_CELL_LENGTH:
                    problems.append(Problem(name, start, column, f"cellule de {len(cell)} caractères ; attendu : au plus {MAX_CELL_LENGTH}"))
            start = reader.line_num + 1
    except csv.Error as error:
        unclosed = "end of data" in str(error)
        index = _quote_column(_characters_from(path, start), unclosed)
        column = header[index] if header and index < len(header) else f"colonne {index + 1}"
        if unclosed:
            message = "guillemet ouvrant jamais fermé : la cellule court jusqu'à la fin du fichier ; attendu : un guillemet fermant"
        else:
            message = 'guillemets mal placés ; attendu : toute la cellule entre guillemets, les guillemets intérieurs doublés ("")'
        return problems + [Problem(name, start, column, message)]
    if not problems and header and data_rows == 0:
        problems.append(Problem(name, 0, "", "aucune ligne de données ; attendu : au moins une ligne après l'en-tête"))
    return problems


def _characters_from(path: Path, line: int) -> Iterator[str]:
    """The file's characters from that line on (lines as the csv module counts them), one at a time."""
    for number, text in enumerate(_lines(path), 1):
        if number >= line:
            yield from text


def _quote_column(record: Iterable[str], unclosed: bool) -> int:
    """Index of the cell whose quoting breaks: the one left open at the end, or text after a closing quote."""
    column, quoted, at_start, opened = 0, False, True, 0
    characters = iter(record)
    c = next(characters, "")
    while c:
        following = next(characters, "")
        if quoted and c == '"' and following == '"':
            following = next(characters, "")
        elif quoted and c == '"':
            quoted = False
            if not unclosed and following not in (",", "\r", "\n", ""):
                return column
        elif not quoted and c == '"' and at_start:
            quoted, opened = True, column
        elif not quoted and c == ",":
            column += 1
        elif not quoted and c in "\r\n":
            break
        at_start = not quoted and c == ","
        c = following
    return opened if unclosed and quoted else column


def _header_problems(name: str, path: Path, expected: list[str]) -> list[Problem]:
    """Name the missing and unexpected columns, rather than every column shifted after them."""
    header = next(csv.reader([next(_lines(path)).splitlines()[0]]))
    if header == expected:
        return []
    separator = next((s for s in (";", "\t", "|") if len(header) == 1 and header[0].count(s) >= max(1, len(expected) // 2)), None)
    if separator:  # a spreadsheet's export in another locale: say so once, not once per column
        shown = "tabulation" if separator == "\t" else separator
        return [Problem(name, 1, "", f"séparateur « {shown} » entre les colonnes ; attendu : la virgule (CSV « , »)")]
    problems = [Problem(name, 1, c, "colonne en double ; attendu : chaque colonne une seule fois") for c in expected if header.count(c) > 1]
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    problems += [Problem(name, 1, c, "colonne manquante ; attendu : les colonnes du schéma") for c in missing]
    problems += [Problem(name, 1, c, "colonne inattendue ; attendu : " + ", ".join(expected)) for c in extra]
    if not problems:
        problems = [Problem(name, 1, "", "colonnes dans le désordre ; attendu : " + ", ".join(expected))]
    return problems


def _frictionless_problems(descriptor: dict, data_dir: Path) -> list[Problem]:
    try:
        report = foreign_keys.validate(Package(descriptor, basepath=str(data_dir)))
    except FrictionlessException as error:
        return [Problem(DESCRIPTOR_NAME, 0, "", f"descripteur invalide ({error.error.message})")]
    return report_problems(descriptor, report)


def report_problems(descriptor: dict, report) -> list[Problem]:
    """A frictionless validation report as problems, each task's errors named by the resource's file."""
    paths = {r["name"]: r["path"] for r in descriptor["resources"]}
    problems = [Problem(DESCRIPTOR_NAME, 0, "", error.message) for error in report.errors]
    for task in report.tasks:
        file = paths.get(task.name, task.name)
        resource = next((r for r in descriptor["resources"] if r["name"] == task.name), {})
        problems += [frictionless_problem(file, error, resource) for error in task.errors]
    return problems


def frictionless_problem(file: str, error, resource: dict | None = None) -> Problem:
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
        key, values = _key_cells(resource or {}, error.cells)
        first = re.search(r"position (\d+)", error.note or "")
        where = f" ; déjà en ligne {first.group(1)}" if first else ""
        key = f" ({key})" if key else ""
        message = f"clé primaire en double ({', '.join(map(str, values))}){where} ; attendu : une seule ligne par clé{key}"
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


def _key_cells(resource: dict, cells: list) -> tuple[str, list]:
    """The primary key's columns and values in a duplicated row (all its cells if the key is unknown)."""
    names = [f.get("name") for f in resource.get("schema", {}).get("fields", [])]
    key = resource.get("schema", {}).get("primaryKey", [])
    if not key or len(names) != len(cells) or not set(key) <= set(names):
        return "", cells
    return ", ".join(key), [cells[names.index(k)] for k in key]


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


def _read_rows(data_dir: Path, resource: dict) -> Iterator[tuple[int, dict]]:
    """(line number, row) pairs as text, one at a time, for the rules frictionless does not know."""
    with open(data_dir / resource["path"], encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        for row in reader:
            yield reader.line_num, row


def _label_rules(descriptor: dict, data_dir: Path) -> list[Problem]:
    by_name = {r["name"]: r for r in descriptor["resources"]}
    problems: list[Problem] = []
    territories = by_name["territories"]
    territory_rows = list(_read_rows(data_dir, territories))  # the reference geography: small, read once
    for line, row in territory_rows:
        problems += _siren_problems(territories["path"], line, row)
        problems += _departement_problems(territories["path"], line, row)
    problems += _code_problems(territories["path"], territory_rows)
    problems += _scheme_problems(data_dir, by_name)
    for resource in descriptor["resources"]:
        problems += _number_problems(resource, _read_rows(data_dir, resource))
        problems += _pattern_problems(resource, _read_rows(data_dir, resource))
    return problems


def _pattern_problems(resource: dict, rows: Iterable[tuple[int, dict]]) -> list[Problem]:
    """Whole-value patterns: frictionless anchors `^a|b$`, so « 977 » passed `[0-9]{2}|2[AB]|97[1-6]` by its first two digits."""
    patterns = {f["name"]: f["constraints"]["pattern"] for f in resource["schema"]["fields"]
                if isinstance(f.get("constraints"), dict) and isinstance(f["constraints"].get("pattern"), str)}
    if not patterns:
        return []  # without reading the file
    return [
        Problem(resource["path"], line, column, f"valeur « {row[column]} » mal formée ; attendu : le motif {pattern}")
        for line, row in rows
        for column, pattern in patterns.items()
        if row.get(column) and not re.fullmatch(pattern, row[column]) and re.match(f"^{pattern}$", row[column])
    ]


SQLITE_INTEGERS = (-(2**63), 2**63 - 1)


def _number_problems(resource: dict, rows: Iterable[tuple[int, dict]]) -> list[Problem]:
    """NaN, infinities and integers beyond 64 bits pass frictionless, but no database column (nor JSON) can hold them."""
    kinds = {f["name"]: f.get("type") for f in resource["schema"]["fields"] if f.get("type") in ("number", "integer")}
    if not kinds:
        return []  # without reading the file
    problems = []
    for line, row in rows:
        for column, kind in kinds.items():
            value = (row.get(column) or "").strip()
            try:
                number = float(value) if kind == "number" else int(value)
            except ValueError:
                continue  # empty, or not a number at all: frictionless names it
            if kind == "number" and not math.isfinite(number):
                problems.append(Problem(resource["path"], line, column, f"valeur « {value} » invalide ; attendu : un nombre fini (point décimal)"))
            elif kind == "integer" and not SQLITE_INTEGERS[0] <= number <= SQLITE_INTEGERS[1]:
                problems.append(Problem(resource["path"], line, column,
                                        f"valeur « {value} » hors limites ; attendu : un entier entre {SQLITE_INTEGERS[0]} et {SQLITE_INTEGERS[1]}"))
    return problems


def _siren_problems(file: str, line: int, row: dict) -> list[Problem]:
    values = [(column, row.get(column) or "") for column in SIREN_COLUMNS]
    if re.fullmatch(r"[0-9]{9}", row.get("id") or ""):
        values.append(("id", row["id"]))
    return [
        Problem(file, line, column, f"SIREN « {value} » invalide (clé de Luhn) ; attendu : un SIREN existant")
        for column, value in values
        if re.fullmatch(r"[0-9]{9}", value) and not _valid_siren(value)
    ]


@functools.lru_cache(maxsize=1 << 17)
def _valid_siren(value: str) -> bool:
    """A commune's id is its SIREN, an EPCI's SIREN comes back on each of its communes: each value is checked once."""
    return siren.is_valid(value)


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
    return [
        problem
        for name in ("results", "announced_counts") if name in by_name
        for line, row in _read_rows(data_dir, by_name[name])
        for problem in scheme_problems(by_name[name]["path"], line, row, editions, schemes)
    ]


def scheme_problems(file: str, line: int, row: dict, editions: dict, schemes: dict) -> list[Problem]:
    """The row's distinction outside its edition's scheme; editions: {edition: scheme}, schemes: {distinction: scheme}."""
    distinction, edition = row.get("distinction") or "", str(row.get("edition") or "")
    expected = editions.get(edition)
    if distinction and expected and schemes.get(distinction) not in (None, expected):
        allowed = ", ".join(sorted(d for d, s in schemes.items() if s == expected))
        return [Problem(file, line, "distinction",
                        f"distinction « {distinction} » hors du barème de l'édition {edition} ; attendu : {allowed}")]
    return []
