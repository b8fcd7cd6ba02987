"""The `tnl` command: it only wires the pipeline steps (validate -> build -> serve)."""
from __future__ import annotations

import datetime
import sys
import time
from pathlib import Path

import click

from tnl.importers import correction as correction_step
from tnl.importers import official as official_step
from tnl.importers import public_sources as public_sources_step
from tnl.importers import questionnaire_import as questionnaire_step
from tnl.pipeline import build as build_step
from tnl.pipeline import data_versions
from tnl.pipeline.datapackage import DEFAULT_DATA_DIR
from tnl.pipeline.validate import validate as validate_step
from tnl.problems import Rejected
from tnl.site.http import serve as serve_step

data_option = click.option(
    "--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_DATA_DIR,
    show_default=True, help="Dossier du paquet de données (datapackage.yaml et fichiers CSV).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli():
    """Données ouvertes du label Territoire Numérique Libre : valider, construire, publier."""


@cli.command()
@data_option
def validate(data_dir: Path):
    """Valide le paquet de données et affiche chaque erreur (fichier, ligne, champ, attendu)."""
    problems = validate_step(data_dir)
    _exit_on_problems(problems)
    click.echo(f"Paquet de données valide : {data_dir}")


@cli.command()
@data_option
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=build_step.DEFAULT_OUTPUT,
              show_default=True, help="Fichier SQLite à écrire (remplacé seulement si la construction réussit).")
@click.option("--exports/--sans-exports", default=True, show_default=True,
              help="Écrire les exports complets CSV et Excel de chaque table et vue, servis comme fichiers.")
def build(data_dir: Path, output: Path, exports: bool):
    """Valide puis construit la base SQLite ; en cas d'échec, la base précédente reste intacte."""
    start = time.perf_counter()
    try:
        build_step.build(data_dir, output, report=lambda message: click.echo(message, err=True), complete_exports=exports)
    except Rejected as error:
        _exit_on_problems(error.problems)
    click.echo(f"Construction terminée en {time.perf_counter() - start:.1f} s : {output}")


@cli.command()
@click.option("--db", "database", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              default=build_step.DEFAULT_OUTPUT, show_default=True, help="Base SQLite construite par `tnl build`.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Adresse d'écoute.")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(1, 65535), help="Port d'écoute.")
def serve(database: Path, host: str, port: int):
    """Publie une base déjà construite avec Datasette (lecture seule)."""
    serve_step.serve(database, host, port)


@cli.command("release")
@data_option
@click.option("--previous", "previous", type=click.Path(exists=True, path_type=Path), default=None,
              help="Paquet publié de la version précédente (tnl-donnees-X.Y.Z.zip ou son dossier) ; inutile pour la première.")
@click.option("--version", "version", default=None,
              help="Version à publier (X.Y.Z) ; par défaut, calculée : majeure, mineure ou correctif selon les changements.")
