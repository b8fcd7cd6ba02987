"""An in-memory index of territory names and codes: accent-, case- and punctuation-insensitive, tolerant of small
typos, narrowed by a département's number or name ("Saint-Denis (93)", "rennes 35", "meylan isère"); postal codes
lead to the communes they serve and an Insee code to its commune, each match saying which it is; best matches
first."""
from __future__ import annotations

import bisect
import heapq
import re
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import OSA

from tnl.text import normalise

MAX_QUERY_LENGTH = 100
MAX_WORDS = 8  # the 8 longest words of a query tell names apart; each word costs a test of every candidate name
COMMUNE_CODE = re.compile(r"^(?:[0-9]{5}|2[AB][0-9]{3})$")
DEPARTEMENT_CODE = re.compile(r"^(?:[0-9]{2,3}|2[AB])$")
SIREN = re.compile(r"^[0-9]{9}$")
ARTICLE = re.compile(r"^(?:la|le|les|l) ")
PLACE_IN_BRACKETS = re.compile(r"^(.*?)\s*\(([^()]*)\)$")
REGION = "region"
TYPO_MIN_LENGTH = 4  # shorter names are too alike: "gap" is one letter from dozens of others
MAX_DEPARTEMENT_WORDS = 5  # « Provence-Alpes-Côte d'Azur » is a région; the longest département name has 5 words

# How a territory matched the query, as the results say it (the JSON's « correspondance »).
POSTAL = "code_postal"
INSEE = "code_insee"
SIREN_MATCH = "siren"
DEPARTEMENT = "numero_departement"
NAME = "nom"
TYPO = "nom_approche"

