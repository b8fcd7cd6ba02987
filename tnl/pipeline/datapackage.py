"""The Data Package descriptor: the one place where tables, columns and constraints are described."""
from __future__ import annotations

from pathlib import Path

import yaml

from tnl import PROJECT_ROOT

DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
DESCRIPTOR_NAME = "datapackage.yaml"


def read_descriptor(data_dir: Path) -> dict:
    """The descriptor as a plain dict (for the build and metadata; validation goes through frictionless)."""
    with open(Path(data_dir) / DESCRIPTOR_NAME, encoding="utf-8") as f:
        return yaml.safe_load(f)


def resources(descriptor: dict) -> list[dict]:
    return descriptor["resources"]


def resource(descriptor: dict, name: str) -> dict:
    return next(r for r in descriptor["resources"] if r["name"] == name)


def fields(resource_descriptor: dict) -> list[dict]:
    return resource_descriptor["schema"]["fields"]


def primary_key(resource_descriptor: dict) -> list[str]:
    return list(resource_descriptor["schema"].get("primaryKey", []))
