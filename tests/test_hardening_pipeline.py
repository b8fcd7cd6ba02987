"""The pipeline reads only what the package declares inside data/, and publishes a build as one atomic step (issue 18)."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DATA, snapshot

from tnl.build_layout import SUMS_NAME, read_sums
from tnl.cli import cli
from tnl.pipeline import bundle, datapackage, publish
from tnl.pipeline.build import build
from tnl.pipeline.datapackage import MAX_DEPTH, MAX_EXPANDED_NODES
from tnl.pipeline.validate import MAX_LINE_CHARACTERS, validate
from tnl.site.http.serve import datasette_app


def edit_descriptor(data: Path, old: str, new: str) -> None:
    path = data / "datapackage.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def refused(data: Path) -> list[str]:
    """The lines `tnl validate` prints; it must exit 1 without a traceback."""
    result = CliRunner().invoke(cli, ["validate", "--data", str(data)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output[-2000:]
    return result.output.splitlines()


@pytest.mark.parametrize("path", ["../../etc/passwd", "/etc/passwd", "https://example.org/editions.csv", "data/../editions.csv"])
def test_a_resource_path_outside_data_is_refused(package_dir, path):
    edit_descriptor(package_dir, "path: editions.csv", f"path: '{path}'")
    lines = refused(package_dir)
    assert lines[0].startswith("datapackage.yaml, champ « resources[0].path » : chemin refusé")
    assert "root:" not in "\n".join(lines)


def test_a_symlink_leading_out_of_data_is_refused_and_never_read(package_dir, tmp_path):
    outside = tmp_path / "outside.csv"
    shutil.move(package_dir / "editions.csv", outside)  # a valid CSV: it would pass every other check
    (package_dir / "editions.csv").symlink_to(outside)
    lines = refused(package_dir)
    assert lines[0] == ("datapackage.yaml, champ « resources[0].path » : lien symbolique vers l'extérieur du dossier "
                        "des données ; attendu : un fichier du dossier lui-même")
    output = tmp_path / "site" / "tnl.db"
    result = CliRunner().invoke(cli, ["build", "--data", str(package_dir), "--output", str(output)])
    assert result.exit_code == 1
    assert not output.exists()


def test_a_symlink_to_the_process_environment_prints_nothing_of_it(package_dir):
    (package_dir / "editions.csv").unlink()
    (package_dir / "editions.csv").symlink_to("/proc/self/environ")
    output = "\n".join(refused(package_dir))
    assert "PATH=" not in output and "HOME=" not in output


@pytest.mark.parametrize("old, new, field", [
    ("profile: tabular-data-package", "profile: https://example.org/profile.json", "profile"),
    ("    profile: tabular-data-resource", "    profile: https://example.org/resource.json", "resources[0].profile"),
    ("    profile: tabular-data-resource", "    profile: tabular-data-resource\n    dialect: https://example.org/d.json",
     "resources[0].dialect"),
    ("    profile: tabular-data-resource", "    profile: tabular-data-resource\n    dialect: /etc/dialect.json",
     "resources[0].dialect"),
])
def test_profiles_and_dialects_by_url_or_file_are_refused(package_dir, old, new, field):
    edit_descriptor(package_dir, old, new)
    lines = refused(package_dir)
    assert lines[0].startswith(f"datapackage.yaml, champ « {field} » : ")
    assert "hors ligne" in lines[0]


def test_a_schema_by_url_is_refused(package_dir):
    text = (package_dir / "datapackage.yaml").read_text(encoding="utf-8")
    start = text.index("    schema:", text.index("path: editions.csv"))
    end = text.index("\n  - name:", start)
    (package_dir / "datapackage.yaml").write_text(text[:start] + "    schema: https://example.org/schema.json" + text[end:],
                                                  encoding="utf-8")
    lines = refused(package_dir)  # refused as an incomplete resource, before anything could fetch the schema
    assert lines[0].startswith("datapackage.yaml, champ « resources[0] » : ressource incomplète"), lines


ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8))


@pytest.mark.parametrize("text, fragment", [
    (ALIAS_BOMB, f"plus de {MAX_EXPANDED_NODES} valeurs"),
    ("resources:\n  - name: x\n    schema: &s {fields: [*s]}\n", "alias YAML récursif"),
    ("a: " + "[" * 5000 + "]" * 5000 + "\n", f"plus de {MAX_DEPTH} niveaux"),
    ("a: " + "x" * 1_100_000 + "\n", "descripteur de plus de 1 Mo"),
])
def test_hostile_yaml_is_refused_early_with_one_short_message(package_dir, text, fragment):
    (package_dir / "datapackage.yaml").write_text(text, encoding="utf-8")
    lines = refused(package_dir)
    assert len(lines) == 2 and fragment in lines[0] and lines[0].startswith("datapackage.yaml : descripteur refusé")


def test_a_huge_one_line_file_is_refused_without_echoing_it(package_dir):
    (package_dir / "editions.csv").write_text("a" * (MAX_LINE_CHARACTERS + 10), encoding="utf-8")
    lines = refused(package_dir)
    assert lines[0].startswith(f"editions.csv, ligne 1 : ligne de plus de {MAX_LINE_CHARACTERS} caractères")
    assert max(map(len, lines)) < 1000


def test_a_huge_header_cell_is_named_by_an_excerpt(package_dir):
    (package_dir / "editions.csv").write_text("b" * 200_000 + "\n1\n", encoding="utf-8")
    lines = refused(package_dir)
    assert any("cellule de 200000 caractères" in line for line in lines)
    assert max(map(len, lines)) < 1000


# --- publication as one atomic step ----------------------------------------------------------------------------------

def sums_hold(directory: Path) -> bool:
    """`sha256sum -c SHA256SUMS` in directory (through its symlinks)."""
    sums = read_sums(directory / SUMS_NAME)
    return bool(sums) and all(bundle.sha256(directory / name) == digest for name, digest in sums.items())


def published_descriptor(site: Path) -> str:
    return zipfile.ZipFile(site / bundle.zip_name(datapackage.read(DATA))).read("datapackage.json").decode("utf-8")


def test_a_build_publishes_a_release_and_links_the_known_paths(package_dir, tmp_path):
    output = build(package_dir, tmp_path / "site" / "tnl.db")
    site = output.parent
    current = site / publish.CURRENT
    assert current.is_symlink() and os.readlink(current).startswith(publish.RELEASES + "/")
    for name in ("tnl.db", "metadata.json", bundle.zip_name(datapackage.read(DATA)), SUMS_NAME):
        assert os.readlink(site / name) == f"{publish.CURRENT}/{name}"
    assert sums_hold(site) and sums_hold(current.resolve())


def test_a_second_build_switches_every_file_together_and_keeps_the_previous_release(package_dir, tmp_path):
    site = tmp_path / "site"
    build(package_dir, site / "tnl.db")
    first = (site / publish.CURRENT).resolve()
    first_files = snapshot(first)
    edit_descriptor(package_dir, "title:", "title: Nouveau titre —")
    build(package_dir, site / "tnl.db")
    second = (site / publish.CURRENT).resolve()
    assert second != first and snapshot(first) == first_files  # the previous release untouched, for running servers
    assert sums_hold(site)
    assert "Nouveau titre" in published_descriptor(site)
    assert {p.name for p in (site / publish.RELEASES).iterdir() if not p.name.startswith(".")} == {first.name, second.name}


def test_a_build_failing_after_the_database_leaves_the_previous_release_whole(package_dir, tmp_path, monkeypatch):
    site = tmp_path / "site"
    build(package_dir, site / "tnl.db")
    published = snapshot(site)

    def disk_full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(bundle, "write_zip", disk_full)
    edit_descriptor(package_dir, "title:", "title: Autre titre —")
    with pytest.raises(OSError):
        build(package_dir, site / "tnl.db")
    assert snapshot(site) == published  # no new database beside the old zip, no staging folder left
    assert sums_hold(site)


def test_a_second_concurrent_build_is_refused_with_a_clear_message(package_dir, tmp_path):
    site = tmp_path / "site"
    with publish.locked(site):
        result = CliRunner().invoke(cli, ["build", "--data", str(package_dir), "--output", str(site / "tnl.db")])
    assert result.exit_code == 1
    assert "une autre construction est en cours dans ce dossier" in result.output
    assert not (site / "tnl.db").exists()


@pytest.mark.processes
def test_a_killed_build_leaves_the_release_whole_and_the_next_build_cleans_up(package_dir, tmp_path):
    site = tmp_path / "site"
    build(package_dir, site / "tnl.db")
    published = snapshot(site)
    edit_descriptor(package_dir, "title:", "title: Titre tué —")
    process = subprocess.Popen([sys.executable, "-m", "tnl.cli", "build", "--data", str(package_dir),
                                "--output", str(site / "tnl.db")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    staging = []
    while not staging and process.poll() is None:  # killed as soon as it writes its staging folder
        staging = list((site / publish.RELEASES).glob(publish.STAGING_PREFIX + "*"))
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert staging, "the build ended before it could be killed"
    assert {k: v for k, v in snapshot(site).items() if publish.STAGING_PREFIX not in k} == published
    assert sums_hold(site)
    (site / "tnl.db.abc.tmp").write_bytes(b"left by an older build")
    build(package_dir, site / "tnl.db")
    assert not list((site / publish.RELEASES).glob(publish.STAGING_PREFIX + "*"))
    assert not list(site.glob("*.tmp"))
    assert "Titre tué" in published_descriptor(site)


@pytest.mark.processes
async def test_the_server_keeps_serving_the_release_it_opened(package_dir, tmp_path):
    site = tmp_path / "site"
    build(package_dir, site / "tnl.db")
    opened = (site / publish.CURRENT).resolve()
    datasette = datasette_app(site / "tnl.db")
    edit_descriptor(package_dir, "title:", "title: Encore un titre —")
    build(package_dir, site / "tnl.db")
    assert (site / publish.CURRENT).resolve() != opened
    sums = (await datasette.client.get("/-/telechargements/SHA256SUMS")).text
    assert sums == (opened / SUMS_NAME).read_text(encoding="utf-8")
    database = await datasette.client.get("/tnl.db")
    assert bundle.sha256(opened / "tnl.db") in sums
    assert database.content == (opened / "tnl.db").read_bytes()
    archive = await datasette.client.get(f"/-/telechargements/{bundle.zip_name(datapackage.read(DATA))}")
    assert archive.content == (opened / bundle.zip_name(datapackage.read(DATA))).read_bytes()


def test_the_zip_never_takes_a_provenance_file_from_outside(package_dir, tmp_path):
    secret = tmp_path / "secret.json"
    secret.write_text('{"secret": true}', encoding="utf-8")
    (package_dir / "georef").mkdir(exist_ok=True)
    (package_dir / "georef" / "provenance.json").symlink_to(secret)
    archive = bundle.write_zip(datapackage.read(package_dir), tmp_path / "x.zip")
    assert not any(name.endswith("provenance.json") for name in zipfile.ZipFile(archive).namelist())
    assert validate(package_dir) == []
