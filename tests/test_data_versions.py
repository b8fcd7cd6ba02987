"""Releases of the data: semantic versions computed from the changes, the history of data/versions.json, the
« Versions » page, and CHANGELOG.md, CITATION.cff and the descriptor telling the same version."""
from __future__ import annotations

import datetime
import hashlib
import json
import re
import zipfile
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from conftest import DATA, ROOT, set_cell

from tnl.build_layout import SUMS_NAME, read_sums
from tnl.cli import cli
from tnl.pipeline import bundle, data_versions, datapackage
from tnl.problems import Rejected

DAY = datetime.date(2026, 12, 1)


def refusal(*args) -> str:
    with pytest.raises(Rejected) as caught:
        data_versions.release(*args)
    return " / ".join(str(problem) for problem in caught.value.problems)


def released_zip(data: Path, tmp_path: Path) -> Path:
    return bundle.write_zip(datapackage.read(data), tmp_path / f"{datapackage.read(data).descriptor['version']}.zip")


@pytest.fixture
def first_release(package_dir, tmp_path) -> tuple[Path, Path]:
    """The fixture package released as 1.0.0, and its published zip."""
    entry = data_versions.release(package_dir, None, datetime.date(2026, 11, 1))
    assert (entry["version"], entry["previous"], entry["rows"]) == ("1.0.0", None, [])
    return package_dir, released_zip(package_dir, tmp_path)


def test_first_release_counts_every_row_per_edition(first_release):
    data, _ = first_release
    entry = data_versions.history(data)[0]
    assert {"resource": "results", "edition": 2023, "added": 2, "changed": 0, "removed": 0} in entry["summary"]
    descriptor = datapackage.read(data).descriptor
    assert (descriptor["version"], descriptor["created"]) == ("1.0.0", "2026-11-01T00:00:00Z")
    assert data_versions.status(datapackage.read(data))["released"]


def test_a_correction_is_a_patch_listing_the_cell(first_release):
    data, previous = first_release
    set_cell(data / "results.csv", 3, "distinction", "niveau_4")
    result = CliRunner().invoke(cli, ["release", "--data", str(data), "--previous", str(previous), "--date", "2026-12-01"])
    assert result.exit_code == 0, result.output
    assert "Version 1.0.1 du 2026-12-01 enregistrée (précédente : 1.0.0)" in result.output
    assert "- édition 2023, results : 1 ligne(s) modifiée(s)" in result.output
    entry = data_versions.history(data)[0]
    assert entry["rows"] == [{"resource": "results", "edition": 2023, "key": [2023, "213801517"], "label": "Échirolles",
                              "change": "changed", "columns": {"distinction": ["niveau_5", "niveau_4"]}}]
    assert [e["version"] for e in data_versions.history(data)] == ["1.0.1", "1.0.0"]


def test_added_rows_are_a_minor_version(first_release):
    data, previous = first_release
    with open(data / "results.csv", "a", encoding="utf-8") as f:
        f.write("2025,210500740,bronze,Lettret,05,https://example.org/lettret,medium,sure,,\n")
    entry = data_versions.release(data, previous, DAY)
    assert entry["version"] == "1.1.0"
    assert entry["summary"] == [{"resource": "results", "edition": 2025, "added": 1, "changed": 0, "removed": 0}]


def test_a_removed_column_is_a_major_version(first_release):
    data, _ = first_release
    current = datapackage.read(data)
    previous = datapackage.read(data)
    previous.resource("results")["schema"]["fields"].append({"name": "ancienne", "type": "string"})
    diff = data_versions.compare(previous, current)
    assert diff.structure == ["colonne retirée : results.ancienne"] and diff.breaking
    assert data_versions.next_version("1.4.2", diff, set(), set()) == "2.0.0"


def test_release_refuses_what_it_cannot_vouch_for(first_release, tmp_path):
    data, previous = first_release
    assert "aucun changement depuis la version précédente" in refusal(data, previous, DAY)
    assert "le paquet de la version 1.0.0 est nécessaire" in refusal(data, None, DAY)
    with open(data / "results.csv", "a", encoding="utf-8") as f:
        f.write("2025,210500740,bronze,Lettret,05,https://example.org/lettret,medium,sure,,\n")
    assert "version 1.0.1 trop basse pour ces changements ; attendu : au moins 1.1.0" in refusal(data, previous, DAY, "1.0.1")
    assert "version « 1.1 » invalide" in refusal(data, previous, DAY, "1.1")
    assert "ce paquet n'est pas celui de la version 1.0.0" in refusal(data, released_zip(data, tmp_path), DAY)
    assert [e["version"] for e in data_versions.history(data)] == ["1.0.0"]  # nothing recorded by a refusal


def test_project_data_are_those_of_their_latest_release():
    """data/ changed without `tnl release` would publish unreleased figures under a released version number."""
    package = datapackage.read(DATA)
    status = data_versions.status(package)
    assert status["released"], "lancez « tnl release --previous tnl-donnees-X.Y.Z.zip »"
    assert re.fullmatch(r"\d+\.\d+\.\d+", package.descriptor["version"])


def test_citation_changelog_and_descriptor_tell_the_same_version():
    package = datapackage.read(DATA).descriptor
    latest = data_versions.history(DATA)[0]
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    schema = json.loads((ROOT / "tests" / "fixtures" / "cff" / "schema-1.2.0.json").read_text(encoding="utf-8"))
    citation_json = json.loads(json.dumps(citation, default=str))  # dates as ISO text, as the CFF schema reads them
    jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).validate(citation_json)
    assert all("name" in author and "family-names" not in author for author in citation["authors"])
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    released = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$", changelog, flags=re.M)
    assert released == [(e["version"], e["date"]) for e in data_versions.history(DATA)]
    assert (citation["version"], str(citation["date-released"])) == (latest["version"], latest["date"]) == \
        (package["version"], package["created"][:10])


