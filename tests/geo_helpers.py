"""Pure-Python geometry for the tests (no shapely at test time): point in polygon and distance to its boundary.

Coordinates are (longitude, latitude) in degrees, as in GeoJSON; distances are planar, in degrees.
"""
from __future__ import annotations

import json
import math
from collections import defaultdict
from pathlib import Path

Edge = tuple[float, float, float, float]
BAND = 0.1  # height (degrees) of the horizontal bands that index the edges


def rings_of(geometry: dict) -> list[list[list[float]]]:
    """Every ring (exteriors and holes) of a GeoJSON Polygon or MultiPolygon."""
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"])
    if geometry["type"] == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    raise ValueError(f"not polygonal: {geometry['type']}")


def edges_of(rings: list[list[list[float]]]) -> list[Edge]:
    return [(*ring[i], *ring[i + 1]) for ring in rings for i in range(len(ring) - 1)]


def segment_distance(x: float, y: float, edge: Edge) -> float:
    x1, y1, x2, y2 = edge
    dx, dy = x2 - x1, y2 - y1
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / length2))
    return math.hypot(x - (x1 + t * dx), y - (y1 + t * dy))


class Outline:
    """A polygonal outline whose edges are bucketed by horizontal band, so a ray cast reads only a few of them."""

    def __init__(self, geometry: dict):
        self.edges = edges_of(rings_of(geometry))
        self.bands: dict[int, list[Edge]] = defaultdict(list)
        for edge in self.edges:
            low, high = sorted((edge[1], edge[3]))
            for band in range(math.floor(low / BAND), math.floor(high / BAND) + 1):
                self.bands[band].append(edge)

    def contains(self, x: float, y: float) -> bool:
        """Ray casting (even-odd rule over all rings, so holes and enclaves are outside)."""
        inside = False
        for x1, y1, x2, y2 in self.bands.get(math.floor(y / BAND), ()):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
        return inside

    def distance(self, x: float, y: float) -> float:
        """0 inside, else the distance to the nearest edge."""
        return 0.0 if self.contains(x, y) else min(segment_distance(x, y, edge) for edge in self.edges)


def load_outlines(path: Path) -> dict[str, Outline]:
    """GeoJSON FeatureCollection -> {properties.code: Outline}."""
    collection = json.loads(Path(path).read_text(encoding="utf-8"))
    return {feature["properties"]["code"]: Outline(feature["geometry"]) for feature in collection["features"]}
