"""Peers of a territory: same kind, comparable population, same région or nationwide. Pure functions over dicts."""
from __future__ import annotations

import bisect
import heapq
import itertools
import math
from collections import Counter
from dataclasses import dataclass, replace
from typing import Iterator, Mapping

from tnl.vocabulary import KIND_PLURALS

DEFAULT_MIN, DEFAULT_MAX = 0.5, 2.0
PER_PAGE = 50
PERIMETERS = ("region", "national")


@dataclass(frozen=True)
class Options:
    min: float = DEFAULT_MIN
    max: float = DEFAULT_MAX
    perimetre: str = "region"


def _ratio(value, default: float, low: float, high: float) -> float:
    try:
        ratio = float(str(value)[:20].replace(",", "."))
    except (TypeError, ValueError):
        return default
    return min(max(ratio, low), high) if math.isfinite(ratio) else default


def parse_options(args: Mapping[str, str], territory: dict) -> Options:
    """Query parameters ?min=0.5&max=2&perimetre=region|national, clamped so the territory is always in its band."""
    default_perimeter = "national" if territory["kind"] in ("departement", "region") else "region"
    perimeter = args.get("perimetre")
    return Options(
        min=_ratio(args.get("min"), DEFAULT_MIN, 0.0, 1.0),
        max=_ratio(args.get("max"), DEFAULT_MAX, 1.0, 100.0),
        perimetre=perimeter if perimeter in PERIMETERS else default_perimeter,
    )


def population_band(territory: dict, options: Options) -> tuple[int, int] | None:
    population = territory.get("population")
    if population is None:
        return None
    return math.ceil(population * options.min), math.floor(population * options.max)


def population_key(territory: dict) -> int:
    """Where a territory sorts by population; an unknown population sorts first, below any band."""
    population = territory.get("population")
    return -1 if population is None else population


def log_population(population: int) -> float:
    return math.log1p(max(population, 0))


def distance(population: int, reference: int) -> float:
    """How far two populations are, on a log scale (1,000 is as close to 2,000 as 2,000 to 4,000)."""
    return abs(log_population(population) - log_population(reference))


def _sort_key(territory: dict) -> tuple:
    return population_key(territory), territory["name"], territory["id"]


def _stratum_key(territory: dict) -> tuple:
    latest = territory["latest"]
    return (1, latest["edition"], latest["distinction"] or "", latest["label"]) if latest else (0,)


class _Stratum:
    """Territories of one group sharing their latest distinction (or never labelled), sorted by population both
    ways: a band is two bisections, and the closest populations are a walk down and a walk up from the pivot."""

    def __init__(self, rows: list[dict]):
        self.latest = rows[0]["latest"]
        self.ids = frozenset(r["id"] for r in rows)
        self.ascending = sorted(rows, key=_sort_key)
        self.populations = [population_key(r) for r in self.ascending]
        self.descending = sorted(rows, key=lambda r: (-population_key(r), r["name"], r["id"]))
        self.negated = [-population_key(r) for r in self.descending]
        # What ordering by closeness needs, computed once: (log of population, population, name, id, territory).
        self.ascending_keys = [(log_population(population_key(r)), *_sort_key(r), r) for r in self.ascending]
        self.descending_keys = [(log_population(population_key(r)), *_sort_key(r), r) for r in self.descending]
        self.markers = [marker(r) if r.get("latitude") is not None else None for r in self.ascending]
        self._positions: dict = {}  # name of a set of ids -> where its members stand in `ascending`

    def positions(self, name, ids) -> list[int]:
        """Indexes in `ascending` of the territories whose id is in `ids` (a set called `name`), found once: the
        comparison desk asks for the few holders of an indicator among thousands of peers on every page."""
        found = self._positions.get(name)
        if found is None:
            found = self._positions[name] = [i for i, r in enumerate(self.ascending) if r["id"] in ids]
        return found


