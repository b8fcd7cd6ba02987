"""Shared fixtures: a small real-schema package to break on purpose, and the database built from data/."""
from __future__ import annotations

import csv
import io
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

from tnl.pipeline.build import build
from tnl.pipeline.csv_writer import write_csv
from tnl.site.serve import datasette_app

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


@pytest.fixture
def browser():
    """Debian's headless chromium driven by Playwright (no browser download).

    Function-scoped: Playwright's sync API keeps an event loop running while it is open, which would
    break the asyncio tests that share the session.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    yield page
    context.close()

