"""`tnl annual`: the yearly update on a SYNTHETIC edition of the small fixture package, end to end, in tmp folders.

The rehearsal (no --apply) must leave data/ and what is served untouched; --apply writes data/, CHANGELOG.md and
CITATION.cff and rolls a running local cluster onto the new database; a bad list stops it before anything is written.
"""
from __future__ import annotations

import json
import shutil
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from tnl.dev.questionnaire_synthetic import add_questions, export_rows, write_xlsx
from tnl import PROJECT_ROOT
from tnl.cli import cli
from tnl.deploy import annual
from tnl.deploy.cluster import Cluster, free_port
from tnl.pipeline.build import build
from conftest import snapshot

EDITION = 2026
SOURCE = "https://example.org/liste-officielle-2026-synthetique"
OFFICIAL = """name,departement,siren,cog_code,distinction,mentions
Ville de Lettret (05),05,,05074,niveau_2,
Ville de Gap,05,210500617,,niveau_3,
Ville d'Échirolles,38,213801517,,niveau_5,Mention synthétique de test
"""


@pytest.fixture
def edition(package_dir: Path, tmp_path: Path) -> dict:
    """The fixture package with a synthetic 2026 edition announced, its official list and questionnaire export."""
    with open(package_dir / "editions.csv", "a", encoding="utf-8") as f:
        f.write(f"{EDITION},{EDITION}-06-01,{EDITION}-10-31,{EDITION}-12-01,{EDITION}-12-01,Cérémonie synthétique,,3,"
                f"{SOURCE},niveaux_1_5,,{SOURCE},Édition SYNTHÉTIQUE des tests\n")
    for name in annual.COMPANIONS:
        shutil.copy(PROJECT_ROOT / name, package_dir.parent / name)
    questions = add_questions(package_dir, EDITION, 4)
    rows = export_rows(["210500617", "210500740", "213801517", "213801855"], EDITION, questions, 0.75, seed=3)
    official = tmp_path / "liste.csv"
    official.write_text(OFFICIAL, encoding="utf-8")
    return {"data": package_dir, "official": official, "questionnaire": write_xlsx(tmp_path / "export.xlsx", rows)}


def run_annual(edition: dict, *options: str):
    return CliRunner().invoke(cli, ["annual", "--data", str(edition["data"]), "--edition", str(EDITION), "--official",
                                    str(edition["official"]), "--questionnaire", str(edition["questionnaire"]),
                                    "--source", SOURCE, *options], catch_exceptions=False)


@pytest.mark.timeout(600)
@pytest.mark.processes
def test_the_rehearsal_runs_every_stage_and_writes_nothing(edition, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the work folder goes under ./build/annual
    before = snapshot(edition["data"].parent)
    result = run_annual(edition)
    assert result.exit_code == 0, result.output
    for stage in ("Import", "Version", "Construction", "Vérifications"):
        assert f"== {stage}" in result.output
    assert "Mise en service" not in result.output and "Répétition terminée" in result.output
    assert "(précédente : aucune)" in result.output  # the fixture package has no release yet: its first version
    assert snapshot(edition["data"].parent) == before
    assert not list((tmp_path / "build" / "annual").iterdir())  # the rehearsal's folder is removed


@pytest.mark.timeout(600)
@pytest.mark.processes
def test_apply_publishes_the_data_and_rolls_the_cluster_onto_the_new_database(edition, tmp_path):
    served = build(edition["data"], tmp_path / "served" / "tnl.db")
    cluster = Cluster(tmp_path / "cluster")
    cluster.start(served, replicas=1, port=free_port())
    try:
        old = json.loads(urllib.request.urlopen(cluster.url + "/-/sante.json", timeout=10).read())["base_sha256"]
        outcome = annual.run(EDITION, edition["official"], edition["questionnaire"], SOURCE, data_dir=edition["data"],
                             work_root=tmp_path / "work", apply=True, cluster=cluster, report=lambda line: None)
        assert [stage.name.split()[0] for stage in outcome.stages] == ["Import", "Version", "Construction",
                                                                       "Vérifications", "Publication", "Mise"]
        new = json.loads(urllib.request.urlopen(cluster.url + "/-/sante.json", timeout=10).read())["base_sha256"]
        assert new != old and outcome.database is not None and outcome.database.exists()
        page = urllib.request.urlopen(cluster.url + "/territoire/210500617", timeout=30).read().decode()
        assert str(EDITION) in page
    finally:
        cluster.stop()
    results = (edition["data"] / "results.csv").read_text(encoding="utf-8")
    assert f"{EDITION},210500617" in results
    changelog = (edition["data"].parent / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{outcome.version}]" in changelog and SOURCE in changelog


def test_a_bad_official_list_stops_before_anything_is_written(edition, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    edition["official"].write_text(OFFICIAL.replace("niveau_3", "niveau_9"), encoding="utf-8")
    before = snapshot(edition["data"].parent)
    result = run_annual(edition, "--apply")
    assert result.exit_code == 1
    assert "niveau_9" in result.output and "rien n'a été écrit ni mis en service" in result.output
    assert "== Construction" not in result.output
    assert snapshot(edition["data"].parent) == before
