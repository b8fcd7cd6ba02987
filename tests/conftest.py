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


@pytest.fixture(scope="session")
def datasette(built_db_path):
    """The site as `tnl serve` configures it, for Datasette's in-process test client."""
    import json

    from datasette.app import Datasette

    from tnl.build import metadata_path
    from tnl.serve import ROOT, SETTINGS

    return Datasette(
        immutables=[str(built_db_path)],
        metadata=json.loads(metadata_path(built_db_path).read_text(encoding="utf-8")),
        plugins_dir=str(ROOT / "plugins") if (ROOT / "plugins").is_dir() else None,
        template_dir=str(ROOT / "templates") if (ROOT / "templates").is_dir() else None,
        static_mounts=[("static", str(ROOT / "static"))] if (ROOT / "static").is_dir() else [],
        settings={name: _setting(value) for name, value in SETTINGS.items()},
        cors=True,
    )


def _setting(value: str):
    return {"on": True, "off": False}.get(value, int(value) if value.isdigit() else value)


@pytest.fixture(scope="session")
def live_server(built_db_path):
    """A real `tnl serve` process on a free loopback port, for the browser tests and load runs."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "tnl.cli", "serve", "--db", str(built_db_path), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/-/versions.json", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        raise RuntimeError(process.stderr.read().decode())
    yield url
    process.terminate()
    process.wait(timeout=10)


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


def pytest_configure(config):
    """Plugins are plain modules in plugins/: make their pure helpers importable by the tests."""
    import sys

    sys.path.insert(0, str(ROOT / "plugins"))