class PeerIndex:
    """Every territory grouped by kind and perimeter (its région, or nationwide), sorted once: the data is immutable,
    and filtering then sorting a group of 14,000 communes on every page is what made a page slow."""

    def __init__(self, territories):
        groups: dict[tuple, dict[tuple, list[dict]]] = {}
        for territory in territories:
            for perimeter in ("national", territory.get("region_code")):
                groups.setdefault((territory["kind"], perimeter), {}).setdefault(_stratum_key(territory), []).append(territory)
        # Latest edition first, never labelled last: the order peers are listed in.
        self._groups = {group: [_Stratum(strata[key]) for key in sorted(strata, key=lambda k: (k[0], k[1:2]), reverse=True)]
                        for group, strata in groups.items()}

    def locate(self, sets: Mapping[object, frozenset]) -> None:
        """Where the members of each named set of ids stand in every stratum (what _Stratum.positions() finds on
        first use), in one pass over the strata at start-up: the first pages of a process then pay nothing for it,
        and one pass costs a tenth of asking each stratum about each set."""
        names_of: dict[str, list] = {}
        for name, ids in sets.items():
            for territory_id in ids:
                names_of.setdefault(territory_id, []).append(name)
        for strata in self._groups.values():
            for stratum in strata:
                found: dict = {name: [] for name in sets}
                for position, row in enumerate(stratum.ascending):
                    for name in names_of.get(row["id"], ()):
                        found[name].append(position)
                stratum._positions.update(found)

    def find(self, territory: dict, options: Options) -> "Peers":
        perimeter = "national" if options.perimetre == "national" else territory.get("region_code")
        band = population_band(territory, options)
        low, high = band if band is not None else (-math.inf, math.inf)
        strata = self._groups.get((territory["kind"], perimeter), [])
        return Peers([_Slice(stratum, territory, low, high) for stratum in strata])


def find_widening(index: PeerIndex, territory: dict, options: Options, asked: str | None) -> tuple["Peers", Options, bool]:
    """The peers by the rules asked for; when the région was not asked for explicitly and has no peer (Lyon: no
    other commune of its size in Auvergne-Rhône-Alpes; a territory without région), the whole of France instead, so
    that a page never opens on an empty comparison. Returns (peers, rules used, whether they were widened)."""
    found = index.find(territory, options)
    if found.total or options.perimetre != "region" or asked == "region":
        return found, options, False
    national = replace(options, perimetre="national")
    widened = index.find(territory, national)
    return (widened, national, True) if widened.total else (found, options, False)


class _Slice:
    """The territories of a stratum within the population band, the territory itself left out."""

    def __init__(self, stratum: _Stratum, territory: dict, low: float, high: float):
        self.stratum, self.territory_id, self.reference = stratum, territory["id"], population_key(territory)
        self.start = bisect.bisect_left(stratum.populations, low)
        self.stop = bisect.bisect_right(stratum.populations, high)
        self.pivot = bisect.bisect_left(stratum.populations, self.reference, self.start, self.stop)
        # In the descending list: populations below the territory's, down to the floor of the band.
        self.down_start = bisect.bisect_right(stratum.negated, -self.reference)
        self.down_stop = bisect.bisect_right(stratum.negated, -low)
        itself = self.territory_id in stratum.ids and low <= self.reference <= high
        self.count = self.stop - self.start - itself

    def closest(self) -> Iterator[tuple]:
        """(key, territory), closest population first, then name: a merge of the walks down and up from the pivot."""
        reference = log_population(self.reference)

        def walk(entries):
            for log, population, name, id, row in entries:
                if id != self.territory_id:
                    yield (abs(log - reference), population, name, id), row
        down = walk(itertools.islice(self.stratum.descending_keys, self.down_start, self.down_stop))
        up = walk(itertools.islice(self.stratum.ascending_keys, self.pivot, self.stop))
        return heapq.merge(down, up, key=_first)

    def markers(self) -> list[tuple]:
        return [m for m in self.stratum.markers[self.start:self.stop] if m is not None and m[2] != self.territory_id]

    def among(self, name, ids) -> list[dict]:
        positions = self.stratum.positions(name, ids)
        inside = positions[bisect.bisect_left(positions, self.start):bisect.bisect_left(positions, self.stop)]
        return [row for row in map(self.stratum.ascending.__getitem__, inside) if row["id"] != self.territory_id]


def _first(item: tuple):
    return item[0]


class Peers:
    """The peers of one territory: counted without being listed, listed lazily one page at a time."""

    def __init__(self, slices: list[_Slice]):
        self.slices = [s for s in slices if s.count]
        self.total = sum(s.count for s in self.slices)

    def ordered(self) -> Iterator[dict]:
        """Labelled peers first (latest edition first), then the others; within each, closest population first."""
        for _, slices in itertools.groupby(self.slices, key=lambda s: s.stratum.latest and s.stratum.latest["edition"]):
            for _, row in heapq.merge(*(s.closest() for s in slices), key=_first):
                yield row

    def counts(self) -> Counter:
        """How many peers at each latest distinction, by (scheme, rank, label)."""
        counts = Counter()
        for s in self.slices:
            if s.stratum.latest:
                latest = s.stratum.latest
                counts[(latest["scheme"], latest["rank"] or 0, latest["label"])] += s.count
        return counts

    def markers(self) -> list[tuple]:
        return [m for s in self.slices for m in s.markers()]

    def among(self, name, ids) -> list[dict]:
        """The peers whose id is in `ids`, unordered; `name` names that set, the same for the life of the process."""
        return [row for s in self.slices for row in s.among(name, ids)]

    def labelled(self) -> int:
        """How many peers were ever labelled (a stratum's territories share their latest distinction, or have none)."""
        return sum(s.count for s in self.slices if s.stratum.latest)


