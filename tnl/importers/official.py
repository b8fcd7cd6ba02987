"""Import the organiser's official list of an edition into data/results.csv and data/mentions.csv.

The list is validated against schemas/official_list.schema.yaml, every row is matched to one territory,
and the difference with data/ is described; nothing is written while any row is invalid, unmatched or
ambiguous. Applying writes both files only once the whole package, with them, passes `tnl validate`.
"""
from __future__ import annotations

import csv
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from frictionless import FrictionlessException, Resource, Schema

from tnl import PROJECT_ROOT
from tnl.importers.territory_match import TerritoryMatcher
from tnl.pipeline import datapackage
from tnl.pipeline.csv_writer import write_csv
from tnl.pipeline.validate import (
    Problem,
    Rejected,
    check_file_structure,
    frictionless_problem,
    scheme_problems,
    validate,
)
from tnl.site.search_index import normalise

SCHEMA_PATH = PROJECT_ROOT / "schemas" / "official_list.schema.yaml"
METHODS = {"siren": "SIREN", "cog_code": "code officiel", "nom et département": "nom et département"}


@dataclass
class Entry:
    """One laureate of the official list, matched to its territory."""
    line: int
    territory_id: str
    name: str
    departement: str
    distinction: str
    mentions: list[str]
    method: str


@dataclass
class Plan:
    edition: int
    file: str
    problems: list[Problem] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    added: list[tuple] = field(default_factory=list)      # (entry, territory name)
    changed: list[tuple] = field(default_factory=list)    # (entry, territory name, distinction before)
    confirmed: list[tuple] = field(default_factory=list)  # (entry, territory name)
    absent: list[dict] = field(default_factory=list)      # rows of results.csv
    mentions_added: list[tuple] = field(default_factory=list)   # (territory id, mention)
    mentions_absent: list[dict] = field(default_factory=list)   # rows of mentions.csv
    remove_absent: bool = False
    results: list[dict] = field(default_factory=list)
    mentions: list[dict] = field(default_factory=list)
    unchanged: bool = True


def read_schema(path: Path = SCHEMA_PATH) -> dict:
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def list_problems(file: Path, schema: dict) -> list[Problem]:
    """The same checks and messages as `tnl validate`: file, encoding, header, then frictionless."""
    problems = check_file_structure(file.parent, {"path": file.name, "schema": schema})
    if problems:
        return sorted(problems)
    try:
        report = Resource(path=file.name, basepath=str(file.parent), schema=Schema.from_descriptor(schema),
                          format="csv", encoding="utf-8").validate()
    except FrictionlessException as error:
        return [Problem(file.name, 0, "", f"fichier illisible ({error.error.message})")]
    return sorted({frictionless_problem(file.name, error) for task in report.tasks for error in task.errors})


def plan_import(data_dir: Path, edition: int, file: Path, source_url: str = "", remove_absent: bool = False) -> Plan:
    """What importing file would change in data_dir; plan.problems lists why it cannot be imported."""
    data_dir, file = Path(data_dir), Path(file)
    plan = Plan(edition, file.name, remove_absent=remove_absent)
    plan.problems = list_problems(file, read_schema())
    if plan.problems:
        return plan
    data = _read_package(data_dir)
    editions = {row["edition"]: row["distinction_scheme"] for row in data["editions"]}
    if str(edition) not in editions:
        plan.problems = [Problem(file.name, 0, "", f"édition {edition} inconnue ; attendu : une des éditions "
                                                    f"de editions.csv ({', '.join(sorted(editions))})")]
        return plan
    schemes = {row["id"]: row["scheme"] for row in data["distinctions"]}
    rows = _read_list(file)
    for line, row in rows:
        plan.problems += scheme_problems(file.name, line, {"edition": edition, "distinction": row["distinction"]},
                                         editions, schemes)
    plan.entries, match_problems = _match(file.name, rows, data)
    plan.problems += match_problems
    if plan.problems:
        plan.problems.sort()
        return plan
    _diff(plan, data, source_url)
    return plan


def _read_package(data_dir: Path) -> dict[str, list[dict]]:
    package = datapackage.read(data_dir)
    names = ("editions", "distinctions", "territories", "results", "mentions")
    return {name: _read_csv(package.path(name))[1] for name in names}