async def test_versions_page_lists_what_changed_per_edition(datasette):
    html = (await datasette.client.get("/versions")).text
    assert "Version 1.1.0 — 30 novembre 2026" in html and "Version 1.0.0 — 30 novembre 2026" in html
    assert "ville de Mions</strong> (2021 · 216902833) : ligne ajoutée" in html
    assert "Distinction (<code>distinction</code>) : (vide) → Niveau 4 (4 copylefts)" in html  # labels, codes named
    assert "Statut (<code>status</code>) : ouverte → tranchée" in html
    assert "niveau_4" not in html and "unresolved" not in html
    assert "Première version publiée" in html
    assert "version de travail" not in html


def test_zips_from_before_1_1_0_are_read_from_their_folder(first_release, tmp_path):
    """Until 1.0.0 the zip held the package in one folder, territoire-numerique-libre/."""
    data, flat = first_release
    nested = tmp_path / "nested.zip"
    with zipfile.ZipFile(flat) as source, zipfile.ZipFile(nested, "w") as target:
        for name in source.namelist():
            target.writestr(f"territoire-numerique-libre/{name}", source.read(name))
    package = data_versions.read_package(nested, tmp_path / "scratch")
    assert data_versions.digests(package) == data_versions.history(data)[0]["digests"]


@pytest.mark.real_data  # reads every published version of data/ whole
def test_every_published_version_is_kept_byte_for_byte_with_the_data_of_its_history(tmp_path):
    """data/published/ holds each released version's zip as it was served; its rows are those versions.json records."""
    archived = bundle.published_zips(DATA)
    history = data_versions.history(DATA)
    assert history and sorted(archived) == sorted(f"tnl-donnees-{e['version']}.zip" for e in history)
    for entry in history:
        scratch = tmp_path / entry["version"]
        scratch.mkdir()
        package = data_versions.read_package(archived[f"tnl-donnees-{entry['version']}.zip"], scratch)
        assert data_versions.digests(package) == entry["digests"], entry["version"]


def test_a_changed_published_zip_is_refused(tmp_path):
    folder = tmp_path / "data" / bundle.PUBLISHED_DIR
    folder.mkdir(parents=True)
    for path in (DATA / bundle.PUBLISHED_DIR).iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    changed = folder / "tnl-donnees-1.0.0.zip"
    content = bytearray(changed.read_bytes())
    content[100] ^= 0xFF  # one byte of the first file's data
    changed.write_bytes(bytes(content))
    with pytest.raises(Rejected) as caught:
        bundle.published_zips(tmp_path / "data")
    assert [p.file for p in caught.value.problems] == [str(changed)]
    assert "archive publiée absente ou modifiée" in str(caught.value.problems[0])


def test_a_change_of_the_packages_own_metadata_is_a_patch_release(first_release):
    data, zip_path = first_release
    descriptor = data / datapackage.DESCRIPTOR_NAME
    descriptor.write_text(descriptor.read_text(encoding="utf-8").replace("role: maintainer", "role: publisher"),
                          encoding="utf-8")
    entry = data_versions.release(data, zip_path, DAY)
    assert (entry["version"], entry["structure"], entry["rows"]) == ("1.0.1", ["métadonnées du paquet modifiées : contributors"], [])


def test_a_new_zip_carries_a_french_readme_and_its_release_date(package_dir, tmp_path):
    data_versions.release(package_dir, None, datetime.date(2026, 11, 1))
    archive = released_zip(package_dir, tmp_path)
    with zipfile.ZipFile(archive) as z:
        assert {info.date_time for info in z.infolist()} == {(2026, 11, 1, 0, 0, 0)}
        readme = z.read(bundle.README_NAME).decode("utf-8")
    assert "Version 1.0.0, publiée le 2026-11-01." in readme
    assert "## Contact\n\n- ADULLACT : label@territoire-numerique-libre.org (https://adullact.org/)" in readme
    assert "`results.csv` : Résultats" in readme and "frictionless validate tnl-donnees-1.0.0.zip" in readme


def test_the_citation_names_the_descriptors_maintainer_and_contact():
    maintainer = next(c for c in datapackage.read(DATA).descriptor["contributors"] if c["role"] == "maintainer")
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    expected = [{"name": maintainer["title"], "email": maintainer["email"], "website": maintainer["path"]}]
    assert citation["authors"] == citation["contact"] == expected
    assert (maintainer["title"], maintainer["email"]) == ("ADULLACT", "label@territoire-numerique-libre.org")


async def test_the_versions_page_serves_every_archive_with_its_sha256(datasette):
    html = (await datasette.client.get("/versions")).text
    sums = read_sums(DATA / bundle.PUBLISHED_DIR / SUMS_NAME)
    assert len(sums) == len(data_versions.history(DATA)) >= 2
    for name, digest in sums.items():
        assert f'<a href="/-/telechargements/{name}" download>{name}</a>' in html
        assert f"<code>{digest}</code>" in html
        response = await datasette.client.get(f"/-/telechargements/{name}")
        assert response.status_code == 200 and hashlib.sha256(response.content).hexdigest() == digest
        assert response.headers["content-disposition"] == f'attachment; filename="{name}"'
    assert "ADULLACT, <em>" in html and "mailto:label@territoire-numerique-libre.org" in html
    about = (await datasette.client.get("/a-propos")).text
    assert 'href="mailto:label@territoire-numerique-libre.org"' in about and ">ADULLACT</a>" in about
