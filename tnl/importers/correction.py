"""One correction at a time: add, confirm, correct or remove one laureate of one edition, from one sourced report.

Same matching rules and messages as `tnl import-official` (tnl/importers/territory_match.py), same all-or-none
writer (tnl/importers/package_edit.py). A report that contradicts a better-sourced row leaves the row as it is and
opens a question in open_questions.csv; a report can settle an open question (--settles).
"""
from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from tnl.importers.package_edit import (
    canonical,
    joined_sources,
    read_tables,
    write_tables,
)
from tnl.importers.personal_names import person_in_text, person_in_url, place_pairs
from tnl.importers.territory_match import (
    METHODS,
    Match,
    TerritoryMatcher,
    departement_problem,
    unmatched_problem,
)
from tnl.pipeline.validate import scheme_problems
from tnl.problems import Problem, Rejected
from tnl.text import normalise
from tnl.vocabulary import split_sources

WHERE = "ligne de commande"
CONFIDENCE_RANK = {"low": 0, "medium": 1, "high": 2}
TABLES = ("editions", "distinctions", "territories", "results", "mentions", "open_questions")
EDITED = ("results", "mentions", "open_questions")
COG_CODE = re.compile(r"[0-9]{2,3}|2[AB]|[0-9][0-9AB][0-9]{3}", re.IGNORECASE)


@dataclass
class Report:
    edition: int
    territory: str          # identifier, SIREN, official code, or a name with its département
    source_url: str
    distinction: str = ""   # empty: labelled, level not published
    departement: str = ""
    mention: str = ""
    confidence: str = "medium"
    name: str = ""          # the name as the source publishes it; the territory's name by default
    settles: str = ""       # id of the open question the report settles
    reason: str = ""        # why a row is removed


@dataclass
class Change:
    problems: list[Problem] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    tables: dict[str, list[dict]] = field(default_factory=dict)
    unchanged: bool = True


def plan_add(data_dir: Path, report: Report, today: datetime.date | None = None) -> Change:
    """What adding (or confirming, correcting) the report's result would change in data_dir."""
    return _plan(data_dir, report, (today or datetime.date.today()).isoformat(), _add)


def plan_remove(data_dir: Path, report: Report, today: datetime.date | None = None) -> Change:
    """What removing the report's result (wrong row) would change in data_dir."""
    return _plan(data_dir, report, (today or datetime.date.today()).isoformat(), _remove)


def apply(change: Change, data_dir: Path) -> bool:
    """Write every edited file together, or none; False when there was nothing to write."""
    if change.problems:
        raise Rejected(change.problems)
    if change.unchanged:
        return False
    write_tables(data_dir, change.tables)
    return True


def _plan(data_dir: Path, report: Report, today: str, edit) -> Change:
    data = read_tables(data_dir, TABLES)
    change = Change()
    places = functools.cache(lambda: place_pairs(t["name"] for t in data["territories"]))  # built only if needed
    change.problems = _report_problems(report, data, places, removing=edit is _remove)
    territory_id, method, problem = _territory(report, data)
    change.problems += [problem] if problem else []
    if change.problems:
        change.problems.sort()
        return change
    tables = {name: [dict(r) for r in data[name]] for name in EDITED}
    edit(change, tables, data, report, territory_id, method, today)
    if change.problems:
        return change
    tables["results"].sort(key=lambda r: (int(r["edition"]), r["territory_id"]))
    tables["mentions"].sort(key=lambda m: (int(m["edition"]), m["territory_id"], m["mention"]))
    change.tables = tables
    change.unchanged = all(canonical(tables[name]) == canonical(data[name]) for name in EDITED)
    if change.unchanged:
        change.lines.append("Aucun changement : data/ dit déjà ce que dit ce signalement.")
    return change