# Ranks within the matches by name (tier 1): lower is better. A typo outranks a name merely containing the query
# (« Mylan » is Meylan before Domremy-Landéville, where the letters run across two words); a name one letter away
# that also contains the query (« eylan » in Meylan: its first letter dropped) or starts like it comes first.
EXACT, PREFIX, WORD_PREFIX, TYPO_WITHIN, TYPO_SAME_START, ONE_TYPO, TWO_TYPOS, INFIX, ACROSS_WORDS, ALL_WORDS = range(10)
STRONG = WORD_PREFIX  # a match by name this good or better: no need to look for typos


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
    postal_codes: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Match:
    """A result and how it matched: by postal code, Insee code, SIREN, département number, name or near name."""
    entry: SearchEntry
    via: str


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
        self.by_postal_code: dict[str, list[int]] = {}
        self.departements: dict[str, str] = {}  # normalised name -> code
        for i, e in enumerate(self.entries):
            for code in {e.id, e.cog_code, e.siren, *e.former_cog_codes} - {None, ""}:
                self.by_code.setdefault(code.upper(), []).append(i)
            for code in e.postal_codes:
                self.by_postal_code.setdefault(code, []).append(i)
            if e.kind == "departement" and e.cog_code:
                self.departements[self.keys[i]] = e.cog_code
                # « saint denis reunion » as well as « … la reunion »
                self.departements.setdefault(ARTICLE.sub("", self.keys[i]), e.cog_code)

    def search(self, query: str, limit: int = 10) -> list[SearchEntry]:
        return [match.entry for match in self.matches(query, limit)]

    def matches(self, query: str, limit: int = 10) -> list[Match]:
        """Codes first: a postal code's communes, then the territory whose Insee code or SIREN it is; then names:
        exact, prefix, word prefix, one or two typos away (when nothing matches that well), infix, all words; larger
        population first. A département's number or name after the name (or in brackets), or "(région)", narrows
        the matches, unless nothing is left (the name may be right and the place wrong); a name that matches well
        as typed wins over the same words read as name + département (« Villeneuve-sur-Lot » is not in the Lot)."""
        query = (query or "").strip()[:MAX_QUERY_LENGTH]
        name, place = split_place(query)
        vias: dict[int, str] = {}
        ranked = self._ranked(name, place, vias) if place else {}
        if not ranked:
            ranked = self._ranked(name, None, vias)
            named = self._departement_named(name) if not place else None
            if named and not _strong(ranked):
                narrowed = self._ranked(named[0], named[1], vias)
                ranked = narrowed or ranked
        best = heapq.nsmallest(limit, ranked, key=lambda i: (*ranked[i], -(self.entries[i].population or -1), self.keys[i]))
        return [Match(self.entries[i], vias[i]) for i in best]

    def _departement_named(self, query: str) -> tuple[str, str] | None:
        """("meylan", "38") for "meylan isère": a département's name ending the query after a name."""
        words = normalise(query).split()
        for size in range(min(MAX_DEPARTEMENT_WORDS, len(words) - 1), 0, -1):
            code = self.departements.get(" ".join(words[-size:]))
            if code:
                return " ".join(words[:-size]), code
        return None

    def _ranked(self, query: str, place: str | None, vias: dict[int, str]) -> dict[int, tuple[int, int]]:
        """{entry index: (tier, rank)} of the entries matching query, within place if given; vias gets how each
        matched."""
        ranked = {}
        for rank, (i, via) in enumerate(self._by_code(query.upper())):
            if i not in ranked:
                ranked[i], vias[i] = (0, rank), via
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
                    ranked[i], vias[i] = (1, self._name_rank(self.keys[i], key)), NAME
            words = sorted(set(key.split()), key=len, reverse=True)[:MAX_WORDS]
            if len(words) > 1 and len(words[0]) > 1:  # one-letter words only: most names would be tested
                longest = words[0]
                for i in _containing(self.keys_text, self.keys_starts, longest):
                    if i not in ranked and all(word in self.keys[i] for word in words[1:]):
                        ranked[i], vias[i] = (1, ALL_WORDS), NAME
        if place:
            ranked = {i: rank for i, rank in ranked.items() if self._within(i, place)}
        if key and not _strong(ranked) and len(compact) >= TYPO_MIN_LENGTH:  # typos only when no good match
            for i, distance in self._near(compact):
                if (i not in ranked or ranked[i][1] >= INFIX) and (not place or self._within(i, place)):
                    ranked[i], vias[i] = (1, self._typo_rank(i, compact, distance)), TYPO
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

    def _by_code(self, code: str) -> list[tuple[int, str]]:
        """The entries a code designates, and how: a postal code's communes (most populous first), then the
        territory whose Insee code ("38240" is also Moissieu-sur-Dolon's), former code or SIREN it is."""
        if SIREN.match(code):
            return [(i, SIREN_MATCH) for i in self.by_code.get(code, [])]
        if COMMUNE_CODE.match(code):
            postal = sorted(self.by_postal_code.get(code, []), key=lambda i: -(self.entries[i].population or 0))
            return [(i, POSTAL) for i in postal] + [(i, INSEE) for i in self.by_code.get(code, [])]
        if DEPARTEMENT_CODE.match(code):
            found = self.by_code.get(code, [])
            # "38" is Isère, and "84" both Vaucluse and Auvergne-Rhône-Alpes: départements before régions.
            return [(i, DEPARTEMENT) for i in sorted((i for i in found if self.entries[i].kind in ("departement", "region")),
                                                      key=lambda i: self.entries[i].kind != "departement")]
        return []

    def _typo_rank(self, i: int, compact: str, distance: int) -> int:
        if distance > 1:
            return TWO_TYPOS
        if compact in self.compact[i]:
            return TYPO_WITHIN
        return TYPO_SAME_START if self.compact[i][:1] == compact[:1] else ONE_TYPO

    @staticmethod
    def _name_rank(name: str, key: str) -> int:
        if name == key:
            return EXACT
        if name.startswith(key):
            return PREFIX
        if (" " + key) in name:
            return WORD_PREFIX
        if key in name:
            return INFIX
        return ACROSS_WORDS  # only once spaces and punctuation are ignored ("labergement" for "L'Abergement")


def _strong(ranked: dict[int, tuple[int, int]]) -> bool:
    """Whether some entry matched by code, or by name exactly, as a prefix or a word prefix."""
    return any(tier == 0 or rank <= STRONG for tier, rank in ranked.values())


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
