"""The reference geography in data/ (written by scripts/georef.py) is complete, well keyed and well placed."""
from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest
from geo_helpers import load_outlines
from stdnum.fr import siren

DATA = Path(__file__).resolve().parent.parent / "data"
METROPOLE_DE_LYON = "200046977"
# (south, north, west, east) of metropolitan France and of each DROM.
FRANCE_BOXES = {
    "metro": (41.3, 51.1, -5.2, 9.6),
    "971": (15.8, 16.6, -61.9, -61.0),
    "972": (14.3, 14.9, -61.3, -60.8),
    "973": (2.1, 5.8, -54.7, -51.6),
    "974": (-21.4, -20.8, 55.2, 55.9),
    "976": (-13.1, -12.6, 44.9, 45.4),
}
OUTLINE_TOLERANCE = 0.02  # degrees: the outlines are simplified
ARRONDISSEMENTS = [f"751{n:02d}" for n in range(1, 21)] + [f"6938{n}" for n in range(1, 10)] + [f"132{n:02d}" for n in range(1, 17)]


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    with (DATA / "territories.csv").open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["source"] == "georef"]


@pytest.fixture(scope="module")
def communes(rows) -> dict[str, dict]:
    return {row["cog_code"]: row for row in rows if row["kind"] == "commune"}


def test_counts_per_kind(rows):
    kinds = Counter(row["kind"] for row in rows)
    assert kinds["commune"] == 34875
    assert kinds["departement"] == 101
    assert kinds["region"] == 18
    assert 1200 <= kinds["epci"] <= 1300


def test_every_drom_commune_is_there(communes):
    drom = Counter(row["departement_code"] for row in communes.values() if row["departement_code"].startswith("97"))
    assert drom == {"971": 32, "972": 34, "973": 22, "974": 24, "976": 17}


@pytest.mark.parametrize("code", ["01053", "2A004", "2B033", "97411", "05074"])
def test_codes_are_strings_with_leading_zeros(communes, code):
    assert code in communes


def test_code_shapes(rows, communes):
    assert all(re.fullmatch(r"[0-9]{5}|2[AB][0-9]{3}", code) for code in communes)
    for code, row in communes.items():
        assert row["departement_code"] == (code[:3] if code.startswith("97") else code[:2])


def test_keys_are_unique(rows):
    assert max(Counter(row["id"] for row in rows).values()) == 1
    assert max(Counter((row["cog_code"], row["kind"]) for row in rows).values()) == 1


def test_sirens_pass_luhn(rows):
    with_siren = [row for row in rows if row["siren"]]
    assert len(with_siren) >= 34875 + 1200
    assert [row["siren"] for row in with_siren if not siren.is_valid(row["siren"])] == []
    assert all(row["id"] == row["siren"] for row in with_siren)


def test_every_commune_epci_exists(rows, communes):
    kinds = {row["id"]: row["kind"] for row in rows}
    # The Métropole de Lyon is a collectivité, not an EPCI, but its communes belong to it all the same.
    targets = {siren_: kind for siren_, kind in kinds.items() if kind == "epci" or siren_ == METROPOLE_DE_LYON}
    assert [c["cog_code"] for c in communes.values() if c["epci_siren"] and c["epci_siren"] not in targets] == []
    without = [c["cog_code"] for c in communes.values() if not c["epci_siren"]]
    assert len(without) <= 10, without


def test_metropole_de_lyon_is_a_collectivite(rows):
    lyon = next(row for row in rows if row["id"] == METROPOLE_DE_LYON)
    assert (lyon["kind"], lyon["epci_type"], lyon["seat_code"]) == ("collectivite", "", "69123")


def test_plm_are_communes_and_their_arrondissements_are_not(communes):
    assert {"75056", "69123", "13055"} <= set(communes)
    assert [code for code in ARRONDISSEMENTS if code in communes] == []


def test_populations(rows):
    by_kind = Counter()
    for row in rows:
        if row["kind"] in ("commune", "region"):
            by_kind[row["kind"]] += int(row["population"])
    assert by_kind["commune"] == by_kind["region"]
    assert 66_000_000 < by_kind["commune"] < 70_000_000


def in_france(lat: float, lon: float) -> bool:
    return any(south <= lat <= north and west <= lon <= east for south, north, west, east in FRANCE_BOXES.values())


def test_every_point_is_in_france_and_in_its_departement(rows):
    outlines = load_outlines(DATA / "georef" / "departements.geojson")
    assert len(outlines) == 101
    needing_tolerance, too_far = [], []
    for row in rows:
        lat, lon = float(row["latitude"]), float(row["longitude"])
        assert in_france(lat, lon), row["id"]
        distance = outlines[row["departement_code"]].distance(lon, lat)
        if distance > OUTLINE_TOLERANCE:
            too_far.append((row["id"], row["cog_code"], round(distance, 4)))
        elif distance > 0:
            needing_tolerance.append(row["cog_code"])
    assert too_far == []
    assert len(needing_tolerance) < 0.02 * len(rows), f"{len(needing_tolerance)} points outside their simplified outline"


def test_known_places(communes):
    lettret = communes["05074"]
    assert lettret["name"] == "Lettret"
    assert abs(float(lettret["latitude"]) - 44.48) < 0.05 and abs(float(lettret["longitude"]) - 6.07) < 0.05
    assert communes["05072"]["name"] == "Laye"
