"""`tnl warm`: every page of the sitemap asked once through the given address, at a bounded rate (local server)."""
from __future__ import annotations

import re
import tempfile

import pytest
from click.testing import CliRunner

from conftest import serving
from tnl.cli import cli
from tnl.deploy import warm


def logged_paths(log: str) -> list[str]:
    return re.findall(r'"GET ([^"]+)"', log)


@pytest.mark.processes
def test_warm_asks_for_every_page_of_the_sitemap_once_within_the_rate(fixture_site):
    with tempfile.TemporaryFile("w+") as log:
        with serving(fixture_site / "tnl.db", stdout=log) as url:
            pages = warm.pages(url)
            outcome = warm.warm(url, rate=25, concurrency=3)
        log.seek(0)
        asked = logged_paths(log.read())
    assert len(pages) > 10 and "/" in pages and any(page.startswith("/territoire/") for page in pages)
    assert (outcome.pages, outcome.failed) == (len(pages), [])
    assert outcome.seconds >= (len(pages) - 1) / 25  # never faster than the rate
    for page in pages:
        assert asked.count(page) == 1, page


@pytest.mark.processes
def test_the_command_reports_pages_per_second_and_fails_on_an_unreachable_site(fixture_site):
    with serving(fixture_site / "tnl.db") as url:
        result = CliRunner().invoke(cli, ["warm", url, "--rate", "50", "--limit", "5"])
    assert result.exit_code == 0, result.output
    assert "5 pages chauffées" in result.output and "pages/s" in result.output
    unreachable = CliRunner().invoke(cli, ["warm", "http://127.0.0.1:9/"])
    assert unreachable.exit_code == 1 and "Plan du site illisible" in unreachable.output
