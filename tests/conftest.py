"""Shared fixtures: a small real-schema package to break on purpose, the database built from data/, the real site on
loopback and a browser page that cannot reach anything beyond loopback; and the hypothesis profiles.
"""
from __future__ import annotations

import csv
import io
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlite_utils
from tnl.dev.browser import launch, offline
from build_cache import cached_build
from hypothesis import settings

from tnl.pipeline.csv_writer import write_csv
from tnl.site.http.serve import datasette_app

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
FIXTURE_PACKAGE = Path(__file__).parent / "fixtures" / "package"

# Hypothesis profiles, chosen with HYPOTHESIS_PROFILE (default `ci`, what `make test` and CI run): no test sets its own
# number of examples. No deadline: the machines that run the suite are shared, a slow example is not a failure.
settings.register_profile("ci", derandomize=True, print_blob=True, deadline=None, database=None, max_examples=100)
settings.register_profile("dev", max_examples=20, deadline=None)  # the edit loop (`make check`): random, quick
settings.register_profile("explore", max_examples=2000, deadline=None)  # on demand, to look for new bugs
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_collection_modifyitems(items):
    """Mark what `make check` leaves out: tests on the whole of data/ and browser tests (see pyproject's markers).

    Browser tests go last, in their order: once the session's browser is open no asyncio test can run in the process
    (see the `browser` fixture). pytest-xdist hands tests out in this order, so it holds on each worker too.
    """
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if "real_build" in used:
            item.add_marker("real_data")
        if "browser" in used:
            item.add_marker("browser")
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


def pytest_collection_finish(session):
    """The build of data/, once (tests/build_cache.py) and before any test, outside their time limit (from half a
    minute to several when the cores are shared); only if a test selected (`-m`, `-k`…) reads it."""
    if any("real_build" in getattr(item, "fixturenames", ()) for item in session.items):
        cached_build(DATA)


@pytest.fixture
def package_dir(tmp_path: Path) -> Path:
    """A copy of the small fixture package, described by the project's real datapackage.yaml."""
    target = tmp_path / "data"
    shutil.copytree(FIXTURE_PACKAGE, target)
    shutil.copy(DATA / "datapackage.yaml", target)
    return target


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory) -> Path:
    """The folder of a site built once from the good fixture package (tests copy it before breaking anything)."""
    data = tmp_path_factory.mktemp("good") / "data"
    shutil.copytree(FIXTURE_PACKAGE, data)
    shutil.copy(DATA / "datapackage.yaml", data)
    database, problems = cached_build(data)
    assert problems == [], problems
    return database.parent


@pytest.fixture(scope="session")
def real_build() -> tuple[Path | None, list[str]]:
    """`tnl build` of the project's data/, once per content (tests/build_cache.py): its validation, then the database.

    (database, []) when data/ is valid, (None, problems) otherwise: the one validation of data/ in the suite.
    """
    return cached_build(DATA)


@pytest.fixture(scope="session")
def real_problems(real_build) -> list[str]:
    return real_build[1]


@pytest.fixture(scope="session")
def built_db_path(real_build) -> Path:
    """The database built from the project's real data/ (session-wide: never written to by a test)."""
    database, problems = real_build
    assert problems == [], problems
    return database


@pytest.fixture(scope="session")
def db(built_db_path) -> sqlite_utils.Database:
    return sqlite_utils.Database(built_db_path)


@contextmanager
def serving(database: Path, stdout=subprocess.DEVNULL):
    """A real `tnl serve` process of database on a free loopback port; yields its base URL. stdout: its access log."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "tnl.cli", "serve", "--db", str(database), "--port", str(port)],
        stdout=stdout, stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # up to a minute: a start takes 3 s on an idle machine, more when the cores are shared
            try:
                urllib.request.urlopen(url + "/-/versions.json", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            process.kill()
            raise RuntimeError(process.stderr.read().decode())
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def set_cell(path: Path, line: int, column: str, value: str) -> None:
    """Write one cell through the csv module, so that any text is quoted as a spreadsheet would."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    rows[line - 1][rows[0].index(column)] = value
    write_csv(path, rows[0], rows[1:])


@pytest.fixture(scope="session")
def datasette(built_db_path):
    return datasette_app(built_db_path)


@pytest.fixture(scope="session")
def live_server(built_db_path):
    """The real site on loopback, for the browser tests and load runs."""
    with serving(built_db_path) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Debian's headless chromium driven by Playwright (no browser download), one per test session (per worker).

    Playwright's sync API leaves its event loop marked as running while the browser is open, which would stop the
    asyncio tests: pytest_collection_modifyitems runs every browser test after them, in each process.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def external_requests() -> list[str]:
    """URLs beyond loopback that the `page` asked for (map tiles…); none left the machine."""
    return []


@pytest.fixture
def page(browser, external_requests):
    """A fresh page (fr-FR, 1280×900), offline as every browser test (tnl/dev/browser.py): tiles get an empty PNG,
    anything else beyond loopback is aborted; both are listed in external_requests."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    offline(context, external_requests)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshots(request, tmp_path) -> Path:
    """Where the browser tests save their pictures: tmp_path, or docs/screenshots/ under `make screenshots`."""
    target = request.config.getoption("--screenshots")
    return Path(target) if target else tmp_path


def pytest_addoption(parser):
    parser.addoption("--screenshots", metavar="DIR", default=None,
                     help="save the browser tests' pictures for the README in DIR (make screenshots)")


def snapshot(directory: Path) -> dict[str, bytes | str]:
    """Every file (its bytes) and symlink (its target) under directory: a published build, compared byte for byte."""
    found = {}
    for root, dirs, files in os.walk(directory):
        for name in dirs + files:
            path = Path(root) / name
            key = str(path.relative_to(directory))
            if path.is_symlink():
                found[key] = "-> " + os.readlink(path)
            elif path.is_file():
                found[key] = path.read_bytes()
    return found

# The access log's handler keeps the stdout of the test that first logged: once pytest closes it, the logging module
# prints "--- Logging error ---" with its own traceback. That is the test harness, not the server: left out.
HARNESS_LOGGING_ERROR = re.compile(r"--- Logging error ---.*?Arguments: [^\n]*\n", re.DOTALL)


def console(capfd) -> str:
    return HARNESS_LOGGING_ERROR.sub("", capfd.readouterr().err)
