"""Bad inputs are refused with file, row and field named.

That a refused build leaves the published site byte for byte as it was is shown once per case of the larger corpus in
test_robustness_inputs.py (test_malformed_source_is_refused_and_nothing_is_published): the same build, not repeated here.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tnl.cli import cli
from tnl.pipeline.validate import validate


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def wrong_encoding(d: Path) -> None:
    path = d / "territories.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1"))


def missing_column(d: Path) -> None:
    path = d / "results.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(line.rsplit(",", 5)[0] + "," + ",".join(line.rsplit(",", 5)[2:]) for line in lines) + "\n",
                    encoding="utf-8")


def append(d: Path, name: str, line: str) -> None:
    with open(d / name, "a", encoding="utf-8") as f:
        f.write(line + "\n")


CASES = [
    # (case, break the package, file, row, field, what the message must say)
    ("wrong encoding", wrong_encoding, "territories.csv", 2, "", "UTF-8"),
    ("missing column", missing_column, "results.csv", 1, "confidence", "colonne manquante"),
    ("unknown département code", lambda d: replace(d / "territories.csv", ",syndicat,,,,,,38151,", ",syndicat,,,99,,,38151,"),
     "territories.csv", 12, "departement_code", "code « 99 » inconnu"),
    ("malformed commune code", lambda d: replace(d / "territories.csv", ",05074,", ",5074,"),
     "territories.csv", 9, "cog_code", "mal formé"),
    ("invalid SIREN", lambda d: replace(d / "territories.csv", "210500740,210500740,", "210500740,210500741,"),
     "territories.csv", 9, "siren", "Luhn"),
    ("duplicate key", lambda d: append(d, "results.csv", "2023,210500740,niveau_3,Lettret,05,https://example.org,high,sure,,"),
     "results.csv", 6, "", "clé primaire en double"),
    ("dangling foreign key", lambda d: append(d, "results.csv", "2023,212000046,niveau_3,Ajaccio,2A,https://example.org,high,sure,,"),
     "results.csv", 6, "territory_id", "référence inconnue « 212000046 »"),
    ("malformed date", lambda d: replace(d / "editions.csv", "2023-11-10", "10/11/2023"),
     "editions.csv", 2, "campaign_end", "date AAAA-MM-JJ"),
    ("distinction outside its edition's scheme", lambda d: replace(d / "results.csv", "2025,213801517,or,", "2025,213801517,niveau_3,"),
     "results.csv", 4, "distinction", "hors du barème de l'édition 2025"),
    ("unknown distinction", lambda d: replace(d / "results.csv", "niveau_2,Ville de Lettret", "niveau_6,Ville de Lettret"),
     "results.csv", 2, "distinction", "référence inconnue « niveau_6 »"),
    ("empty file", lambda d: (d / "mentions.csv").write_text("", encoding="utf-8"), "mentions.csv", 0, "", "fichier vide"),
    ("missing file", lambda d: (d / "indicators.csv").unlink(), "indicators.csv", 0, "", "fichier absent"),
    ("required value missing", lambda d: replace(d / "results.csv", ",https://example.org/sitpi,medium,", ",,medium,"),
     "results.csv", 5, "source_urls", "obligatoire"),
    ("value outside enum", lambda d: replace(d / "results.csv", "https://example.org/sitpi,medium,", "https://example.org/sitpi,certaine,"),
     "results.csv", 5, "confidence", "hors des valeurs admises"),
]


def test_fixture_package_is_valid(package_dir):
    assert validate(package_dir) == []


@pytest.mark.parametrize("case, breaker, file, row, field, fragment", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_refused_and_named(package_dir, case, breaker, file, row, field, fragment):
    breaker(package_dir)
    problems = validate(package_dir)
    matching = [p for p in problems if p.file == file and p.row == row and p.field == field and fragment in p.message]
    assert matching, f"{case}: expected {file}:{row}:{field} « {fragment} », got {[str(p) for p in problems]}"


def test_validate_command_reports_every_error_and_exits_1(package_dir):
    replace(package_dir / "editions.csv", "2023-11-10", "10/11/2023")
    replace(package_dir / "results.csv", "2025,213801517,or,", "2025,213801517,niveau_3,")
    result = CliRunner().invoke(cli, ["validate", "--data", str(package_dir)])
    assert result.exit_code == 1
    assert "editions.csv, ligne 2, champ « campaign_end »" in result.output
    assert "results.csv, ligne 4, champ « distinction »" in result.output
    assert "2 erreur(s)" in result.output


def test_validate_command_accepts_a_valid_package(package_dir):
    result = CliRunner().invoke(cli, ["validate", "--data", str(package_dir)])
    assert result.exit_code == 0, result.output
    assert "Paquet de données valide" in result.output
