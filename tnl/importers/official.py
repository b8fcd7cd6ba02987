"""Import the organiser's official list of an edition into data/results.csv and data/mentions.csv.

The list is validated against schemas/official_list.schema.yaml, every row is matched to one territory,
and the difference with data/ is described; nothing is written while any row is invalid, unmatched or
ambiguous. Applying writes both files only once the whole package, with them, passes `tnl validate`.
"""
from __future__ import annotations

import csv
import datetime
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from frictionless import FrictionlessException, Resource, Schema

from tnl import PROJECT_ROOT
from tnl.importers.package_edit import (
    canonical,
    joined_sources,
    read_tables,
    write_tables,
)
from tnl.importers.territory_match import (
    METHODS,
    TerritoryMatcher,
    departement_problem,
    unmatched_problem,
)
from tnl.pipeline.validate import (
    check_file_structure,
    frictionless_problem,
    scheme_problems,
)
from tnl.problems import Problem, Rejected
from tnl.text import normalise

SCHEMA_PATH = PROJECT_ROOT / "schemas" / "official_list.schema.yaml"


@dataclass
class ListedLaureate:
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
    entries: list[ListedLaureate] = field(default_factory=list)
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


def plan_import(data_dir: Path, edition: int, file: Path, source_url: str = "", remove_absent: bool = False,
                today: datetime.date | None = None) -> Plan:
    """What importing file would change in data_dir; plan.problems lists why it cannot be imported.

    today: the date written in added_on for a laureate new to data/ (the day of the import by default)."""
    data_dir, file = Path(data_dir), Path(file)
    plan = Plan(edition, file.name, remove_absent=remove_absent)
    plan.problems = list_problems(file, read_schema())
    if plan.problems:
        return plan
    data = read_tables(data_dir, ("editions", "distinctions", "territories", "results", "mentions"))
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
    _diff(plan, data, source_url, (today or datetime.date.today()).isoformat())
    return plan


def _read_list(file: Path) -> list[tuple[int, dict]]:
    with open(file, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        return [(reader.line_num, {k: (v or "").strip() for k, v in row.items()}) for row in reader]


def _match(file: str, rows: list[tuple[int, dict]], data: dict) -> tuple[list[ListedLaureate], list[Problem]]:
    published: dict[str, set[str]] = {}
    for result in data["results"]:
        published.setdefault(result["territory_id"], set()).add(result["name_as_published"])
    matcher = TerritoryMatcher(data["territories"], published)
    entries, problems, seen = [], [], {}
    for line, row in rows:
        match = matcher.match(row["name"], row["departement"], row["siren"], row["cog_code"])
        territory = matcher.by_id.get(match.territory_id or "")
        if territory is None:
            problems.append(unmatched_problem(file, line, row, match, matcher))
            continue
        mismatch = departement_problem(file, line, row, match, territory)
        if mismatch:
            problems.append(mismatch)
            continue
        if match.territory_id in seen:
            problems.append(Problem(file, line, "name", f"« {row['name']} » désigne le même territoire que la ligne "
                                                        f"{seen[match.territory_id]} ({territory['name']}) ; attendu : une ligne par lauréat"))
            continue
        seen[match.territory_id] = line
        mentions = [m.strip() for m in row["mentions"].split(";") if m.strip()]
        entries.append(ListedLaureate(line, match.territory_id, row["name"], row["departement"], row["distinction"], mentions, match.method))
    return entries, problems


def _diff(plan: Plan, data: dict, source_url: str, today: str) -> None:
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
        results.append(_result_row(edition, entry, old, source_url, today))
    plan.absent = [r for r in before.values() if r["territory_id"] not in official]
    if not plan.remove_absent:
        results += plan.absent
    kept = {r["territory_id"] for r in results if r["edition"] == edition}
    plan.results = sorted(results, key=lambda r: (int(r["edition"]), r["territory_id"]))
    plan.mentions = _mentions(plan, data["mentions"], kept, source_url, today)
    plan.unchanged = (canonical(plan.results) == canonical(data["results"])
                      and canonical(plan.mentions) == canonical(data["mentions"]))


def _result_row(edition: str, entry: ListedLaureate, old: dict | None, source_url: str, today: str) -> dict:
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
        "source_urls": joined_sources(source_url, (old or {}).get("source_urls", "")),
        "confidence": "high",
        "match_confidence": "sure",
        "match_note": f"Liste officielle : rattaché par {METHODS[entry.method]}.",
        "note": note,
        "added_on": (old or {}).get("added_on") or ("" if old else today),
    }


def _mentions(plan: Plan, mentions: list[dict], kept: set[str], source_url: str, today: str) -> list[dict]:
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
            rows.append({"edition": edition, "territory_id": entry.territory_id, "mention": mention,
                         "source_urls": joined_sources(source_url, (old or {}).get("source_urls", "")),
                         "confidence": "high", "added_on": (old or {}).get("added_on") or ("" if old else today)})
    plan.mentions_absent = [m for key, m in before.items() if key not in official]
    rows += [m for m in plan.mentions_absent if not plan.remove_absent and m["territory_id"] in kept]
    return sorted(rows, key=lambda m: (int(m["edition"]), m["territory_id"], m["mention"]))


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
    """Write results.csv and mentions.csv together, only if the package stays valid.

    Returns False when there was nothing to write; raises Rejected, writing nothing, if validation fails.
    """
    if plan.problems:
        raise Rejected(plan.problems)
    if plan.unchanged:
        return False
    write_tables(data_dir, {"results": plan.results, "mentions": plan.mentions})
    return True
