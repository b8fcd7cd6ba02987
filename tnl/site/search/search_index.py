"""An in-memory index of territory names and codes: accent-, case- and punctuation-insensitive, tolerant of small
typos, narrowed by a département ("Saint-Denis (93)", "rennes 35"); best matches first."""
from __future__ import annotations

import bisect
import heapq
import re
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from tnl.text import normalise

MAX_QUERY_LENGTH = 100
MAX_WORDS = 8  # the 8 longest words of a query tell names apart; each word costs a test of every candidate name
COMMUNE_CODE = re.compile(r"^(?:[0-9]{5}|2[AB][0-9]{3})$")
DEPARTEMENT_CODE = re.compile(r"^(?:[0-9]{2,3}|2[AB])$")
SIREN = re.compile(r"^[0-9]{9}$")
PLACE_IN_BRACKETS = re.compile(r"^(.*?)\s*\(([^()]*)\)$")
REGION = "region"
TYPO_MIN_LENGTH = 4  # shorter names are too alike: "gap" is one letter from dozens of others


@dataclass(frozen=True)
class SearchEntry:
    id: str
    name: str
    kind: str
    departement_code: str | None
    population: int | None
    cog_code: str | None = None
    siren: str | None = None
    former_cog_codes: tuple[str, ...] = ()


class SearchIndex:
    def __init__(self, entries):
        self.entries = list(entries)
        self.keys = [normalise(e.name) for e in self.entries]
        self.compact = [key.replace(" ", "") for key in self.keys]
        # Every name in one string, each after a newline: str.find scans it in C, rather than a Python loop over names.
        self.keys_text, self.keys_starts = _joined(self.keys)
        self.compact_text, self.compact_starts = _joined(self.compact)
        # Names by length: a typo changes the length by two at most, so only a few lengths are compared.
        self.by_length: dict[int, tuple[list[int], list[str]]] = {}
        for i, name in enumerate(self.compact):
            indexes, names = self.by_length.setdefault(len(name), ([], []))
            indexes.append(i)
            names.append(name)
        self.by_code: dict[str, list[int]] = {}
        for i, e in enumerate(self.entries):
            for code in {e.id, e.cog_code, e.siren, *e.former_cog_codes} - {None, ""}:
                self.by_code.setdefault(code.upper(), []).append(i)

    def search(self, query: str, limit: int = 10) -> list[SearchEntry]:
        """Codes first (exact), then names: exact, prefix, word prefix, infix, all words, then one or two typos away;
        larger population first. A département code in brackets or after the name, or "(région)", narrows the
        matches, unless nothing is left (the name may be right and the place wrong)."""
        query = (query or "").strip()[:MAX_QUERY_LENGTH]
        name, place = split_place(query)
        ranked = self._ranked(name, place) if place else {}
        if not ranked:
            ranked = self._ranked(name, None)
        best = heapq.nsmallest(limit, ranked, key=lambda i: (*ranked[i], -(self.entries[i].population or -1), self.keys[i]))
        return [self.entries[i] for i in best]

    def _ranked(self, query: str, place: str | None) -> dict[int, tuple[int, int]]:
        """{entry index: (tier, rank)} of the entries matching query, within place if given."""
        ranked = {i: (0, rank) for rank, i in enumerate(self._by_code(query.upper()))}
        key = normalise(query)
        if key:
            compact = key.replace(" ", "")
            if len(compact) <= 2:  # one or two letters: infix matches would be most names, and useless
                found = sorted({*_containing(self.keys_text, self.keys_starts, "\n" + key),
                                *_containing(self.keys_text, self.keys_starts, " " + key)})
            else:
                found = _containing(self.compact_text, self.compact_starts, compact)
            for i in found:
                if i not in ranked:
                    ranked[i] = (1, self._name_rank(self.keys[i], key))
            words = sorted(set(key.split()), key=len, reverse=True)[:MAX_WORDS]
            if len(words) > 1 and len(words[0]) > 1:  # one-letter words only: most names would be tested
                longest = words[0]
                for i in _containing(self.keys_text, self.keys_starts, longest):
                    if i not in ranked and all(word in self.keys[i] for word in words[1:]):
                        ranked[i] = (1, 5)
        if place:
            ranked = {i: rank for i, rank in ranked.items() if self._within(i, place)}
        if key and not ranked and len(compact) >= TYPO_MIN_LENGTH:  # a typo only when nothing matches as typed
            for i, distance in self._near(compact):
                if i not in ranked and (not place or self._within(i, place)):
                    ranked[i] = (2, distance)
        return ranked

    def _near(self, compact: str) -> list[tuple[int, int]]:
        """Names one typo away (two for 8 letters or more): a letter missing, extra, wrong or two swapped."""
        cutoff = 1 if len(compact) < 8 else 2
        near = []
        for length in range(len(compact) - cutoff, len(compact) + cutoff + 1):
            indexes, names = self.by_length.get(length, ((), ()))
            near += [(indexes[j], distance) for _, distance, j in
                     process.extract(compact, names, scorer=OSA.distance, score_cutoff=cutoff, limit=None)]
        return near

    def _within(self, i: int, place: str) -> bool:
        entry = self.entries[i]
        if place == REGION:
            return entry.kind == "region"
        return entry.departement_code == place or (entry.kind == "departement" and entry.cog_code == place)

    def _by_code(self, code: str) -> list[int]:
        if SIREN.match(code) or COMMUNE_CODE.match(code):
            return self.by_code.get(code, [])
        if DEPARTEMENT_CODE.match(code):
            found = self.by_code.get(code, [])
            # "38" is Isère, and "84" both Vaucluse and Auvergne-Rhône-Alpes: départements before régions.
            return sorted((i for i in found if self.entries[i].kind in ("departement", "region")),
                          key=lambda i: self.entries[i].kind != "departement")
        return []

    @staticmethod
    def _name_rank(name: str, key: str) -> int:
        if name == key:
            return 0
        if name.startswith(key):
            return 1
        if (" " + key) in name:
            return 2
        if key in name:
            return 3
        return 4  # only once spaces and punctuation are ignored ("labergement" for "L'Abergement")


def split_place(query: str) -> tuple[str, str | None]:
    """("Saint-Denis", "93") for 'Saint-Denis (93)' or 'saint denis 93'; ("Bretagne", "region") for 'Bretagne (région)';
    (query, None) when no département code or "région" ends the query after a name."""
    bracketed = PLACE_IN_BRACKETS.match(query)
    if bracketed:
        name, place = bracketed.group(1), bracketed.group(2).strip()
    else:
        name, _, place = query.rpartition(" ")
    place = place.upper()
    if not normalise(name):
        return query, None
    if DEPARTEMENT_CODE.match(place):
        return name.strip(), place
    if normalise(place) == REGION:
        return name.strip(), REGION
    return query, None


def _joined(names: list[str]) -> tuple[str, list[int]]:
    """'\nname0\nname1…' and where each name's newline is."""
    starts, position = [], 0
    for name in names:
        starts.append(position)
        position += len(name) + 1
    return "".join("\n" + name for name in names), starts


def _containing(text: str, starts: list[int], fragment: str) -> list[int]:
    """Indexes of the names containing fragment (which has no newline, or starts with the one before a name)."""
    found, position = [], text.find(fragment)
    while position != -1:
        i = bisect.bisect_right(starts, position) - 1
        found.append(i)
        following = starts[i + 1] if i + 1 < len(starts) else len(text)
        position = text.find(fragment, following)
    return found
