"""Open indicators from public sources: the raw files under data/sources/indicators/ -> indicator values by SIREN.

`tnl indicateurs` (make indicators) reads the committed copies of public files (their SHA-256 checked against
provenance.json first), matches each row to `territories` by SIREN only, and writes:
- public_indicator_values.csv: values under Licence Ouverte 2.0 (ODATER 2022, code.gouv.fr);
- odater_2020_dataset_counts.csv: the data set counts of the ODATER 2020 workbook, under ODbL (its licence asks
  derived databases to stay under ODbL, so they are a resource of their own);
- sources/indicators/unmatched.csv: every source row not published, with the reason.
Nothing is matched by name. Départements and régions have no SIREN in the reference geography: their SIREN is
paired with their official code by the ODATER 2020 workbook itself (its `type`, `depcode` and `regcode` columns).
A later source is one more reader below and one more entry in SOURCES.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from stdnum.fr import siren as stdnum_siren

from tnl.pipeline.csv_writer import write_csv

SOURCES_DIR = Path("sources") / "indicators"
PUBLIC_VALUES = "public_indicator_values.csv"
ODBL_VALUES = "odater_2020_dataset_counts.csv"
UNMATCHED = SOURCES_DIR / "unmatched.csv"
VALUE_HEADER = ["territory_id", "indicator", "value", "origin", "source_url", "date", "note"]
UNMATCHED_HEADER = ["source", "row", "siren_as_published", "name_as_published", "outcome", "reason"]
ORIGIN = "recensement_public"

ODATER_2022 = "odater_2022_organisations_eclaireur_odf.csv"
ODATER_2020 = "Indicateurs_ODATER_v2_2020.xlsx"
CODEGOUV = "codegouvfr_territorial_accounts.csv"
CODEGOUV_2025 = "comptes-organismes-publics.yml"
PLATFORMS = "platform_technologies.csv"

PUBLISHES = "open_data_published_2022"
FREE_PLATFORM = "open_data_platform_free_software_2022"
DATASETS = "open_data_datasets_2020"
FORGE = "public_code_forge_account"

# ODATER 2020 types that are not collectivités: other public actors, groupings, délégataires of public services.
NOT_COLLECTIVITES = {"OACT": "autre acteur public", "AGCT": "groupement de collectivités (syndicat, agence…)",
                     "DSPT": "délégataire de service public"}
NATIONAL_PLATFORM = "DataGouv"


class SourceChanged(Exception):
    """A raw file differs from the one its provenance declares: the derivation refuses rather than guess."""


@dataclass(frozen=True)
class Value:
    territory_id: str
    indicator: str
    value: int
    source_url: str
    date: str
    note: str

    def row(self) -> list:
        return [self.territory_id, self.indicator, self.value, ORIGIN, self.source_url, self.date, self.note]


@dataclass(frozen=True)
class Unplaced:
    """A source row that is not published, and why ("non rattaché": valid SIREN, no territory; "écarté": unusable)."""
    source: str
    row: int
    siren: str
    name: str
    outcome: str
    reason: str

    def fields(self) -> list:
        return [self.source, self.row, self.siren, self.name, self.outcome, self.reason]


INVISIBLE = re.compile(r"[\s\u200b-\u200f\u2060\ufeff]")


def normalise_siren(raw) -> tuple[str | None, str]:
    """(nine digits with a valid Luhn key, or None and what is wrong). Spreadsheets store some SIRENs as
    floats (3.0696611E8) and one copy carries an invisible U+200E mark: both are read back, never guessed."""
    if raw is None or raw == "":
        return None, "SIREN absent"
    if isinstance(raw, float):
        if not raw.is_integer():
            return None, f"SIREN « {raw} » non entier"
        text = str(int(raw))
    else:
        text = str(raw)
    cleaned = INVISIBLE.sub("", text)
    if re.fullmatch(r"[0-9]+\.0", cleaned):
        cleaned = cleaned[:-2]
    if not re.fullmatch(r"[0-9]{9}", cleaned):
        return None, f"SIREN « {text[:40]} » mal formé : attendu 9 chiffres"
    if not stdnum_siren.is_valid(cleaned):
        return None, f"SIREN « {cleaned} » invalide (clé de Luhn)"
    return cleaned, ""


class Matcher:
    """SIREN -> territory id: territories' own SIRENs, plus départements and régions through the pairs the ODATER
    2020 workbook gives (SIREN with its official code). Never a name."""

    def __init__(self, territories: Iterable[dict], collectivity_codes: dict[str, str]):
        self.ids = {}
        self.by_siren = {}
        for t in territories:
            self.ids[t["id"]] = t
            if t["siren"]:
                self.by_siren[t["siren"]] = t["id"]
        for siren, territory_id in collectivity_codes.items():
            if territory_id in self.ids:
                self.by_siren.setdefault(siren, territory_id)

    def find(self, siren: str) -> str | None:
        return self.by_siren.get(siren)


def unknown_reason(siren: str, kind_as_published: str | None = None) -> str:
    """Why a valid SIREN has no territory: from the type the source gives when it gives one, else from the SIREN's
    first digits (21: commune, 22: département, 23: région, 24: intercommunalité; 20: created since 2000)."""
    if kind_as_published in NOT_COLLECTIVITES:
        return f"pas une collectivité : {NOT_COLLECTIVITES[kind_as_published]} (type ODATER « {kind_as_published} »)"
    if kind_as_published in ("DEP", "REG") or siren[:2] in ("22", "23"):
        return ("département ou région sans code officiel connu : le référentiel ne donne pas de SIREN aux "
                "départements et régions, et le classeur ODATER 2020 ne cite pas celui-ci avec son code")
    former = ("aucune source ne donne son ancien code officiel, qui permettrait de la rattacher par les anciens codes "
              "du référentiel")
    if kind_as_published == "COM" or siren[:2] == "21":
        return f"commune absente du référentiel 2026 : fusionnée dans une commune nouvelle ou disparue depuis ({former})"
    if kind_as_published in ("CC", "CA", "CU", "MET", "EPT") or siren[:2] == "24":
        return (f"intercommunalité ou syndicat absent du référentiel 2026 : intercommunalité fusionnée ou dissoute "
                f"depuis ({former}), établissement public territorial du Grand Paris, ou syndicat (hors référentiel)")
    if siren[:2] == "20":
        return ("SIREN absent du référentiel 2026 : syndicat ou autre établissement créé depuis 2000 (hors référentiel), "
                f"ou intercommunalité fusionnée depuis ({former})")
    return "SIREN absent du référentiel des territoires : organisme qui n'est pas une collectivité territoriale"


def check_provenance(sources: Path) -> dict:
    """Every raw file named in provenance.json, with the SHA-256 it declares; raise SourceChanged otherwise."""
    provenance = json.loads((sources / "provenance.json").read_text(encoding="utf-8"))
    for entry in provenance["files"]:
        path = sources / entry["file"]
        if not path.is_file():
            raise SourceChanged(f"{path} : fichier absent ; attendu : la copie déclarée dans provenance.json")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != entry["sha256"]:
            raise SourceChanged(f"{path} : SHA-256 {digest} ; attendu : {entry['sha256']} (provenance.json). "
                                "Une nouvelle version d'une source se déclare dans provenance.json avant d'être dérivée.")
    return {entry["file"]: entry for entry in provenance["files"]}


def read_platforms(path: Path) -> dict[str, dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return {row["technology"]: row for row in csv.DictReader(f)}


def odater_2020_rows(path: Path) -> Iterator[tuple[int, dict]]:
    """The « Copie Organisations » sheet of the 2020 workbook: (row number in the sheet, row by column name)."""
    import openpyxl  # only the derivation reads spreadsheets

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = workbook["Copie Organisations"].iter_rows(values_only=True)
        header = [h for h in next(rows) if h]
        for number, cells in enumerate(rows, start=2):
            if any(c not in (None, "") for c in cells[:len(header)]):
                yield number, dict(zip(header, cells))
    finally:
        workbook.close()


def _code(value) -> str:
    """A département code as the workbook stores it (9.0, "09", "2A", 974.0) -> "09", "2A", "974"."""
    text = str(int(value)) if isinstance(value, float) else str(value or "").strip()
    return text.zfill(2) if text.isdigit() else text.upper()


def collectivity_codes(rows: list[tuple[int, dict]]) -> dict[str, str]:
    """SIREN -> territory id for the départements and régions of the 2020 workbook (type DEP: depcode; REG: the
    number after the dash of regcode, « BRE-53 »). Overseas provinces (« NC ») have no territory and stay out."""
    codes = {}
    for _, row in rows:
        siren, _ = normalise_siren(row.get("siren"))
        if siren is None:
            continue
        if row.get("type") == "DEP":
            codes[siren] = f"departement-{_code(row.get('depcode'))}"
        elif row.get("type") == "REG" and "-" in str(row.get("regcode") or ""):
            codes[siren] = f"region-{str(row['regcode']).rsplit('-', 1)[1]}"
    return codes


def _count(value) -> int | None:
    return None if value in (None, "") else int(float(value))


def _place(source: str, number: int, raw_siren, name: str, matcher: Matcher, seen: dict, unplaced: list,
           kind_as_published: str | None = None) -> str | None:
    """The territory id of a source row, or None with the row reported in `unplaced`."""
    siren, problem = normalise_siren(raw_siren)
    shown = INVISIBLE.sub("", str(raw_siren if raw_siren is not None else ""))[:40]
    if siren is None:
        unplaced.append(Unplaced(source, number, shown, name, "écarté", problem))
        return None
    territory_id = matcher.find(siren)
    if territory_id is None:
        unplaced.append(Unplaced(source, number, siren, name, "non rattaché", unknown_reason(siren, kind_as_published)))
        return None
    if territory_id in seen:
        unplaced.append(Unplaced(source, number, siren, name, "écarté",
                                 f"doublon : le territoire {territory_id} a déjà une valeur (ligne {seen[territory_id]})"))
        return None
    seen[territory_id] = number
    return territory_id


def _technologies(cell: str) -> list[str]:
    return sorted({t.strip() for t in re.split(r"[,\n]", cell or "") if t.strip()})


def free_platform(technologies: list[str], platforms: dict[str, dict]) -> tuple[int | None, str]:
    """1 if a local platform is free software, 0 if every local platform is proprietary, None if unknown or if the
    organisation only publishes on data.gouv.fr (the national platform is not its own, whatever its licence)."""
    local = [t for t in technologies if t != NATIONAL_PLATFORM]
    verdicts = {t: platforms.get(t, {}).get("free_software", "inconnu") for t in local}
    described = " ; ".join(f"{t} ({'logiciel libre' if v == 'oui' else 'propriétaire' if v == 'non' else 'licence non établie'})"
                           for t, v in verdicts.items())
    if any(v == "oui" for v in verdicts.values()):
        return 1, described
    if verdicts and all(v == "non" for v in verdicts.values()):
        return 0, described
    return None, described


def odater_2022(path: Path, url: str, matcher: Matcher, platforms: dict, unplaced: list) -> list[Value]:
    values, seen = [], {}
    with open(path, encoding="utf-8", newline="") as f:
        for number, row in enumerate(csv.DictReader(f), start=2):
            territory_id = _place(ODATER_2022, number, row["siren"], row["nom"], matcher, seen, unplaced)
            if territory_id is None:
                continue
            technologies = _technologies(row["techno_platform"])
            where = row["url_platform"].strip() or ("data.gouv.fr" if row["id_datagouv"].strip() else "non indiquée")
            values.append(Value(territory_id, PUBLISHES, 1, url, "2022-12-31",
                                f"Recensé par l'observatoire open data des territoires (OpenDataFrance), édition 2022. "
                                f"Plateforme : {where}."))
            verdict, described = free_platform(technologies, platforms)
            if verdict is not None:
                values.append(Value(territory_id, FREE_PLATFORM, verdict, url, "2022-12-31",
                                    f"Technologie recensée : {described}. Classement : sources/indicators/{PLATFORMS}."))
    return values


def odater_2020(rows: list[tuple[int, dict]], url: str, matcher: Matcher, unplaced: list) -> list[Value]:
    values, seen = [], {}
    for number, row in rows:
        territory_id = _place(ODATER_2020, number, row.get("siren"), str(row.get("nom") or ""), matcher, seen, unplaced,
                              kind_as_published=row.get("type"))
        if territory_id is None:
            continue
        local, national = _count(row.get("nb-ptf")), _count(row.get("nb-datagouv"))
        if local is None and national is None:
            del seen[territory_id]
            unplaced.append(Unplaced(ODATER_2020, number, str(row.get("siren")), str(row.get("nom") or ""), "écarté",
                                     "aucun nombre de jeux de données (nb-ptf et nb-datagouv vides)"))
            continue
        parts = [f"plateforme locale : {local}" if local is not None else "plateforme locale : non renseigné",
                 f"data.gouv.fr : {national}" if national is not None else "data.gouv.fr : non renseigné"]
        values.append(Value(territory_id, DATASETS, (local or 0) + (national or 0), url, "2020-10-21",
                            f"Jeux de données publiés selon l'observatoire open data des territoires (OpenDataFrance), "
                            f"classeur de 2020 : {' ; '.join(parts)}. Les mêmes jeux peuvent figurer sur les deux."))
    return values


def codegouv(path: Path, listed_2025: str, matcher: Matcher, unplaced: list) -> list[Value]:
    """One value per territory, every account of the territory in its note; accounts without SIREN reported."""
    accounts: dict[str, list[tuple[int, dict]]] = {}
    with open(path, encoding="utf-8", newline="") as f:
        for number, row in enumerate(csv.DictReader(f), start=2):
            if not row["siren_manual_match"].strip():
                unplaced.append(Unplaced(CODEGOUV, number, "", row["url"], "non rattaché",
                                         "compte sans SIREN de collectivité rattaché à la main (voir sa colonne match_note)"))
                continue
            territory_id = _place(CODEGOUV, number, row["siren_manual_match"], row["url"], matcher, {}, unplaced)
            if territory_id is not None:
                accounts.setdefault(territory_id, []).append((number, row))
    values = []
    for territory_id, rows in accounts.items():
        urls = sorted(row["url"] for _, row in rows)
        still = [u for u in urls if u.rstrip("/").split("//", 1)[1] in listed_2025]
        note = (f"Compte{'s' if len(urls) > 1 else ''} public{'s' if len(urls) > 1 else ''} sur une forge de code "
                f"recensé{'s' if len(urls) > 1 else ''} par code.gouv.fr (août 2024) : {' ; '.join(urls)}."
                + (f" Toujours listé{'s' if len(still) > 1 else ''} en septembre 2025 : {len(still)} sur {len(urls)}." if urls else ""))
        values.append(Value(territory_id, FORGE, 1, urls[0], "2024-08-22", note))
    return values


@dataclass
class Derivation:
    public: list[Value]
    odbl: list[Value]
    unplaced: list[Unplaced]
    rows_read: dict[str, int]


def derive(data_dir: Path) -> Derivation:
    """Everything from the raw files, in memory: deterministic (sorted), nothing written."""
    sources = data_dir / SOURCES_DIR
    provenance = check_provenance(sources)
    with open(data_dir / "territories.csv", encoding="utf-8", newline="") as f:
        territories = list(csv.DictReader(f))
    rows_2020 = list(odater_2020_rows(sources / ODATER_2020))
    matcher = Matcher(territories, collectivity_codes(rows_2020))
    platforms = read_platforms(sources / PLATFORMS)
    unplaced: list[Unplaced] = []
    public = odater_2022(sources / ODATER_2022, provenance[ODATER_2022]["origin"], matcher, platforms, unplaced)
    odbl = odater_2020(rows_2020, provenance[ODATER_2020]["origin"], matcher, unplaced)
    public += codegouv(sources / CODEGOUV, (sources / CODEGOUV_2025).read_text(encoding="utf-8"), matcher, unplaced)
    with open(sources / ODATER_2022, encoding="utf-8", newline="") as f:
        read_2022 = sum(1 for _ in csv.DictReader(f))
    with open(sources / CODEGOUV, encoding="utf-8", newline="") as f:
        read_codegouv = sum(1 for _ in csv.DictReader(f))
    key = lambda v: (v.territory_id, v.indicator)  # noqa: E731
    return Derivation(sorted(public, key=key), sorted(odbl, key=key),
                      sorted(unplaced, key=lambda u: (u.source, u.row)),
                      {ODATER_2022: read_2022, ODATER_2020: len(rows_2020), CODEGOUV: read_codegouv})


def _replace(path: Path, header: list[str], rows: list[list]) -> None:
    staging = path.with_name(path.name + ".tmp")
    write_csv(staging, header, rows)
    os.replace(staging, path)


def write(data_dir: Path, derivation: Derivation) -> None:
    """The three files, each replaced whole by a rename: a failed run leaves the previous ones."""
    _replace(data_dir / PUBLIC_VALUES, VALUE_HEADER, [v.row() for v in derivation.public])
    _replace(data_dir / ODBL_VALUES, VALUE_HEADER, [v.row() for v in derivation.odbl])
    _replace(data_dir / UNMATCHED, UNMATCHED_HEADER, [u.fields() for u in derivation.unplaced])


def summary(derivation: Derivation) -> list[str]:
    """Per source: rows read, values written, rows not rattachées and rows écartées (French, for the command)."""
    lines = []
    for source, read in derivation.rows_read.items():
        unplaced = [u for u in derivation.unplaced if u.source == source]
        lines.append(f"{source} : {read} lignes lues, {sum(u.outcome == 'non rattaché' for u in unplaced)} non rattachées, "
                     f"{sum(u.outcome == 'écarté' for u in unplaced)} écartées")
    counts: dict[str, int] = {}
    for value in derivation.public + derivation.odbl:
        counts[value.indicator] = counts.get(value.indicator, 0) + 1
    lines += [f"{indicator} : {count} valeurs" for indicator, count in sorted(counts.items())]
    return lines

