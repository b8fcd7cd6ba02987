"""The Data Package: the one place where tables, columns and constraints are described.

`read` parses data/datapackage.yaml once into a `DataPackage`, which every step is handed in turn
(validate -> load -> publish) instead of re-reading the file.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from yaml._yaml import CParser  # libyaml, in every PyYAML wheel (yaml.CSafeLoader is built on it)
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from tnl import PROJECT_ROOT

DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
DESCRIPTOR_NAME = "datapackage.yaml"
# The real descriptor: 35 KB, depth 7, about 1,500 nodes and no alias. An alias bomb (a few aliases, each repeating
# the previous one) stays small as YAML and grows exponentially once expanded: counted expanded, not as written.
MAX_DESCRIPTOR_BYTES = 1_000_000
MAX_DEPTH = 32
MAX_EXPANDED_NODES = 100_000
TOO_DEEP = f"descripteur trop imbriqué : plus de {MAX_DEPTH} niveaux"


class DescriptorRefused(yaml.YAMLError):
    """A descriptor too large, too deep or expanding to too many values; the message is French."""


class BoundedLoader(Composer, CParser, SafeConstructor, Resolver):
    """PyYAML's safe loader (plain data only) with bounds on nesting depth and on the size of the expanded document.

    libyaml (C) reads the events, PyYAML's own composer builds the nodes from them, so that the depth is counted as
    they nest: 8× faster than the pure-Python SafeLoader, and every fixture build of the tests reads a descriptor."""

    def __init__(self, stream):
        CParser.__init__(self, stream)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self.depth = 0

    def compose_node(self, parent, index):
        self.depth += 1
        if self.depth > MAX_DEPTH:  # before Python's own recursion limit: a RecursionError traceback otherwise
            raise DescriptorRefused(TOO_DEEP)
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def get_single_node(self):
        try:
            node = super().get_single_node()
        except yaml.YAMLError as error:
            if getattr(error, "problem", None) == "exceeded maximum nesting depth":  # libyaml's own bound: 1,000 [ or {
                raise DescriptorRefused(TOO_DEEP) from None
            raise
        if node is not None and _expanded_size(node, {}) > MAX_EXPANDED_NODES:
            raise DescriptorRefused(f"descripteur trop grand une fois les alias YAML développés : plus de {MAX_EXPANDED_NODES} valeurs")
        return node


def _expanded_size(node, sizes: dict) -> int:
    """How many values the node holds once every alias is replaced by what it names (each node counted once)."""
    if id(node) in sizes:
        if sizes[id(node)] is None:
            raise DescriptorRefused("alias YAML récursif : une valeur se contient elle-même")
        return sizes[id(node)]
    sizes[id(node)] = None  # being counted
    size = 1
    if isinstance(node, yaml.SequenceNode):
        size += sum(_expanded_size(child, sizes) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        size += sum(_expanded_size(k, sizes) + _expanded_size(v, sizes) for k, v in node.value)
    sizes[id(node)] = size
    return size


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
    """Parse the descriptor, bounded (raises OSError, UnicodeDecodeError or yaml.YAMLError, DescriptorRefused among
    them; validation reports them)."""
    data_dir = Path(data_dir)
    with open(data_dir / DESCRIPTOR_NAME, "rb") as f:
        raw = f.read(MAX_DESCRIPTOR_BYTES + 1)
    if len(raw) > MAX_DESCRIPTOR_BYTES:
        raise DescriptorRefused(f"descripteur de plus de {MAX_DESCRIPTOR_BYTES // 1_000_000} Mo")
    return DataPackage(data_dir, copy.deepcopy(_parsed(raw)))  # a copy: a caller may change its descriptor


@lru_cache(maxsize=4)
def _parsed(raw: bytes):
    """The descriptor's YAML, parsed once per content: a build reads it several times (validation, versions,
    metadata), and parsing costs 20 times a copy (15.6 against 0.75 ms for data/'s); a refusal is not kept."""
    return yaml.load(raw.decode("utf-8"), Loader=BoundedLoader)


def fields(resource_descriptor: dict) -> list[dict]:
    return resource_descriptor["schema"]["fields"]


def primary_key(resource_descriptor: dict) -> list[str]:
    return list(resource_descriptor["schema"].get("primaryKey", []))
