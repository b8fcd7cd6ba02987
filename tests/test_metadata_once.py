"""What frictionless works out for each metadata copy, worked out once: a field descriptor found valid passes again
without a new check (one with errors never does), a property name's snake case is kept."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import DATA
from frictionless import Field, system
from frictionless.vendors import stringcase

from tnl.pipeline.validate import validate

WRAPPED = Field.metadata_validate.__func__  # validate.py wraps it on import
ORIGINAL = WRAPPED.__wrapped__
FIELDS = [field for resource in yaml.safe_load((DATA / "datapackage.yaml").read_text(encoding="utf-8"))["resources"]
          for field in resource["schema"]["fields"]]
BROKEN = [
    {"name": "note", "type": "string", "constraints": {"minimum": 1}},  # a constraint its type does not know
    {"name": "edition", "type": "integer", "missingValues": "absent"},  # not a list
    {"name": 7, "type": "string"},  # a name that is not text
]
BROKEN_NOTE = ("        - name: note\n          type: string\n          title: Remarque\n          description: Anomalies",
               "        - name: note\n          type: string\n          constraints: {minimum: 1}\n          title: Remarque\n"
               "          description: Anomalies")


NAMES = ["missingValues", "trueValues", "bareNumber", "groupChar", "primaryKey", "foreignKeys", "x-unitCode", "déjàVu", "a1B2"]


def test_a_name_in_snake_case_is_frictionless_own():
    assert stringcase.snakecase.__wrapped__ is not stringcase.snakecase
    for name in NAMES:
        assert stringcase.snakecase(name) == stringcase.snakecase(name) == stringcase.snakecase.__wrapped__(name), name
    assert stringcase.snakecase("missingValues") == "missing_values"


def notes(check, descriptor: dict) -> list[str]:
    field_class = system.select_field_class(descriptor.get("type"))
    return [error.message for error in check(field_class, dict(descriptor))]


def test_every_field_of_the_package_passes_twice_as_frictionless_passes_it():
    assert len(FIELDS) > 50
    for descriptor in FIELDS:
        assert notes(ORIGINAL, descriptor) == notes(WRAPPED, descriptor) == notes(WRAPPED, descriptor) == [], descriptor


@pytest.mark.parametrize("descriptor", BROKEN, ids=["constraint", "missing values", "name"])
def test_a_broken_field_gets_frictionless_own_errors_every_time(descriptor):
    expected = notes(ORIGINAL, descriptor)
    assert expected
    assert notes(WRAPPED, descriptor) == expected
    assert notes(WRAPPED, descriptor) == expected


def test_a_field_broken_after_a_clean_validation_is_refused(package_dir: Path, monkeypatch):
    assert validate(package_dir) == []  # every field of the package now known valid
    descriptor = package_dir / "datapackage.yaml"
    text = descriptor.read_text(encoding="utf-8")
    assert BROKEN_NOTE[0] in text
    descriptor.write_text(text.replace(BROKEN_NOTE[0], BROKEN_NOTE[1]), encoding="utf-8")

    problems = validate(package_dir)
    monkeypatch.setattr(Field, "metadata_validate", classmethod(ORIGINAL))
    assert problems == validate(package_dir)
    assert [(p.file, p.field) for p in problems] == [("datapackage.yaml", "")]
    assert "descripteur invalide" in problems[0].message