def _report_problems(report: Report, data: dict, places, removing: bool) -> list[Problem]:
    problems = _source_problems(report.source_url, places)
    editions = {row["edition"]: row["distinction_scheme"] for row in data["editions"]}
    if str(report.edition) not in editions:
        problems.append(Problem(WHERE, 0, "--edition", f"édition {report.edition} inconnue ; attendu : une des éditions "
                                                        f"de editions.csv ({', '.join(sorted(editions))})"))
    schemes = {row["id"]: row["scheme"] for row in data["distinctions"]}
    if report.distinction and report.distinction not in schemes:
        expected = editions.get(str(report.edition))
        allowed = ", ".join(sorted(d for d, s in schemes.items() if s == expected or not expected))
        problems.append(Problem(WHERE, 0, "--distinction", f"distinction « {report.distinction} » inconnue ; attendu : {allowed}"))
    problems += [Problem(WHERE, 0, "--distinction", p.message) for p in scheme_problems(
        WHERE, 0, {"edition": report.edition, "distinction": report.distinction}, editions, schemes)]
    if report.confidence not in CONFIDENCE_RANK:
        problems.append(Problem(WHERE, 0, "--confidence", f"confiance « {report.confidence} » inconnue ; attendu : high, medium, low"))
    for option, text in (("--mention", report.mention), ("--name", report.name), ("--reason", report.reason)):
        person = text and person_in_text(text, places)
        if person:
            problems.append(Problem(WHERE, 0, option, f"« {person} » ressemble au nom d'une personne ; attendu : le nom d'un "
                                                      "organisme ou d'une distinction, jamais celui d'une personne"))
    if removing and not report.reason.strip():
        problems.append(Problem(WHERE, 0, "--reason", "raison manquante ; attendu : pourquoi la ligne est fausse"))
    if report.settles:
        problems += _settles_problems(report, data["open_questions"])
    return problems


def _source_problems(url: str, places) -> list[Problem]:
    """An http(s) URL, written as one piece, with a host, no credentials, and no person's name in it."""
    parts = urlsplit(url) if url.isprintable() and not any(c.isspace() for c in url) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        return [Problem(WHERE, 0, "--source", f"« {url} » n'est pas une URL http(s) ; attendu : l'adresse publique de la "
                                              "source, sans espace (https://…)")]
    if parts.username is not None or parts.password is not None:
        return [Problem(WHERE, 0, "--source", "l'URL contient un identifiant ou un mot de passe ; attendu : une adresse "
                                              "publique, sans identifiants")]
    person = person_in_url(url, places)
    if person:
        return [Problem(WHERE, 0, "--source", f"l'URL semble contenir le nom d'une personne (« {person} ») ; attendu : une "
                                              "source sans nom de personne (sinon, décrivez-la en mots à la main, comme "
                                              "les sources déjà publiées)")]
    return []


def _settles_problems(report: Report, questions: list[dict]) -> list[Problem]:
    question = next((q for q in questions if q["id"] == report.settles), None)
    if question is None:
        return [Problem(WHERE, 0, "--settles", f"question « {report.settles} » inconnue ; attendu : l'identifiant d'une "
                                               "question de open_questions.csv")]
    if question["status"] != "unresolved":
        return [Problem(WHERE, 0, "--settles", f"la question « {report.settles} » est déjà tranchée ; attendu : une "
                                               "question encore ouverte")]
    if question["edition"] not in ("", str(report.edition)):
        return [Problem(WHERE, 0, "--settles", f"la question « {report.settles} » porte sur l'édition {question['edition']}, "
                                               f"pas {report.edition}")]
    return []


def _territory(report: Report, data: dict) -> tuple[str | None, str, Problem | None]:
    """(territory id, method, None), or (None, "", the problem) with the messages of tnl import-official."""
    published: dict[str, set[str]] = {}
    for result in data["results"]:
        published.setdefault(result["territory_id"], set()).add(result["name_as_published"])
    matcher = TerritoryMatcher(data["territories"], published)
    value = report.territory.strip()
    row = {"name": report.name or value, "departement": report.departement, "siren": "", "cog_code": ""}
    if value in matcher.by_id:
        match = Match(value, "identifiant")
    else:
        if re.fullmatch(r"[0-9]{9}", value):
            row["siren"] = value
        elif COG_CODE.fullmatch(value):
            row["cog_code"] = value
        match = matcher.match(row["name"], row["departement"], row["siren"], row["cog_code"])
    territory = matcher.by_id.get(match.territory_id or "")
    if territory is None:
        problem = unmatched_problem(WHERE, 0, row, match, matcher)
        return None, "", Problem(WHERE, 0, "--territory", problem.message)
    problem = departement_problem(WHERE, 0, row, match, territory) if match.method != "identifiant" else None
    if problem:
        return None, "", Problem(WHERE, 0, "--departement", problem.message)
    return match.territory_id, match.method, None


