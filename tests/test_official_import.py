"""`tnl import-official`: an organiser's list is checked, matched and compared to data/, and written only with --apply.

Every test works on a copy: of data/ where matching needs the real territories, else of the small fixture package
(the real data/ is never modified); the lists under fixtures/official/ are invented.
"""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DATA

from tnl.cli import cli
from tnl.importers.territory_match import TerritoryMatcher

LISTS = Path(__file__).parent / "fixtures" / "official"
SOURCE = "https://example.org/liste-officielle-2023"


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A copy of the real data/ (tests using it are marked real_data: about 6 s to validate)."""
    target = tmp_path / "data"
    target.mkdir()
    for path in [*DATA.glob("*.csv"), DATA / "datapackage.yaml"]:
        shutil.copy(path, target)
    (target / "georef").mkdir()
    shutil.copy(DATA / "georef" / "postal_codes.csv", target / "georef")  # a resource of the package too
    return target


def run(data_dir: Path, name: str, *options: str):
    return CliRunner().invoke(cli, ["import-official", "--data", str(data_dir), "--edition", "2023",
                                    str(LISTS / name), *options])


def snapshot(data_dir: Path) -> dict[str, bytes]:
    return {name: (data_dir / name).read_bytes() for name in ("results.csv", "mentions.csv")}


def rows(data_dir: Path, name: str) -> list[dict]:
    with open(data_dir / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.real_data
def test_clean_list_is_shown_then_applied_once(data_copy):
    before = snapshot(data_copy)
    shown = run(data_copy, "clean_2023.csv")
    assert shown.exit_code == 0, shown.output
    for fragment in ("11 lauréat(s), tous rattachés", "Ajoutés (1)", "Ville de Fontaine → 213801699 Fontaine : niveau_3",
                     "Distinction modifiée (1)", "211300553 Marseille : non publiée → niveau_4",
                     "Absents de la liste officielle (1) : gardés", "219400769 Ville de Villejuif",
                     "Mentions ajoutées (2)", "Rien n'a été écrit"):
        assert fragment in shown.output
    assert snapshot(data_copy) == before

    refused = run(data_copy, "clean_2023.csv", "--apply")
    assert refused.exit_code == 2 and "--source" in refused.output
    assert snapshot(data_copy) == before

    applied = run(data_copy, "clean_2023.csv", "--apply", "--source", SOURCE)
    assert applied.exit_code == 0, applied.output
    results = rows(data_copy, "results.csv")
    by_key = {(r["edition"], r["territory_id"]): r for r in results}
    fontaine = by_key[("2023", "213801699")]
    assert (fontaine["distinction"], fontaine["name_as_published"], fontaine["confidence"], fontaine["match_confidence"]) == \
        ("niveau_3", "Ville de Fontaine", "high", "sure")
    assert fontaine["source_urls"] == SOURCE
    marseille = by_key[("2023", "211300553")]
    assert marseille["distinction"] == "niveau_4" and marseille["source_urls"].startswith(SOURCE + " | ")
    assert "non publiée" in marseille["note"]
    assert by_key[("2023", "219400769")]["confidence"] == "medium"  # absent from the list: kept as it was
    assert [(int(r["edition"]), r["territory_id"]) for r in results] == sorted((int(r["edition"]), r["territory_id"]) for r in results)
    assert {"Mention de test", "Autre mention de test"} <= {m["mention"] for m in rows(data_copy, "mentions.csv")
                                                            if m["territory_id"] == "213801699"}
    # No `tnl validate` here: --apply writes only a package that passed it whole (package_edit.py; refusals below).

    applied_once = snapshot(data_copy)
    again = run(data_copy, "clean_2023.csv", "--apply", "--source", SOURCE)
    assert again.exit_code == 0 and "Aucun changement" in again.output
    assert snapshot(data_copy) == applied_once


@pytest.mark.real_data
def test_contradicting_list_shows_the_changed_level_and_may_remove_absent_rows(data_copy):
    shown = run(data_copy, "contradiction_2023.csv")
    assert shown.exit_code == 0, shown.output
    assert "213801517 Échirolles : niveau_5 → niveau_4 (ligne 2)" in shown.output
    assert "Absents de la liste officielle (9) : gardés" in shown.output

    applied = run(data_copy, "contradiction_2023.csv", "--apply", "--source", SOURCE, "--remove-absent")
    assert applied.exit_code == 0, applied.output
    assert "retirés (--remove-absent)" in applied.output
    edition = [r for r in rows(data_copy, "results.csv") if r["edition"] == "2023"]
    assert {(r["territory_id"], r["distinction"]) for r in edition} == {("213801517", "niveau_4"), ("210500740", "niveau_2")}
    assert not [m for m in rows(data_copy, "mentions.csv") if m["edition"] == "2023"]
    assert len([r for r in rows(data_copy, "results.csv") if r["edition"] == "2021"]) == \
        len([r for r in rows(DATA, "results.csv") if r["edition"] == "2021"])


def assert_refused_whole(data_dir: Path, name: str, expected: list[str]) -> None:
    before = snapshot(data_dir)
    result = run(data_dir, name, "--apply", "--source", SOURCE)
    assert result.exit_code == 1
    for message in expected:
        assert message in result.output
    assert f"{len(expected)} erreur(s) : rien n'a été écrit" in result.output
    assert snapshot(data_dir) == before


@pytest.mark.real_data
def test_unmatched_list_is_refused_and_nothing_is_written(data_copy):
    assert_refused_whole(data_copy, "unmatched_2023.csv", [
        "unmatched_2023.csv, ligne 3, champ « departement » : « Saint-Joseph » non rattaché : ni SIREN, ni code officiel, ni département",
        "unmatched_2023.csv, ligne 4, champ « name » : « Paris » ambigu : 2 territoires possibles (217500016 Paris (commune), departement-75 Paris (departement))",
        "unmatched_2023.csv, ligne 5, champ « name » : « Ville de Nullepart » introuvable dans le département 38",
    ])


@pytest.mark.parametrize("name, expected", [
    ("outside_scheme_2023.csv", [
        "outside_scheme_2023.csv, ligne 3, champ « distinction » : distinction « or » hors du barème de l'édition 2023 ; "
        "attendu : niveau_1, niveau_2, niveau_3, niveau_4, niveau_5",
    ]),
    ("malformed_2023.csv", [
        "malformed_2023.csv, ligne 3, champ « siren » : valeur « 21380151 » mal formée ; attendu : le motif [0-9]{9}",
        "malformed_2023.csv, ligne 4, champ « distinction » : valeur obligatoire manquante",
    ]),
])
def test_bad_lists_are_refused_and_nothing_is_written(package_dir, name, expected):
    assert_refused_whole(package_dir, name, expected)


def test_a_list_without_the_schema_columns_is_refused(package_dir, tmp_path):
    broken = tmp_path / "liste.csv"
    broken.write_text("nom,departement,siren,cog_code,distinction,mentions\nLettret,05,,05074,niveau_2,\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["import-official", "--data", str(package_dir), "--edition", "2023", str(broken)])
    assert result.exit_code == 1
    assert "liste.csv, ligne 1, champ « name » : colonne manquante" in result.output
    assert "liste.csv, ligne 1, champ « nom » : colonne inattendue" in result.output


def test_an_unknown_edition_is_refused(package_dir):
    result = CliRunner().invoke(cli, ["import-official", "--data", str(package_dir), "--edition", "2015",
                                      str(LISTS / "clean_2023.csv")])
    assert result.exit_code == 1 and "édition 2015 inconnue" in result.output


def test_matching_never_uses_a_shared_name_alone():
    territories = [
        {"id": "departement-84", "siren": "", "name": "Vaucluse", "kind": "departement", "cog_code": "84", "departement_code": "84"},
        {"id": "region-84", "siren": "", "name": "Auvergne-Rhône-Alpes", "kind": "region", "cog_code": "84", "departement_code": "69"},
        {"id": "213801699", "siren": "213801699", "name": "Fontaine", "kind": "commune", "cog_code": "38169", "departement_code": "38"},
        {"id": "211001445", "siren": "211001445", "name": "Fontaine", "kind": "commune", "cog_code": "10150", "departement_code": "10"},
    ]
    matcher = TerritoryMatcher(territories)
    assert matcher.match("Fontaine").territory_id is None
    assert matcher.match("Ville de Fontaine", "38").territory_id == "213801699"
    assert matcher.match("FONTAINE", "10").method == "nom et département"
    assert matcher.match("x", siren="211001445").territory_id == "211001445"
    assert matcher.match("Département de Vaucluse", cog_code="84").territory_id == "departement-84"
    assert matcher.match("Conseil régional", cog_code="84").ambiguous
