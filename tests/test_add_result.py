"""`tnl add-result` / `tnl remove-result` on a copy of the fixture package: each case says what it does, and an
error writes nothing (every byte of the package compared before and after)."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import snapshot

from tnl.cli import cli
from tnl.importers.personal_names import person_in_text, person_in_url, place_pairs

SOURCE = "https://example.org/deliberation-2023"


def run(data_dir: Path, *args: str, command: str = "add-result"):
    return CliRunner().invoke(cli, [command, "--data", str(data_dir), *args])



def rows(data_dir: Path, name: str) -> list[dict]:
    with open(data_dir / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def result(data_dir: Path, edition: str, territory: str) -> dict:
    return next(r for r in rows(data_dir, "results.csv") if (r["edition"], r["territory_id"]) == (edition, territory))


def test_new_row_is_shown_then_written_with_its_provenance(package_dir):
    before = snapshot(package_dir)
    args = ("--edition", "2023", "--territory", "38185", "--distinction", "niveau_3", "--source", SOURCE,
            "--mention", "Plus grande ville", "--confidence", "medium")
    shown = run(package_dir, *args)
    assert shown.exit_code == 0, shown.output
    assert "Ajouté : + 2023 213801855 Grenoble : Niveau 3" in shown.output
    assert "Mention ajoutée : + 2023 213801855 : Plus grande ville" in shown.output
    assert "Rien n'a été écrit" in shown.output
    assert snapshot(package_dir) == before

    applied = run(package_dir, *args, "--apply")
    assert applied.exit_code == 0, applied.output
    row = result(package_dir, "2023", "213801855")
    assert (row["distinction"], row["source_urls"], row["confidence"]) == ("niveau_3", SOURCE, "medium")
    assert row["added_on"] and row["match_note"] == "Signalement : rattaché par code officiel."
    mention = next(m for m in rows(package_dir, "mentions.csv") if m["territory_id"] == "213801855")
    assert (mention["mention"], mention["source_urls"], mention["added_on"]) == ("Plus grande ville", SOURCE, row["added_on"])

    again = run(package_dir, *args, "--apply")
    assert "Aucun changement" in again.output


def test_correction_replaces_a_weaker_row_and_keeps_its_history(package_dir):
    # Échirolles 2023 is published as niveau_5 with confidence low.
    applied = run(package_dir, "--edition", "2023", "--territory", "213801517", "--distinction", "niveau_4",
                  "--source", SOURCE, "--confidence", "high", "--apply")
    assert applied.exit_code == 0, applied.output
    assert "Distinction modifiée : ~ 2023 213801517 Échirolles : Niveau 5 → Niveau 4 (confiance low → high)" in applied.output
    row = result(package_dir, "2023", "213801517")
    assert (row["distinction"], row["confidence"]) == ("niveau_4", "high")
    assert row["source_urls"] == f"{SOURCE} | https://example.org/echirolles"
    assert "Distinction avant le signalement du" in row["note"] and "Niveau 5" in row["note"]


def test_contradiction_keeps_the_better_row_and_opens_a_question(package_dir):
    # Lettret 2023 is published as niveau_2 from the official list (confidence high).
    before = result(package_dir, "2023", "210500740")
    applied = run(package_dir, "--edition", "2023", "--territory", "210500740", "--distinction", "niveau_3",
                  "--source", SOURCE, "--apply")
    assert applied.exit_code == 0, applied.output
    assert "Contradiction : ! 2023 210500740 Lettret : publié Niveau 2 (confiance high), signalé Niveau 3" in applied.output
    row = result(package_dir, "2023", "210500740")
    assert (row["distinction"], row["confidence"], row["source_urls"]) == ("niveau_2", "high", before["source_urls"])
    assert row["note"] == "Voir la question ouverte « 2023-210500740-distinction »."
    question = next(q for q in rows(package_dir, "open_questions.csv") if q["id"] == "2023-210500740-distinction")
    assert question["status"] == "unresolved" and question["source_urls"].startswith(SOURCE)


def test_report_settles_an_open_question(package_dir):
    applied = run(package_dir, "--edition", "2025", "--territory", "syndicat-sitpi-38", "--distinction", "argent",
                  "--source", SOURCE, "--settles", "2025-total", "--apply")
    assert applied.exit_code == 0, applied.output
    assert "Distinction modifiée : ~ 2025 syndicat-sitpi-38" in applied.output
    question = next(q for q in rows(package_dir, "open_questions.csv") if q["id"] == "2025-total")
    assert question["status"] == "resolved" and question["source_urls"].startswith(SOURCE)


def test_removal_takes_the_row_and_its_mentions_and_records_the_reason(package_dir):
    added = run(package_dir, "--edition", "2023", "--territory", "210500740", "--distinction", "niveau_2",
                "--mention", "Plus petite collectivité", "--source", SOURCE, "--apply")
    assert added.exit_code == 0, added.output
    applied = run(package_dir, "--edition", "2023", "--territory", "210500740", "--source", SOURCE,
                  "--reason", "Confusion avec la métropole", "--apply", command="remove-result")
    assert applied.exit_code == 0, applied.output
    assert "Mention retirée : - 2023 210500740 : Plus petite collectivité" in applied.output
    assert not [r for r in rows(package_dir, "results.csv") if (r["edition"], r["territory_id"]) == ("2023", "210500740")]
    assert [m["territory_id"] for m in rows(package_dir, "mentions.csv")] == ["213801517"]
    question = next(q for q in rows(package_dir, "open_questions.csv") if q["id"] == "2023-210500740-retrait")
    assert (question["status"], question["reason"]) == ("resolved", "Confusion avec la métropole")


def add_paris(data_dir: Path) -> None:
    """Two territories named Paris in département 75, as in the real referential."""
    with open(data_dir / "territories.csv", encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    with open(data_dir / "territories.csv", "a", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, header, restval="", lineterminator="\n")
        writer.writerow({"id": "217500016", "siren": "217500016", "name": "Paris", "kind": "commune", "cog_code": "75056",
                         "departement_code": "75", "region_code": "11", "source": "georef"})
        writer.writerow({"id": "departement-75", "name": "Paris", "kind": "departement", "cog_code": "75",
                         "departement_code": "75", "region_code": "11", "source": "georef"})


@pytest.mark.parametrize("args, expected", [
    (("--territory", "Nullepart", "--departement", "38"),
     "ligne de commande, champ « --territory » : « Nullepart » introuvable dans le département 38 ; attendu : le nom "
     "officiel du territoire, ou son SIREN ou son code officiel"),
    (("--territory", "Grenoble"),
     "ligne de commande, champ « --territory » : « Grenoble » non rattaché : ni SIREN, ni code officiel, ni département ; "
     "attendu : au moins le département (jamais le nom seul)"),
    (("--territory", "Paris", "--departement", "75"),
     "ligne de commande, champ « --territory » : « Paris » ambigu : 2 territoires possibles (217500016 Paris (commune), "
     "departement-75 Paris (departement)) ; attendu : le SIREN ou le code officiel pour les départager"),
    (("--territory", "38185", "--source", "ftp://example.org/liste"),
     "ligne de commande, champ « --source » : « ftp://example.org/liste » n'est pas une URL http(s)"),
    (("--territory", "38185", "--source", "https://example.org/liste 2023"),
     "ligne de commande, champ « --source » : « https://example.org/liste 2023 » n'est pas une URL http(s)"),
    (("--territory", "38185", "--source", "https://admin:secret@example.org/liste"),
     "ligne de commande, champ « --source » : l'URL contient un identifiant ou un mot de passe"),
    (("--territory", "38185", "--source", "https://example.org/entretien-avec-nathalie-durand-maire"),
     "ligne de commande, champ « --source » : l'URL semble contenir le nom d'une personne (« nathalie durand »)"),
    (("--territory", "38185", "--mention", "Prix remis par Jean-Pierre DURAND"),
     "ligne de commande, champ « --mention » : « Jean Pierre » ressemble au nom d'une personne"),
    (("--territory", "38185", "--distinction", "or"),
     "ligne de commande, champ « --distinction » : distinction « or » hors du barème de l'édition 2023 ; "
     "attendu : niveau_1, niveau_2, niveau_3, niveau_4, niveau_5"),
    (("--territory", "38185", "--settles", "2023-echirolles"),
     "ligne de commande, champ « --settles » : la question « 2023-echirolles » est déjà tranchée"),
])
def test_refused_report_says_why_and_writes_nothing(package_dir, args, expected):
    add_paris(package_dir)
    before = snapshot(package_dir)
    arguments = ["--edition", "2023", "--distinction", "niveau_3", "--source", SOURCE, *args]
    refused = run(package_dir, *arguments, "--apply")
    assert refused.exit_code == 1
    assert expected in refused.output
    assert "rien n'a été écrit dans le paquet de données." in refused.output
    assert snapshot(package_dir) == before


def test_removal_that_would_leave_an_invalid_package_writes_nothing(package_dir):
    before = snapshot(package_dir)
    refused = run(package_dir, "--edition", "2025", "--territory", "213801517", "--source", SOURCE,
                  "--reason", "Erreur", "--apply", command="remove-result")
    assert refused.exit_code == 1
    assert "mentions.csv : aucune ligne de données" in refused.output  # its only mention would go with it
    assert snapshot(package_dir) == before


def test_removing_a_row_that_does_not_exist_writes_nothing(package_dir):
    before = snapshot(package_dir)
    refused = run(package_dir, "--edition", "2023", "--territory", "38185", "--source", SOURCE, "--reason", "Erreur",
                  "--apply", command="remove-result")
    assert refused.exit_code == 1
    assert "champ « --territory » : aucun résultat de 213801855 Grenoble en 2023" in refused.output
    assert snapshot(package_dir) == before


@pytest.mark.parametrize("text", ["Ville de Nancy", "Saint-Martin-d'Uriage", "Sobriété numérique", "Plus petite collectivité",
                                  "Parc national des Écrins", "Meilleure première candidature", "Centre de gestion du Lot-et-Garonne"])
def test_bodies_and_mentions_are_not_taken_for_people(text):
    assert person_in_text(text) is None


@pytest.mark.parametrize("url", ["https://www.ladepeche.fr/2019/12/23/boe-decroche-le-label-territoire-numerique-libre,8622489.php",
                                 "https://code.gouv.fr/fr/bluehats/bluehats_14/", "https://sitiv.fr/?p=15"])
def test_ordinary_source_urls_are_accepted(url):
    assert person_in_url(url) is None


def test_a_pair_that_names_a_place_is_not_a_person():
    url = "https://example.org/pierre-benite-labellisee"
    assert person_in_url(url) == "pierre benite"
    assert person_in_url(url, lambda: place_pairs(["Pierre-Bénite"])) is None
    assert person_in_text("Ville de Pierre-Bénite", lambda: place_pairs(["Pierre-Bénite"])) is None
