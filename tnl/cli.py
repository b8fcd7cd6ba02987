"""The `tnl` command: it only wires the pipeline steps (validate -> build -> serve)."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from tnl import build as build_step
from tnl import serve as serve_step
from tnl.datapackage import DEFAULT_DATA_DIR
from tnl.validate import validate as validate_step

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
def build(data_dir: Path, output: Path):
    """Valide puis construit la base SQLite ; en cas d'échec, la base précédente reste intacte."""
    start = time.perf_counter()
    try:
        build_step.build(data_dir, output, report=lambda message: click.echo(message, err=True))
    except build_step.BuildError as error:
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


def _exit_on_problems(problems) -> None:
    if not problems:
        return
    for problem in problems:
        click.echo(str(problem), err=True)
    click.echo(f"{len(problems)} erreur(s) : rien n'a été publié.", err=True)
    sys.exit(1)


if __name__ == "__main__":
    cli()