def summarise(counts: Counter, total: int) -> dict:
    """How many peers were ever labelled, and the share of peers at each latest distinction."""
    labelled = sum(counts.values())
    shares = [
        {"distinction": label, "count": count, "share": round(100 * count / total, 1)}
        for (scheme, rank, label), count in sorted(counts.items(), key=lambda item: (item[0][0] != "badge_bronze_argent_or", -item[0][1]))
    ]
    return {"total": total, "labelled": labelled, "labelled_share": round(100 * labelled / total, 1) if total else 0.0,
            "never_labelled": total - labelled, "shares": shares}


def _number(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _integer(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


def describe(territory: dict, options: Options, region_name: str | None, widened: bool = False) -> str:
    """The rules, in French, as written on the page (saying so when the région had no peer and France is used)."""
    plural = KIND_PLURALS.get(territory["kind"], territory["kind"])
    if widened:
        region = f"la région {region_name}" if region_name else "sa région"
        return (f"Aucun territoire comparable dans {region} : la comparaison est élargie à toute la France. "
                + describe(territory, options, region_name))
    where = (f"de la même région ({region_name or territory.get('region_code') or 'inconnue'})"
             if options.perimetre == "region" else "de toute la France")
    band = population_band(territory, options)
    if band is None:
        return (f"Pairs : les autres {plural} {where}. La population n'est pas connue pour ce type d'organisme, "
                "elle n'entre donc pas dans la comparaison.")
    return (f"Pairs : les autres {plural} {where} dont la population est comprise entre "
            f"{_number(options.min)} et {_number(options.max)} fois celle de ce territoire, soit de "
            f"{_integer(band[0])} à {_integer(band[1])} habitants.")


def page_number(value, pages: int) -> int:
    """?page=…, always a page that exists (digits only, and few of them: int() of 5,000 digits raises)."""
    value = str(value or "")
    return min(int(value), pages) if value.isascii() and value.isdigit() and len(value) < 10 and int(value) > 0 else 1


def marker(p: dict) -> tuple:
    """[lat, lon, id, name, distinction ("" if its level is unpublished, null if never labelled), label] for the map."""
    latest = p.get("latest")
    return (p["latitude"], p["longitude"], p["id"], p["name"], *((latest["distinction"] or "", latest["label"]) if latest else (None, None)))


def item(p: dict) -> dict:
    """A listed peer as the JSON gives it."""
    return {"id": p["id"], "name": p["name"], "departement_code": p.get("departement_code"),
            "population": p.get("population"), "latest": p.get("latest"), "latitude": p.get("latitude"),
            "longitude": p.get("longitude"), "url": f"/territoire/{p['id']}"}


def section(territory: dict, peers: Peers, options: Options, region_name: str | None, page="1", markers: bool = True,
            widened: bool = False, items: bool = True) -> dict:
    """The peers part of a territory page: rules used, summary, one page of the list, and every peer for the map.
    `items=False` lists the peers' territories themselves rather than their item(): the HTML page writes them as rows
    (tnl/site/pages/peer_rows.py) and needs no copy of each."""
    band = population_band(territory, options)
    pages = max(1, math.ceil(peers.total / PER_PAGE))
    page = page_number(page, pages)
    listed = list(itertools.islice(peers.ordered(), (page - 1) * PER_PAGE, page * PER_PAGE))
    return {
        "rules": {"kind": territory["kind"], "perimetre": options.perimetre, "region_code": territory.get("region_code"),
                  "min": options.min, "max": options.max, "population_min": band and band[0],
                  "population_max": band and band[1], "widened": widened,
                  "text": describe(territory, options, region_name, widened)},
        "summary": summarise(peers.counts(), peers.total), "page": page, "pages": pages, "per_page": PER_PAGE,
        "items": [item(p) for p in listed] if items else listed,
        "markers": peers.markers() if markers else None,
    }