def _read_csv(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def _read_list(file: Path) -> list[tuple[int, dict]]:
    with open(file, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        return [(reader.line_num, {k: (v or "").strip() for k, v in row.items()}) for row in reader]


def _match(file: str, rows: list[tuple[int, dict]], data: dict) -> tuple[list[Entry], list[Problem]]:
    published: dict[str, set[str]] = {}
    for result in data["results"]:
        published.setdefault(result["territory_id"], set()).add(result["name_as_published"])
    matcher = TerritoryMatcher(data["territories"], published)
    entries, problems, seen = [], [], {}
    for line, row in rows:
        match = matcher.match(row["name"], row["departement"], row["siren"], row["cog_code"])
        territory = matcher.by_id.get(match.territory_id or "")
        if territory is None:
            problems.append(_unmatched(file, line, row, match, matcher))
            continue
        if row["departement"] and match.method != "nom et département" and territory.get("departement_code") not in ("", row["departement"]):
            problems.append(Problem(file, line, "departement",
                                    f"« {row['name']} » : le {METHODS[match.method]} désigne {territory['name']} "
                                    f"(département {territory['departement_code']}), pas le département {row['departement']} ; "
                                    "attendu : un identifiant et un département cohérents"))
            continue
        if match.territory_id in seen:
            problems.append(Problem(file, line, "name", f"« {row['name']} » désigne le même territoire que la ligne "
                                                        f"{seen[match.territory_id]} ({territory['name']}) ; attendu : une ligne par lauréat"))
            continue
        seen[match.territory_id] = line
        mentions = [m.strip() for m in row["mentions"].split(";") if m.strip()]
        entries.append(Entry(line, match.territory_id, row["name"], row["departement"], row["distinction"], mentions, match.method))
    return entries, problems


def _unmatched(file: str, line: int, row: dict, match, matcher: TerritoryMatcher) -> Problem:
    name = row["name"]
    if match.ambiguous:
        names = ", ".join(f"{i} {matcher.by_id[i]['name']} ({matcher.by_id[i]['kind']})" for i in match.candidates)
        column = {"siren": "siren", "cog_code": "cog_code"}.get(match.method, "name")
        return Problem(file, line, column, f"« {name} » ambigu : {len(match.candidates)} territoires possibles ({names}) ; "
                                           "attendu : le SIREN ou le code officiel pour les départager")
    if match.method == "siren":
        return Problem(file, line, "siren", f"SIREN « {row['siren']} » absent du référentiel des territoires ; "
                                            "attendu : le SIREN d'un territoire de territories.csv")
    if match.method == "cog_code":
        return Problem(file, line, "cog_code", f"code officiel « {row['cog_code']} » absent du référentiel ; "
                                               "attendu : le code d'une commune, d'un département ou d'une région")
    if not match.method:
        return Problem(file, line, "departement", f"« {name} » non rattaché : ni SIREN, ni code officiel, ni département ; "
                                                  "attendu : au moins le département (jamais le nom seul)")
    return Problem(file, line, "name", f"« {name} » introuvable dans le département {row['departement']} ; "
                                       "attendu : le nom officiel du territoire, ou son SIREN ou son code officiel")


def _diff(plan: Plan, data: dict, source_url: str) -> None:
    edition = str(plan.edition)
    names = {t["id"]: t["name"] for t in data["territories"]}
    before = {r["territory_id"]: r for r in data["results"] if r["edition"] == edition}
    official = {e.territory_id: e for e in plan.entries}
    results = [r for r in data["results"] if r["edition"] != edition]
    for entry in plan.entries:
        old = before.get(entry.territory_id)
        if old is None:
            plan.added.append((entry, names[entry.territory_id]))
        elif (old["distinction"] or "") != entry.distinction:
            plan.changed.append((entry, names[entry.territory_id], old["distinction"] or ""))
        else:
            plan.confirmed.append((entry, names[entry.territory_id]))
        results.append(_result_row(edition, entry, old, source_url))
    plan.absent = [r for r in before.values() if r["territory_id"] not in official]
    if not plan.remove_absent:
        results += plan.absent
    kept = {r["territory_id"] for r in results if r["edition"] == edition}
    plan.results = sorted(results, key=lambda r: (int(r["edition"]), r["territory_id"]))
    plan.mentions = _mentions(plan, data["mentions"], kept, source_url)
    plan.unchanged = (_canonical(plan.results) == _canonical(data["results"])
                      and _canonical(plan.mentions) == _canonical(data["mentions"]))


def _result_row(edition: str, entry: Entry, old: dict | None, source_url: str) -> dict:
    previous = [s.strip() for s in (old or {}).get("source_urls", "").split("|") if s.strip()]
    old_distinction = (old or {}).get("distinction") or ""
    if old is None:
        note = ""
    elif old_distinction == entry.distinction and old["note"] and old["confidence"] != "high":
        note = f"avant la liste officielle : {old['note']}"  # the old note qualified a weaker source
    elif old_distinction == entry.distinction:
        note = old["note"]
    else:
        note = f"distinction avant la liste officielle : {old_distinction or 'non publiée'}"
    return {
        "edition": edition,
        "territory_id": entry.territory_id,
        "distinction": entry.distinction,
        "name_as_published": entry.name,
        "departement_as_published": entry.departement,
        "source_urls": " | ".join([source_url, *(s for s in previous if s != source_url)]),
        "confidence": "high",
        "match_confidence": "sure",
        "match_note": f"Liste officielle : rattaché par {METHODS[entry.method]}.",
        "note": note,
    }


def _mentions(plan: Plan, mentions: list[dict], kept: set[str], source_url: str) -> list[dict]:
    edition = str(plan.edition)
    before = {(m["territory_id"], normalise(m["mention"])): m for m in mentions if m["edition"] == edition}
    rows = [m for m in mentions if m["edition"] != edition]
    official = set()
    for entry in plan.entries:
        for mention in entry.mentions:
            key = (entry.territory_id, normalise(mention))
            official.add(key)
            old = before.get(key)
            if old is None:
                plan.mentions_added.append((entry.territory_id, mention))
            previous = [s.strip() for s in (old or {}).get("source_urls", "").split("|") if s.strip()]
            rows.append({"edition": edition, "territory_id": entry.territory_id, "mention": mention,
                         "source_urls": " | ".join([source_url, *(s for s in previous if s != source_url)]),
                         "confidence": "high"})
    plan.mentions_absent = [m for key, m in before.items() if key not in official]
    rows += [m for m in plan.mentions_absent if not plan.remove_absent and m["territory_id"] in kept]
    return sorted(rows, key=lambda m: (int(m["edition"]), m["territory_id"], m["mention"]))


def _canonical(rows: list[dict]) -> list[tuple]:
    return sorted(tuple(sorted(r.items())) for r in rows)


def describe(plan: Plan) -> list[str]:
    """The difference with data/, in French, for the organiser to read before --apply."""
    lines = [f"Liste officielle {plan.edition} ({plan.file}) : {len(plan.entries)} lauréat(s), tous rattachés à un territoire."]
    lines.append(f"Ajoutés ({len(plan.added)}) :")
    lines += [f"  + {e.name} → {e.territory_id} {name} : {e.distinction} (ligne {e.line})" for e, name in plan.added]
    lines.append(f"Distinction modifiée ({len(plan.changed)}) :")
    lines += [f"  ~ {e.territory_id} {name} : {before or 'non publiée'} → {e.distinction} (ligne {e.line})"
              for e, name, before in plan.changed]
    lines.append(f"Confirmés ({len(plan.confirmed)}) : même distinction ; source officielle et confiance « high » ajoutées.")
    fate = "retirés (--remove-absent)" if plan.remove_absent else "gardés dans data/ (--remove-absent pour les retirer)"
    lines.append(f"Absents de la liste officielle ({len(plan.absent)}) : {fate} :")
    lines += [f"  - {r['territory_id']} {r['name_as_published']} : {r['distinction'] or 'distinction non publiée'}"
              for r in plan.absent]
    lines.append(f"Mentions ajoutées ({len(plan.mentions_added)}) :")
    lines += [f"  + {territory} : {mention}" for territory, mention in plan.mentions_added]
    fate = "retirées" if plan.remove_absent else "gardées"
    lines.append(f"Mentions absentes de la liste officielle ({len(plan.mentions_absent)}) : {fate} :")
    lines += [f"  - {m['territory_id']} : {m['mention']}" for m in plan.mentions_absent]
    if plan.unchanged:
        lines.append("Aucun changement : data/ est déjà à jour pour cette liste.")
    return lines


def apply(plan: Plan, data_dir: Path) -> bool:
    """Write results.csv and mentions.csv (each via a temporary file and a rename), only if the package stays valid.

    Returns False when there was nothing to write; raises Rejected, writing nothing, if validation fails.
    """
    if plan.problems:
        raise Rejected(plan.problems)
    if plan.unchanged:
        return False
    data_dir = Path(data_dir)
    package = datapackage.read(data_dir)
    targets = {name: package.resource(name)["path"] for name in ("results", "mentions")}
    rows = {"results": plan.results, "mentions": plan.mentions}
    staging = Path(tempfile.mkdtemp(prefix=".import-", dir=data_dir))
    try:
        for entry in data_dir.iterdir():
            if entry.name not in targets.values() and entry != staging:
                (staging / entry.name).symlink_to(entry.resolve())
        for name, path in targets.items():
            header, _ = _read_csv(data_dir / path)
            _write_csv(staging / path, header, rows[name])
        problems = validate(staging)
        if problems:
            raise Rejected(problems)
        for path in targets.values():
            os.replace(staging / path, data_dir / path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return True


def _write_csv(path: Path, header: list[str], rows: list[dict]) -> None:
    write_csv(path, header, ([row.get(name, "") for name in header] for row in rows))