def _add(change: Change, tables: dict, data: dict, report: Report, territory_id: str, method: str, today: str) -> None:
    edition, names = str(report.edition), {t["id"]: t["name"] for t in data["territories"]}
    labels = {d["id"]: d["label"] for d in data["distinctions"]}

    def label(distinction: str) -> str:
        return labels.get(distinction, distinction) if distinction else "labellisé, niveau non publié"

    who = f"{territory_id} {names[territory_id]}"
    results = tables["results"]
    old = next((r for r in results if r["edition"] == edition and r["territory_id"] == territory_id), None)
    rank = CONFIDENCE_RANK[report.confidence]
    if old is None:
        row = {"edition": edition, "territory_id": territory_id, "distinction": report.distinction,
               "name_as_published": report.name or names[territory_id], "departement_as_published": report.departement,
               "source_urls": report.source_url, "confidence": report.confidence, "match_confidence": "sure",
               "match_note": f"Signalement : rattaché par {METHODS[method]}.", "note": "", "added_on": today}
        results.append(row)
        change.lines.append(f"Ajouté : + {edition} {who} : {label(report.distinction)} (confiance {report.confidence})")
    else:
        row = old
        before, now = old["distinction"] or "", report.distinction
        if now and before and now != before and rank < CONFIDENCE_RANK[old["confidence"]]:
            _contradiction(change, tables, old, report, who, label, today)
        elif now and now != before:
            change.lines.append(f"Distinction modifiée : ~ {edition} {who} : {label(before)} → {label(now)} "
                                f"(confiance {old['confidence']} → {report.confidence})")
            row["note"] = _sentence(row["note"], f"Distinction avant le signalement du {today} : {label(before)}.")
            row.update(distinction=now, confidence=report.confidence, source_urls=joined_sources(report.source_url, old["source_urls"]))
        else:
            if rank > CONFIDENCE_RANK[old["confidence"]]:
                row["confidence"] = report.confidence
            cited = report.source_url in split_sources(old["source_urls"])
            row["source_urls"] = joined_sources(old["source_urls"], report.source_url)
            change.lines.append(f"Confirmé : = {edition} {who} : {label(before)} ; "
                                f"{'source déjà citée' if cited else 'source ajoutée'} (confiance {row['confidence']})")
    if report.mention:
        _mention(change, tables["mentions"], edition, territory_id, report, today)
    if report.settles:
        _settle(change, tables["open_questions"], report, label(report.distinction or row["distinction"]), today)
    _cite_questions(row, tables["open_questions"])


def _contradiction(change: Change, tables: dict, old: dict, report: Report, who: str, label, today: str) -> None:
    """The report is less sure than the published row: keep the row, open a question with both sources."""
    edition, territory_id = old["edition"], old["territory_id"]
    question_id = f"{edition}-{territory_id}-distinction"
    questions = tables["open_questions"]
    if any(q["id"] == question_id for q in questions):
        change.problems.append(Problem(WHERE, 0, "--distinction", f"la question « {question_id} » existe déjà sur cette ligne ; "
                                                                  "attendu : la trancher avec --settles et une source sûre"))
        return
    questions.append({
        "id": question_id, "edition": edition, "territory_id": territory_id,
        "subject": f"Distinction de {old['name_as_published']} en {edition} : {label(old['distinction'])} ou {label(report.distinction)} ?",
        "status": "unresolved", "answer": f"{label(old['distinction'])} (ligne publiée, confiance {old['confidence']}) gardé.",
        "reason": f"Un signalement du {today} (confiance {report.confidence}) donne {label(report.distinction)} ; la ligne "
                  "publiée est gardée tant qu'une source au moins aussi sûre ne tranche pas.",
        "source_urls": joined_sources(report.source_url, old["source_urls"])})
    change.lines.append(f"Contradiction : ! {edition} {who} : publié {label(old['distinction'])} (confiance {old['confidence']}), "
                        f"signalé {label(report.distinction)} (confiance {report.confidence}) ; ligne gardée, "
                        f"question ouverte « {question_id} »")