@click.option("--date", "date", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Date de publication, AAAA-MM-JJ (par défaut : aujourd'hui).")
def release(data_dir: Path, previous: Path | None, version: str | None, date):
    """Enregistre les données comme une nouvelle version : changements depuis la version précédente (versions.json),
    version et date dans le descripteur et dans CITATION.cff. Complétez ensuite CHANGELOG.md."""
    day = date.date() if date else datetime.date.today()
    try:
        entry = data_versions.release(data_dir, previous, day, version)
    except Rejected as error:
        _exit_on_problems(error.problems, "aucune version n'a été enregistrée.")
    click.echo(f"Version {entry['version']} du {entry['date']} enregistrée (précédente : {entry['previous'] or 'aucune'}).")
    for line in data_versions.describe(entry):
        click.echo(line)
    click.echo("Complétez CHANGELOG.md, puis lancez « tnl build ».")


@cli.command("import-official")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--edition", type=int, required=True, help="Édition de la liste officielle (année).")
@data_option
@click.option("--apply", "apply_changes", is_flag=True, help="Écrit results.csv et mentions.csv (sinon, affiche seulement les différences).")
@click.option("--source", "source_url", default=None, help="URL de la liste officielle, citée comme source ; obligatoire avec --apply.")
@click.option("--remove-absent", is_flag=True, help="Retire de data/ les lauréats et mentions de l'édition absents de la liste officielle.")
def import_official(file: Path, edition: int, data_dir: Path, apply_changes: bool, source_url: str | None, remove_absent: bool):
    """Compare la liste officielle d'une édition (CSV, schemas/official_list.schema.yaml) aux données, puis l'importe avec --apply."""
    if apply_changes and not source_url:
        raise click.UsageError("--source URL est obligatoire avec --apply : la liste officielle doit être citée comme source.")
    plan = official_step.plan_import(data_dir, edition, file, source_url or "", remove_absent)
    _exit_on_problems(plan.problems, "rien n'a été écrit dans le paquet de données.")
    for line in official_step.describe(plan):
        click.echo(line)
    if not apply_changes:
        click.echo("Rien n'a été écrit : relancez avec --apply --source URL pour mettre à jour results.csv et mentions.csv.")
        return
    try:
        written = official_step.apply(plan, data_dir)
    except Rejected as error:
        _exit_on_problems(error.problems, "rien n'a été écrit dans le paquet de données.")
    if written:
        click.echo("results.csv et mentions.csv écrits ; le paquet de données est valide. Lancez « tnl build » pour publier.")


@cli.command("import-questionnaire")
@click.argument("export", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--edition", type=int, required=True, help="Édition du questionnaire (année), vérifiée sur chaque ligne de l'export.")
@data_option
@click.option("--source", default=None, help="URL citée comme source des réponses publiées (par défaut : la page de l'édition).")
@click.option("--date", "date", default=None, help="Date des réponses publiées, AAAA-MM-JJ (par défaut : la date des résultats de l'édition).")
def import_questionnaire(export: Path, edition: int, data_dir: Path, source: str | None, date: str | None):
    """Importe l'export du questionnaire (CSV ou XLSX) : publie les réponses des candidats qui l'acceptent et
    des agrégats sous secret statistique ; l'export lui-même n'est jamais recopié."""
    try:
        report = questionnaire_step.import_questionnaire(export, edition, data_dir, source=source, date=date)
    except Rejected as error:
        _exit_on_problems(error.problems, "rien n'a été écrit dans le paquet de données.")
    for line in report.lines():
        click.echo(line)
    click.echo("Lancez « tnl build » pour publier.")


@cli.command("annual")
@click.option("--edition", type=int, required=True, help="Édition à publier (année), déjà décrite dans editions.csv.")
@click.option("--official", type=click.Path(dir_okay=False, exists=True, path_type=Path), required=True,
              help="Liste officielle de l'édition (CSV, schemas/official_list.schema.yaml).")
@click.option("--questionnaire", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help="Export du questionnaire (CSV ou XLSX), s'il y en a un.")
@click.option("--source", required=True, help="URL de la liste officielle, citée comme source.")
@data_option
@click.option("--previous", type=click.Path(exists=True, path_type=Path), default=None,
              help="Paquet publié de la version précédente (par défaut : celui de la base en service, build/current).")
@click.option("--apply", "apply_changes", is_flag=True,
              help="Écrit data/ et met en service (sinon : répétition complète, rien n'est écrit).")
def annual(edition: int, official: Path, questionnaire: Path | None, source: str, data_dir: Path, previous: Path | None,
           apply_changes: bool):
    """La mise à jour annuelle en une commande : import, version, construction à côté, vérifications, puis
    (avec --apply) publication des données et mise en service ; s'arrête au premier problème."""
    from tnl.deploy import annual as annual_step
    from tnl.deploy.cluster import Cluster

    try:
        outcome = annual_step.run(edition, official, questionnaire, source, data_dir=data_dir,
                                  work_root=build_step.DEFAULT_OUTPUT.parent / "annual", apply=apply_changes,
                                  previous=previous or annual_step.published_package(build_step.DEFAULT_OUTPUT.parent), cluster=Cluster(),
                                  report=click.echo)
    except Rejected as error:
        _exit_on_problems(error.problems, "rien n'a été écrit ni mis en service.")
    click.echo("Durées : " + " ; ".join(f"{stage.name} {stage.seconds:.1f} s" for stage in outcome.stages))


@cli.command("warm")
@click.argument("url")
@click.option("--rate", type=click.FloatRange(0.1, 1000), default=20.0, show_default=True, help="Pages demandées par seconde, au plus.")
@click.option("--concurrency", type=click.IntRange(1, 64), default=2, show_default=True, help="Requêtes en cours à la fois, au plus.")
@click.option("--limit", type=click.IntRange(1), default=None, help="Nombre de pages, au plus (par défaut : tout le plan du site).")
def warm(url: str, rate: float, concurrency: int, limit: int | None):
    """Chauffe le cache devant le site (nginx ou CDN) : chaque page du plan du site demandée une fois, à débit borné."""
    from tnl.deploy import warm as warm_step

    try:
        outcome = warm_step.warm(url, rate, concurrency, limit, report=click.echo)
    except OSError as error:
        click.echo(f"Plan du site illisible à {url.rstrip('/')}/sitemap.xml : {error} ; attendu : l'adresse du site "
                   "(ou du cache devant lui), qui publie /sitemap.xml.", err=True)
        sys.exit(1)
    click.echo(f"{outcome.pages} pages chauffées en {outcome.seconds:.1f} s ({outcome.per_second:.1f} pages/s), "
               f"{len(outcome.failed)} en erreur.")
    for line in outcome.failed[:20]:
        click.echo(f"  {line}", err=True)
    if outcome.failed:
        sys.exit(1)


def _report_options(command):
    """The options shared by add-result and remove-result: which row, and the source that says so."""
    options = [
        click.option("--edition", type=int, required=True, help="Édition (année)."),
        click.option("--territory", required=True,
                     help="Identifiant du territoire, SIREN, code officiel, ou nom (avec --departement ; jamais le nom seul)."),
        click.option("--departement", default="", help="Code du département, s'il est publié (contrôlé contre le territoire)."),
        click.option("--source", "source_url", required=True, help="URL http(s) publique de la preuve (sans nom de personne)."),
        click.option("--settles", default="", help="Identifiant de la question ouverte (open_questions.csv) que ce signalement tranche."),
        data_option,
        click.option("--apply", "apply_changes", is_flag=True, help="Écrit les fichiers (sinon, affiche seulement les différences)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@cli.command("add-result")
@_report_options
@click.option("--distinction", default="", help="Distinction (niveau_1… ou badge, bronze, argent, or) ; vide : labellisé, niveau non publié.")
@click.option("--mention", default="", help="Mention spéciale du jury, telle que publiée.")
@click.option("--confidence", type=click.Choice(["high", "medium", "low"]), default="medium", show_default=True,
              help="high : liste officielle ; medium : presse, site du lauréat, délibération ; low : déduit.")
@click.option("--name", default="", help="Nom du lauréat tel que publié par la source (par défaut : le nom officiel).")
def add_result(apply_changes: bool, data_dir: Path, **fields):
    """Ajoute, confirme ou corrige un résultat d'une édition à partir d'une source ; écrit seulement avec --apply."""
    _correct(correction_step.plan_add, correction_step.Report(**fields), data_dir, apply_changes, removing=False)


@cli.command("remove-result")
@_report_options
@click.option("--reason", required=True, help="Pourquoi la ligne est fausse (publiée dans open_questions.csv).")
def remove_result(apply_changes: bool, data_dir: Path, **fields):
    """Retire un résultat faux d'une édition, avec la raison et la source ; écrit seulement avec --apply."""
    _correct(correction_step.plan_remove, correction_step.Report(**fields), data_dir, apply_changes, removing=True)


def _correct(plan, report, data_dir: Path, apply_changes: bool, removing: bool) -> None:
    change = plan(data_dir, report)
    _exit_on_problems(change.problems, "rien n'a été écrit dans le paquet de données.")
    for line in correction_step.describe(change, report, removing):
        click.echo(line)
    if not apply_changes:
        click.echo("Rien n'a été écrit : relancez avec --apply pour mettre à jour results.csv, mentions.csv et open_questions.csv.")
        return
    try:
        written = correction_step.apply(change, data_dir)
    except Rejected as error:
        _exit_on_problems(error.problems, "rien n'a été écrit dans le paquet de données.")
    if written:
        click.echo("Fichiers écrits ensemble ; le paquet de données est valide. Lancez « tnl build » pour publier.")


@cli.command("indicateurs")
@data_option
def indicators(data_dir: Path):
    """Dérive les indicateurs ouverts des fichiers publics de sources/indicators/ (rattachement par SIREN seulement)."""
    start = time.perf_counter()
    try:
        derivation = public_sources_step.derive(data_dir)
    except public_sources_step.SourceChanged as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    public_sources_step.write(data_dir, derivation)
    for line in public_sources_step.summary(derivation):
        click.echo(line)
    click.echo(f"Dérivation terminée en {time.perf_counter() - start:.1f} s ; lignes non publiées et raisons : "
               f"{public_sources_step.UNMATCHED}. Lancez « tnl build » pour publier.")


def _exit_on_problems(problems, outcome: str = "rien n'a été publié.") -> None:
    if not problems:
        return
    for problem in problems:
        click.echo(str(problem), err=True)
    click.echo(f"{len(problems)} erreur(s) : {outcome}", err=True)
    sys.exit(1)


if __name__ == "__main__":
    cli()
