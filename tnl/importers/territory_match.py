"""Match a laureate as an official list names it to one territory: SIREN, else official code, else name and département.

Never by name alone: two communes, or a commune and its département (Paris), may share a name.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from tnl.problems import Problem
from tnl.text import normalise

METHODS = {"identifiant": "identifiant", "siren": "SIREN", "cog_code": "code officiel",
           "nom et département": "nom et département"}

# Words an official list puts before a name ("Ville de Lettret", "Département de la Gironde").
PREFIXES = re.compile(
    r"^(?:ville|commune|mairie|departement|conseil departemental|region|conseil regional)"
    r"(?: (?:de la|de l|des|du|de|d))? ")
PARENTHESES = re.compile(r"\(([^)]*)\)")


@dataclass(frozen=True)
class Match:
    territory_id: str | None
    method: str  # what was tried: "siren", "cog_code", "nom et département", or "" when nothing could be
    candidates: tuple[str, ...] = ()

    @property
    def ambiguous(self) -> bool:
        return self.territory_id is None and len(self.candidates) > 1


def name_keys(name: str) -> set[str]:
    """« Ville de Lettret (05) » -> {"lettret"}; « Syndicat … (SMEACC) » -> the long name and "smeacc"."""
    keys = set()
    inside = [part for part in PARENTHESES.findall(name) if not re.fullmatch(r"\s*[0-9]{2,3}\s*|\s*2[AB]\s*", part)]
    for text in [PARENTHESES.sub(" ", name), *inside]:
        key = normalise(text)
        if key:
            keys.add(key)
            keys.add(PREFIXES.sub("", key))
    return keys


class TerritoryMatcher:
    def __init__(self, territories: list[dict], published_names: dict[str, set[str]] | None = None):
        """territories: rows of territories.csv; published_names: {territory id: names already published for it}."""
        self.by_id = {t["id"]: t for t in territories}
        self.by_siren: dict[str, set[str]] = {}
        self.by_code: dict[str, set[str]] = {}
        self.by_key: dict[tuple[str, str], set[str]] = {}
        for t in territories:
            for siren in {t.get("siren"), t["id"] if re.fullmatch(r"[0-9]{9}", t["id"]) else None} - {None, ""}:
                self.by_siren.setdefault(siren, set()).add(t["id"])
            if t["kind"] in ("commune", "departement", "region"):
                for code in [t.get("cog_code") or "", *(t.get("former_cog_codes") or "").split(";")]:
                    if code.strip():
                        self.by_code.setdefault(code.strip().upper(), set()).add(t["id"])
            names = {t["name"], *(published_names or {}).get(t["id"], ())}
            for key in {k for name in names for k in name_keys(name)}:
                self.by_key.setdefault((t.get("departement_code") or "", key), set()).add(t["id"])

    def match(self, name: str, departement: str = "", siren: str = "", cog_code: str = "") -> Match:
        if siren:
            return self._one(self.by_siren.get(siren, set()), "siren", name)
        if cog_code:
            return self._one(self.by_code.get(cog_code.upper(), set()), "cog_code", name)
        if not departement:
            return Match(None, "")
        found = set().union(*(self.by_key.get((departement, key), set()) for key in name_keys(name)))
        return self._one(found, "nom et département", name)

    def _one(self, found: set[str], method: str, name: str) -> Match:
        if len(found) > 1:  # a code shared by a département and a région ("84"): the name decides, if it can
            keys = name_keys(name)
            named = {i for i in found if keys & name_keys(self.by_id[i]["name"])}
            found = named if len(named) == 1 else found
        if len(found) == 1:
            return Match(next(iter(found)), method)
        return Match(None, method, tuple(sorted(found)))


def unmatched_problem(file: str, line: int, row: dict, match: Match, matcher: TerritoryMatcher) -> Problem:
    """Why row (name, departement, siren, cog_code) has no territory: the message every importer gives."""
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


def departement_problem(file: str, line: int, row: dict, match: Match, territory: dict) -> Problem | None:
    """A SIREN or code that designates a territory of another département than the one given."""
    if not row["departement"] or match.method == "nom et département" \
            or territory.get("departement_code") in ("", row["departement"]):
        return None
    return Problem(file, line, "departement",
                   f"« {row['name']} » : le {METHODS[match.method]} désigne {territory['name']} "
                   f"(département {territory['departement_code']}), pas le département {row['departement']} ; "
                   "attendu : un identifiant et un département cohérents")
