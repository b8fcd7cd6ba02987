"""Refuse what looks like a person's name (« Prénom NOM ») in a text or a source URL: the data names bodies, never people.

Given names come from the dictionary shipped by the gender-guesser package (data/nam_dict.txt, J. Michael's
"gender" list): the names it marks as used in France at least at FRANCE_MIN_FREQUENCY. A text is refused when
a given name and another capitalised word stand side by side (« Jean Dupont », « DUPONT Jeanne »); a URL when a
given name is followed by another word of its host or path (« …/entretien-avec-jean-dupont »).

Limits, on purpose: a name glued to another word (« jeandupont.example ») or a surname alone is not seen; a body
named after a person (« Lycée Victor Hugo ») is refused, to be entered by hand. Pairs found in a territory's name
(« Pierre-Bénite », « Saint-Denis ») and words that are mostly common nouns here are never taken for a person.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Callable
from urllib.parse import unquote, urlsplit

from tnl.text import normalise

FRANCE_COLUMN = 37          # nam_dict.txt: one frequency column per country; France is the 8th, from column 30
FRANCE_MIN_FREQUENCY = 2    # hexadecimal 1 (rare) to D (very common): 677 names from 2 up; at 1, place names (Fleury) creep in
NOT_PEOPLE = {  # given names in the dictionary that are, in our texts, places, institutions or common words
    "france", "grand", "ville", "paris", "albi", "nancy", "florence", "lorraine", "loire", "saint", "sainte",
    "rose", "mai", "juin", "avril", "pascal", "prix", "label", "libre", "open", "or", "argent", "bronze", "badge",
    "niveau", "est", "ouest", "nord", "sud", "mont", "val", "marne", "seine", "gironde", "vienne", "savoie",
}
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    text = (resources.files("gender_guesser") / "data" / "nam_dict.txt").read_text(encoding="utf-8")
    names = set()
    for line in text.splitlines():
        if line[:1] in ("#", "=", "") or len(line) <= FRANCE_COLUMN:
            continue
        frequency = line[FRANCE_COLUMN].strip()
        if frequency and int(frequency, 16) >= FRANCE_MIN_FREQUENCY:
            names.add(normalise(line.split()[1].replace("+", "-")))
    return frozenset(names - NOT_PEOPLE)


def place_pairs(place_names) -> frozenset[tuple[str, str]]:
    """Adjacent words of each territory name: « Pierre-Bénite » gives (pierre, benite), never a person."""
    pairs = set()
    for name in place_names:
        words = normalise(name).split()
        pairs.update(zip(words, words[1:]))
    return frozenset(pairs)


def person_in_text(text: str, places: Callable[[], frozenset] = frozenset) -> str | None:
    """The « Prénom Nom » found in text, if any; places() gives place_pairs, asked only when a name is seen."""
    words = [w for word in WORD.findall(text) for w in re.split(r"[-']", word) if w]
    names = given_names()
    for i, (first, second) in enumerate(zip(words, words[1:])):
        if not (_capitalised(first) and _capitalised(second)):
            continue
        a, b = normalise(first), normalise(second)
        if ((a in names and len(b) > 1 and b not in NOT_PEOPLE) or (b in names and first.isupper() and len(a) > 1)) \
                and not _after_saint(words, i) and (a, b) not in places():
            return f"{first} {second}"
    return None


def person_in_url(url: str, places: Callable[[], frozenset] = frozenset) -> str | None:
    """The given name and the word after it, if host or path reads like « …prenom-nom… »."""
    parts = urlsplit(url)
    words = normalise(unquote(f"{parts.hostname or ''} {parts.path} {parts.query}")).split()
    names = given_names()
    for i, (a, b) in enumerate(zip(words, words[1:])):
        if a in names and len(b) > 2 and b.isalpha() and b not in NOT_PEOPLE \
                and not _after_saint(words, i) and (a, b) not in places():
            return f"{a} {b}"
    return None


def _after_saint(words: list[str], i: int) -> bool:
    return i > 0 and normalise(words[i - 1]) in ("saint", "sainte", "st", "ste")


def _capitalised(word: str) -> bool:
    first = unicodedata.normalize("NFD", word)[:1]
    return first.isupper()
