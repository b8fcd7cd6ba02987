"""Peers of a territory: same kind, comparable population, same région or nationwide. Pure functions over dicts."""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Mapping

KIND_LABELS = {
    "commune": "commune", "epci": "EPCI", "departement": "département", "region": "région",
    "collectivite": "collectivité à statut particulier", "syndicat": "syndicat",
    "etablissement_public": "établissement public", "association": "association", "autre": "autre organisme",
}
KIND_PLURALS = {
    "commune": "communes", "epci": "EPCI", "departement": "départements", "region": "régions",
    "collectivite": "collectivités à statut particulier", "syndicat": "syndicats",
    "etablissement_public": "établissements publics", "association": "associations", "autre": "autres organismes",
}
DEFAULT_MIN, DEFAULT_MAX = 0.5, 2.0
PER_PAGE = 50
PERIMETERS = ("region", "national")
NEVER = "Jamais labellisé"
UNPUBLISHED = "Labellisé (niveau non publié)"


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


def _matcher(territory: dict, options: Options):
    band, kind, region = population_band(territory, options), territory["kind"], territory.get("region_code")
    national = options.perimetre == "national"

    def matches(candidate: dict) -> bool:
        if candidate["kind"] != kind or candidate["id"] == territory["id"]:
            return False
        if not national and candidate.get("region_code") != region:
            return False
        population = candidate.get("population")
        return band is None or (population is not None and band[0] <= population <= band[1])
    return matches


def is_peer(territory: dict, candidate: dict, options: Options) -> bool:
    return _matcher(territory, options)(candidate)


def find_peers(territory: dict, candidates, options: Options) -> list[dict]:
    """Labelled peers first (latest edition first), then the closest populations."""
    reference = math.log((territory.get("population") or 0) + 1)

    def order(peer: dict):
        latest = peer["latest"]
        return (latest is None, -latest["edition"] if latest else 0,
                abs(math.log((peer.get("population") or 0) + 1) - reference), peer["name"])
    return sorted(filter(_matcher(territory, options), candidates), key=order)


def summarise(peers: list[dict]) -> dict:
    """How many peers were ever labelled, and the share of peers at each latest distinction."""
    counts = Counter((p["latest"]["scheme"], p["latest"]["rank"] or 0, p["latest"]["label"])
                     for p in peers if p.get("latest"))
    labelled = sum(counts.values())
    total = len(peers)
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


def describe(territory: dict, options: Options, region_name: str | None) -> str:
    """The rules, in French, as written on the page."""
    plural = KIND_PLURALS.get(territory["kind"], territory["kind"])
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


def section(territory: dict, found: list[dict], options: Options, region_name: str | None, page="1", markers: bool = True) -> dict:
    """The peers part of a territory page: rules used, summary, one page of the list, and every peer for the map."""
    band = population_band(territory, options)
    pages = max(1, math.ceil(len(found) / PER_PAGE))
    page = page_number(page, pages)
    return {
        "rules": {"kind": territory["kind"], "perimetre": options.perimetre, "region_code": territory.get("region_code"),
                  "min": options.min, "max": options.max, "population_min": band and band[0],
                  "population_max": band and band[1], "text": describe(territory, options, region_name)},
        "summary": summarise(found), "page": page, "pages": pages, "per_page": PER_PAGE,
        "items": [
            {"id": p["id"], "name": p["name"], "departement_code": p.get("departement_code"), "population": p.get("population"),
             "latest": p.get("latest"), "latitude": p.get("latitude"), "longitude": p.get("longitude"), "url": f"/territoire/{p['id']}"}
            for p in found[(page - 1) * PER_PAGE:page * PER_PAGE]
        ],
        "markers": [p.get("marker") or marker(p) for p in found if p.get("latitude") is not None] if markers else None,
    }
