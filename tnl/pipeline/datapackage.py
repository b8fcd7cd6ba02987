"""The Data Package: the one place where tables, columns and constraints are described.

`read` parses data/datapackage.yaml once into a `DataPackage`, which every step is handed in turn
(validate -> load -> publish) instead of re-reading the file.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from tnl import PROJECT_ROOT

DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
DESCRIPTOR_NAME = "datapackage.yaml"


@dataclass(frozen=True)
class DataPackage:
    data_dir: Path
    descriptor: dict

    @property
    def resources(self) -> list[dict]:
        return self.descriptor["resources"]

    def resource(self, name: str) -> dict:
        return next(r for r in self.resources if r["name"] == name)

    def path(self, resource: dict | str) -> Path:
        """The file of a resource (given by name or descriptor)."""
        resource = self.resource(resource) if isinstance(resource, str) else resource
        return self.data_dir / resource["path"]


def read(data_dir: Path) -> DataPackage:
    """Parse the descriptor (raises OSError, UnicodeDecodeError or yaml.YAMLError; validation reports them)."""
    data_dir = Path(data_dir)
    with open(data_dir / DESCRIPTOR_NAME, encoding="utf-8") as f:
        return DataPackage(data_dir, yaml.safe_load(f))


def fields(resource_descriptor: dict) -> list[dict]:
    return resource_descriptor["schema"]["fields"]


def primary_key(resource_descriptor: dict) -> list[str]:
    return list(resource_descriptor["schema"].get("primaryKey", []))
