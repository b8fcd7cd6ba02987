"""Shared fixtures: a small real-schema package to break on purpose, and the database built from data/."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlite_utils

from tnl.build import build

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
FIXTURE_PACKAGE = Path(__file__).parent / "fixtures" / "package"


@pytest.fixture
def package_dir(tmp_path: Path) -> Path:
    """A copy of the small fixture package, described by the project's real datapackage.yaml."""
    target = tmp_path / "data"
    shutil.copytree(FIXTURE_PACKAGE, target)
    shutil.copy(DATA / "datapackage.yaml", target)
    return target


@pytest.fixture(scope="session")
def built_db_path(tmp_path_factory) -> Path:
    """The database built from the project's real data/ (once per test session)."""
    return build(DATA, tmp_path_factory.mktemp("build") / "tnl.db")


@pytest.fixture(scope="session")
def db(built_db_path) -> sqlite_utils.Database:
    return sqlite_utils.Database(built_db_path)
