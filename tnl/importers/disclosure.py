"""Aggregates of questionnaire answers under statistical disclosure control.

Groups are formed along one dimension at a time (all candidates, distinction, kind, région, population
band), never crossed. Every possible group of a dimension gets a row, answered or not, so that the mere
presence of a row tells nothing. A group's mean, share and count are published only if:

1. primary rule: it has at least THRESHOLD answers, and its withheld answers (candidates who did not agree
   to publication) are either none or at least THRESHOLD and not all identical;
2. secondary rule (differencing): the published groups, together with the published individual answers,
   must not isolate fewer than THRESHOLD withheld answers. Withheld answers belonging to exactly the same
   published groups form an "atom": every sum or count a user can derive by adding and subtracting
   published rows (and the individual answers) is a sum over whole atoms. So every atom that belongs to at
   least one published group must hold at least THRESHOLD withheld answers that are not all identical;
   while one does not, the smallest published group containing it is suppressed too ("secret_secondaire").

With atoms of at least two different values, any withheld answer can be swapped with another one of its
atom without changing a single published figure: no withheld answer can be recovered, even knowing the
bounds of the values (0-100 %, oui/non). The median is not published: it is one candidate's own answer.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

THRESHOLD = 5
DIMENSIONS = ("ensemble", "distinction", "nature", "region", "tranche_population")
ALL = "toutes"
BANDS = (
    (0, 1_999, "moins_de_2000", "Moins de 2 000 habitants"),
    (2_000, 9_999, "2000_a_9999", "2 000 à 9 999 habitants"),
    (10_000, 49_999, "10000_a_49999", "10 000 à 49 999 habitants"),
    (50_000, 199_999, "50000_a_199999", "50 000 à 199 999 habitants"),
    (200_000, float("inf"), "200000_et_plus", "200 000 habitants et plus"),
)
UNKNOWN_BAND = ("inconnue", "Population inconnue")
REASONS = {
    "moins_de_5_reponses": "moins de 5 réponses",
    "moins_de_5_reponses_non_publiees": "de 1 à 4 réponses non publiées",
    "reponses_non_publiees_identiques": "réponses non publiées toutes identiques",
    "secret_secondaire": "secret secondaire (empêche de retrouver un groupe secret par différence)",
}


def population_band(population: int | None) -> str:
    if population is None:
        return UNKNOWN_BAND[0]
    return next(code for low, high, code, _ in BANDS if low <= population <= high)


def band_universe() -> list[tuple[str, str]]:
    return [(code, label) for _, _, code, label in BANDS] + [UNKNOWN_BAND]


@dataclass(frozen=True)
class Respondent:
    """One answer to one question: its value, whether it is published, and its group in each dimension."""
    value: float
    published: bool
    groups: tuple[str, ...]  # one value per DIMENSIONS entry, the first always ALL


Cell = tuple[int, str]  # (dimension index, group value)


def aggregate(respondents: list[Respondent], universe: dict[str, list[tuple[str, str]]], boolean: bool) -> list[dict]:
    """One row per (dimension, group) of the universe, in its order, with the suppression applied."""
    cells: list[Cell] = [(0, ALL)] + [(i, value) for i, dim in enumerate(DIMENSIONS) if i for value, _ in universe[dim]]
    members: dict[Cell, list[Respondent]] = defaultdict(list)
    for r in respondents:
        for i, value in enumerate(r.groups):
            members[(i, value)].append(r)
    reasons = {cell: _primary_reason(members[cell]) for cell in cells}
    published = {cell for cell in cells if reasons[cell] is None}
    for cell in _secondary_suppressions(respondents, published, {c: len(members[c]) for c in cells}):
        reasons[cell] = "secret_secondaire"
        published.discard(cell)
    labels = {(i, value): label for i, dim in enumerate(DIMENSIONS) if i for value, label in universe[dim]}
    labels[(0, ALL)] = "Tous les candidats ayant répondu"
    return [_row(cell, labels[cell], members[cell], reasons[cell], boolean) for cell in cells]


def _primary_reason(members: list[Respondent]) -> str | None:
    withheld = [r.value for r in members if not r.published]
    if len(members) < THRESHOLD:
        return "moins_de_5_reponses"
    if 0 < len(withheld) < THRESHOLD:
        return "moins_de_5_reponses_non_publiees"
    if withheld and min(withheld) == max(withheld):
        return "reponses_non_publiees_identiques"
    return None


def _secondary_suppressions(respondents: list[Respondent], published: set[Cell], sizes: dict[Cell, int]) -> list[Cell]:
    """Cells to suppress, in order, until every atom of withheld answers is safe (see the module docstring)."""
    by_key: dict[tuple, list[float]] = {}
    for r in respondents:
        if not r.published:
            stats = by_key.setdefault(r.groups, [0, r.value, r.value])
            stats[0] += 1
            stats[1], stats[2] = min(stats[1], r.value), max(stats[2], r.value)
    suppressed: list[Cell] = []
    while True:
        atoms: dict[tuple, list[float]] = {}
        for key, (count, low, high) in by_key.items():
            signature = tuple(c for c in enumerate(key) if c in published)
            atom = atoms.setdefault(signature, [0, low, high])
            atom[0] += count
            atom[1], atom[2] = min(atom[1], low), max(atom[2], high)
        unsafe = sorted((count, signature) for signature, (count, low, high) in atoms.items()
                        if signature and (count < THRESHOLD or low == high))
        if not unsafe:
            return suppressed
        cell = _merging_cell(unsafe[0][1], atoms, sizes)
        published.discard(cell)
        suppressed.append(cell)


def _merging_cell(signature: tuple, atoms: dict, sizes: dict[Cell, int]) -> Cell:
    """The smallest published cell whose suppression merges the unsafe atom with another one.

    An atom whose signature differs by one cell c (in one and not in the other) merges with it once c is
    suppressed: typically the next smallest group of the same dimension (classic complementary suppression).
    Failing that, the smallest group of the atom's own signature, the whole population (ensemble) last.
    """
    mine = set(signature)
    merging = set()
    for other in atoms:
        difference = mine.symmetric_difference(other)
        if len(difference) == 1:
            merging |= difference
    choices = [c for c in merging if c[0] != 0] or [c for c in signature if c[0] != 0] or list(merging) or list(signature)
    return min(choices, key=lambda c: (sizes[c], c))


def _row(cell: Cell, label: str, members: list[Respondent], reason: str | None, boolean: bool) -> dict:
    row = {"group_by": DIMENSIONS[cell[0]], "group_value": cell[1], "group_label": label,
           "candidates_count": None, "mean": None, "share_percent": None,
           "suppressed": reason is not None, "suppression_reason": reason}
    if reason is None:
        values = [r.value for r in members]
        row["candidates_count"] = len(values)
        average = sum(values) / len(values)
        if boolean:
            row["share_percent"] = round(100 * average, 1)
        else:
            row["mean"] = round(average, 2)
    return row
