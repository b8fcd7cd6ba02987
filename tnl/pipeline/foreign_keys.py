"""Foreign keys checked during frictionless' own validation, each referenced table read once for all its keys.

Why hand-written, when the house prefers the library: frictionless 5 builds, for EVERY foreign key of every
resource it opens, a full metadata copy of the referenced resource (`to_copy()`, a JSON Schema validation of
each of its fields) and reads and types the whole referenced CSV again. On the real data/, territories.csv
(36,000 rows) is read 7 times for 13 keys; over the 31 fixture packages of tests/test_robustness_inputs.py it made
24,769 metadata copies, and `TableResource.__open_lookup` was 60 % of all the validation time. Checked here, the
frictionless part of validating data/ takes 3.0 s of CPU instead of 6.2 s, of the fixture package 0.28 s instead of
0.49 s (benchmarks/validation_time.py, 2026-12-07).

What is kept from frictionless, so that the problems are exactly those it reports:
- the referenced keys are read as its lookup reads them: a copy of the referenced resource without foreign keys
  of its own, its row stream (same dialect, same types: « 02023 » is the integer 2023, a missing value or a cell
  with a type error is None), rows whose key cells are all None left out; one copy and one pass per table;
- the referencing rows are its own `Row` objects, met during its validation of the table (no second reading):
  same row numbers, same typed cells, a row whose key cells are all None skipped;
- each problem is its own `ForeignKeyError.from_row`, with its note, counted in its limit of errors per table.
  At that limit (1,000 errors in one table) the one row that crosses it may keep another subset of its errors:
  frictionless lists a row's foreign-key errors before some of its other errors, this check after them all.
What this module does not mirror (a key referencing a resource that does not exist, a referenced table frictionless
cannot open or read) is left to frictionless' own validation, unchanged.
"""
from __future__ import annotations

from collections import defaultdict

import attrs
from frictionless import Check, Checklist, FrictionlessException, Package, Report, errors

Key = tuple[str, ...]


class Unmirrored(Exception):
    """A foreign key whose reading frictionless would refuse: its own validation names the problem."""


def validate(package: Package) -> Report:
    """The report of `package.validate()`; the package's resources lose their foreign keys to the check below.

    The package was built from its descriptor, so frictionless has already refused a key of the wrong shape."""
    try:
        references = {resource.name: list(resource.schema.foreign_keys) for resource in package.resources if resource.schema}
        known = _known_keys(package, references)
    except (FrictionlessException, Unmirrored):
        return package.validate()
    for resource in package.resources:
        if resource.schema:
            resource.schema.foreign_keys = []
    return package.validate(Checklist(checks=[ForeignKeyCheck(references=references, known=known)]))


def _source(name: str, reference: dict) -> str:
    """The referenced resource, as frictionless names it: an empty or own name is a self-reference."""
    return reference["resource"] or name


def _known_keys(package: Package, references: dict[str, list[dict]]) -> dict[tuple[str, Key], set[tuple]]:
    """{(referenced resource, key fields): the set of key tuples it holds}, each referenced resource read once."""
    wanted: dict[str, set[Key]] = defaultdict(set)
    for name, keys in references.items():
        for key in keys:
            source = _source(name, key["reference"])
            if not package.has_resource(source):
                raise Unmirrored(source)
            wanted[source].add(tuple(key["reference"]["fields"]))
    known = {}
    for source, fields in wanted.items():
        copy = package.get_resource(source).to_copy()  # as frictionless does: the package's own stays closed
        if copy.schema:
            copy.schema.foreign_keys = []
        found = {key: set() for key in fields}
        with copy:
            for row in copy.row_stream:
                for key, values in found.items():
                    cells = tuple(row.get(field) for field in key)
                    if set(cells) != {None}:
                        values.add(cells)
        known.update({(source, key): values for key, values in found.items()})
    return known


@attrs.define(kw_only=True, repr=False)
class ForeignKeyCheck(Check):
    """Each row's foreign keys against the keys read beforehand, in frictionless' words."""

    type = "tnl-foreign-key"
    Errors = [errors.ForeignKeyError]

    references: dict[str, list[dict]]
    known: dict[tuple[str, Key], set[tuple]]

    def validate_row(self, row):
        name = self.resource.name
        for key in self.references.get(name, ()):
            fields, reference = key["fields"], key["reference"]
            if not all(field in row for field in fields):  # a column missing from the header: frictionless skips the key
                continue
            cells = tuple(row[field] for field in fields)
            if set(cells) == {None}:
                continue
            if cells not in self.known[_source(name, reference), tuple(reference["fields"])]:
                note = 'for "%s": values "%s" not found in the lookup table "%s" as "%s"' % (
                    ", ".join(fields), ", ".join(str(d) for d in cells), reference["resource"], ", ".join(reference["fields"]))
                yield errors.ForeignKeyError.from_row(row, note=note, field_names=list(fields), field_values=list(cells),
                                                      reference_name=reference["resource"],
                                                      reference_field_names=list(reference["fields"]))