def _mention(change: Change, mentions: list[dict], edition: str, territory_id: str, report: Report, today: str) -> None:
    key = (edition, territory_id, normalise(report.mention))
    old = next((m for m in mentions if (m["edition"], m["territory_id"], normalise(m["mention"])) == key), None)
    if old is None:
        mentions.append({"edition": edition, "territory_id": territory_id, "mention": report.mention,
                         "source_urls": report.source_url, "confidence": report.confidence, "added_on": today})
        change.lines.append(f"Mention ajoutée : + {edition} {territory_id} : {report.mention}")
    else:
        cited = report.source_url in split_sources(old["source_urls"])
        old["source_urls"] = joined_sources(old["source_urls"], report.source_url)
        change.lines.append(f"Mention confirmée : = {edition} {territory_id} : {old['mention']} ; "
                            f"{'source déjà citée' if cited else 'source ajoutée'}")


def _settle(change: Change, questions: list[dict], report: Report, answer: str, today: str) -> None:
    question = next(q for q in questions if q["id"] == report.settles)
    question.update(status="resolved", answer=f"{answer} en {report.edition} (signalement du {today}).",
                    reason=f"Tranchée par la source citée en premier (confiance {report.confidence}).",
                    source_urls=joined_sources(report.source_url, question["source_urls"]))
    change.lines.append(f"Question tranchée : « {report.settles} » → {question['answer']}")


def _cite_questions(row: dict, questions: list[dict]) -> None:
    """Every question on this row is cited in its note (tests/test_coverage.py keeps that rule)."""
    for q in questions:
        if (q["edition"], q["territory_id"]) == (row["edition"], row["territory_id"]) \
                and f"« {q['id']} »" not in row["match_note"] + row["note"]:
            row["note"] = _sentence(row["note"], f"Voir la question ouverte « {q['id']} ».")


def _remove(change: Change, tables: dict, data: dict, report: Report, territory_id: str, method: str, today: str) -> None:
    edition, name = str(report.edition), next(t["name"] for t in data["territories"] if t["id"] == territory_id)
    old = next((r for r in tables["results"] if r["edition"] == edition and r["territory_id"] == territory_id), None)
    if old is None:
        change.problems.append(Problem(WHERE, 0, "--territory", f"aucun résultat de {territory_id} {name} en {edition} ; "
                                                                "attendu : une ligne de results.csv"))
        return
    tables["results"].remove(old)
    change.lines.append(f"Retiré : - {edition} {territory_id} {name} : {old['distinction'] or 'niveau non publié'} "
                        f"({old['name_as_published']}, sources : {old['source_urls']})")
    for mention in [m for m in tables["mentions"] if (m["edition"], m["territory_id"]) == (edition, territory_id)]:
        tables["mentions"].remove(mention)
        change.lines.append(f"Mention retirée : - {edition} {territory_id} : {mention['mention']}")
    question_id = f"{edition}-{territory_id}-retrait"
    questions = tables["open_questions"]
    if report.settles:
        _settle(change, questions, report, f"Non distingué ({report.reason.strip()})", today)
    elif not any(q["id"] == question_id for q in questions):
        questions.append({
            "id": question_id, "edition": edition, "territory_id": territory_id,
            "subject": f"{old['name_as_published']} a-t-il été distingué en {edition} ?", "status": "resolved",
            "answer": f"Non : ligne retirée le {today}.", "reason": report.reason.strip(),
            "source_urls": joined_sources(report.source_url, old["source_urls"])})
        change.lines.append(f"Question tranchée ajoutée : « {question_id} » (raison : {report.reason.strip()})")


def _sentence(note: str, addition: str) -> str:
    return f"{note} {addition}".strip() if note else addition


def describe(change: Change, report: Report, removing: bool = False) -> list[str]:
    verb = "Retrait" if removing else "Signalement"
    return [f"{verb} pour l'édition {report.edition} ({report.source_url}) :", *(f"  {line}" for line in change.lines)]
