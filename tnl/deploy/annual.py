"""The yearly update as one procedure: import, version, build beside the current release, check, then publish.

    tnl annual --edition 2026 --official liste.csv [--questionnaire export.xlsx] --source URL [--apply]

Every stage works on a copy of data/ (with CHANGELOG.md and CITATION.cff) in a folder of its own, so the first
problem stops the procedure with data/ and what is served untouched. Without --apply it stops after the checks (a
rehearsal: the folder is removed, as after a problem). With --apply the checked files are copied over data/, CHANGELOG.md and
CITATION.cff, and the new database goes live: a roll of the local cluster when one runs (`make cluster`), otherwise
the commands that build, push and roll the image of the edition on a container platform are printed.
"""
from __future__ import annotations

import datetime
import filecmp
import hashlib
import html
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from tnl import PROJECT_ROOT
from tnl.build_layout import SUMS_NAME
from tnl.deploy.cluster import Cluster, free_port, wait_for
from tnl.importers import official as official_step
from tnl.importers import questionnaire_import as questionnaire_step
from tnl.pipeline import build as build_step
from tnl.pipeline import data_versions
from tnl.problems import Problem, Rejected

COMPANIONS = ("CHANGELOG.md", "CITATION.cff")  # beside data/: written by the version stage
UNRELEASED = "## [Non publié]\n"


@dataclass
class Stage:
    name: str
    seconds: float = 0.0
    lines: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    stages: list[Stage]
    database: Path | None  # the new release's database (kept only with apply)
    version: str


def run(edition: int, official: Path, questionnaire: Path | None, source: str, *, data_dir: Path, work_root: Path,
        apply: bool = False, previous: Path | None = None, cluster: Cluster | None = None,
        today: datetime.date | None = None, report: Callable[[str], None] = print) -> Outcome:
    """Run every stage in order; raise Rejected (nothing published) at the first problem."""
    data_dir, stages = Path(data_dir).resolve(), []

    @contextmanager
    def stage(name: str) -> Iterator[Stage]:
        current = Stage(name)
        report(f"== {name}")
        start = time.perf_counter()
        yield current
        current.seconds = time.perf_counter() - start
        stages.append(current)
        for line in current.lines:
            report(line)
        report(f"   ({current.seconds:.1f} s)")

    work_root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"annual-{edition}-", dir=work_root))
    live = False  # the work folder is kept only when its database went live
    try:
        staged = work / "data"
        shutil.copytree(data_dir, staged)
        for name in COMPANIONS:
            if (data_dir.parent / name).exists():
                shutil.copy2(data_dir.parent / name, work / name)

        with stage("Import de la liste officielle et de l'export du questionnaire") as current:
            plan = official_step.plan_import(staged, edition, official, source)
            if plan.problems:
                raise Rejected(plan.problems)
            current.lines += official_step.describe(plan)
            official_step.apply(plan, staged)
            if questionnaire is not None:
                current.lines += questionnaire_step.import_questionnaire(questionnaire, edition, staged).lines()
            current.lines += [f"   {line}" for line in _changed_files(data_dir, staged)]

        with stage("Version des données et journal des versions") as current:
            entry = data_versions.release(staged, previous, today or datetime.date.today())
            current.lines += [f"Version {entry['version']} (précédente : {entry['previous'] or 'aucune'})",
                              *data_versions.describe(entry)]
            _add_changelog_entry(work / "CHANGELOG.md", entry, edition, source)

        with stage("Construction à côté de la version en service") as current:
            output = build_step.build(staged, work / "site" / "tnl.db")
            database = (output.parent / os.readlink(output.parent / "current") / output.name).resolve()
            current.lines.append(f"Base : {database} ({database.stat().st_size / 1e6:.1f} Mo)")

        with stage("Vérifications (sommes SHA-256, pages servies)") as current:
            current.lines += _check_sums(database.parent)
            current.lines += _check_served(database, edition)

        if not apply:
            report(f"Répétition terminée : rien n'a été écrit ni mis en service (relancez avec --apply). Version "
                   f"{entry['version']}.")
            return Outcome(stages, None, entry["version"])

        with stage("Publication des données (data/, CHANGELOG.md, CITATION.cff)") as current:
            current.lines += _copy_back(staged, data_dir, work, data_dir.parent)

        with stage("Mise en service") as current:
            current.lines += _go_live(database, edition, entry["version"], cluster)
        live = True
        return Outcome(stages, database, entry["version"])
    finally:
        if not live:
            shutil.rmtree(work, ignore_errors=True)


def published_package(build_dir: Path) -> Path | None:
    """The data package zip of the release being served (`tnl release` compares the new data with it)."""
    found = sorted((build_dir / "current").glob("tnl-donnees-*.zip")) if (build_dir / "current").exists() else []
    return found[0] if found else None


def _changed_files(before: Path, after: Path) -> list[str]:
    names = sorted({p.relative_to(after) for p in after.rglob("*") if p.is_file()})
    changed = [str(n) for n in names if not (before / n).exists() or not filecmp.cmp(before / n, after / n, shallow=False)]
    return [f"Fichiers modifiés : {', '.join(changed) or 'aucun'}"]


def _add_changelog_entry(changelog: Path, entry: dict, edition: int, source: str) -> None:
    if not changelog.exists():
        return
    text = changelog.read_text(encoding="utf-8")
    if UNRELEASED not in text:
        raise Rejected([Problem(str(changelog), 0, "", "section « ## [Non publié] » introuvable",
                                "le journal des versions au format Tenir un changelog")])
    section = "\n".join([f"## [{entry['version']}] - {entry['date']}", "", "### Ajouté", "",
                         f"- Édition {edition} : liste officielle ({source}).", *data_versions.describe(entry)])
    changelog.write_text(text.replace(UNRELEASED, f"{UNRELEASED}\n{section}\n", 1), encoding="utf-8")


def _check_sums(release: Path) -> list[str]:
    """`sha256sum -c SHA256SUMS`, in Python."""
    lines = (release / SUMS_NAME).read_text().splitlines()
    if not lines:
        raise Rejected([Problem(str(release / SUMS_NAME), 0, "", "fichier vide", "une somme par fichier")])
    for number, line in enumerate(lines, start=1):
        expected, name = line.split(maxsplit=1)
        if hashlib.sha256((release / name.lstrip("*")).read_bytes()).hexdigest() != expected:
            raise Rejected([Problem(str(release / SUMS_NAME), number, name, "somme SHA-256 différente",
                                    "le fichier tel que construit")])
    return [f"Sommes SHA-256 : {len(lines)} fichiers conformes"]


def _check_served(database: Path, edition: int) -> list[str]:
    """Serve the new database on loopback: health, every page of /sitemaps/pages.xml and territories of the edition."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "tnl.cli", "serve", "--db", str(database), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=PROJECT_ROOT)
    try:
        base = f"http://127.0.0.1:{port}"
        health = wait_for(base + "/-/sante.json", seconds=120)
        with urllib.request.urlopen(base + "/sitemaps/pages.xml", timeout=60) as response:
            paths = [html.unescape(p) for p in re.findall(r"<loc>[^<]*?//[^/<]*(/[^<]*)</loc>", response.read().decode())]
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
            territories = [row[0] for row in connection.execute(
                "select territory_id from results where edition = ? order by territory_id limit 5", (edition,))]
        if not territories:
            raise Rejected([Problem(str(database), 0, "results", f"aucun lauréat de l'édition {edition}",
                                    "les lauréats importés de la liste officielle")])
        paths += [f"/territoire/{territory}" for territory in territories]
        for path in paths:
            try:
                urllib.request.urlopen(base + path, timeout=60).read()
            except OSError as error:
                raise Rejected([Problem(base + path, 0, "", f"page en erreur ({error})", "200")]) from error
        return [f"Base {health['base_sha256'][:16]} : santé {health['statut']}, {len(paths)} pages en 200"]
    finally:
        server.terminate()
        server.wait(timeout=30)


def _copy_back(staged: Path, data_dir: Path, work: Path, root: Path) -> list[str]:
    """Each changed file replaced in one rename: readers see the old file or the new one."""
    pairs = [(p, data_dir / p.relative_to(staged)) for p in sorted(staged.rglob("*")) if p.is_file()]
    pairs += [(work / name, root / name) for name in COMPANIONS if (work / name).exists()]
    written = []
    for source, target in pairs:
        if target.exists() and filecmp.cmp(source, target, shallow=False):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.annual-tmp")
        shutil.copy2(source, temporary)
        os.replace(temporary, target)
        written.append(str(target.relative_to(root)))
    return [f"Écrits : {', '.join(written)}", "Committez-les et étiquetez la version (git tag)."]


def _go_live(database: Path, edition: int, version: str, cluster: Cluster | None) -> list[str]:
    if cluster is not None and cluster.state_file.exists():
        release = cluster.roll(database)
        return [f"Grappe locale passée à la version {release} sans interruption ({cluster.url})",
                f"Chauffez le cache : tnl warm {cluster.url}"]
    tag = f"tnl-opendata:{edition}-{version}"
    return ["Aucune grappe locale : sur une plateforme de conteneurs,",
            f"  make image IMAGE={tag} && podman push {tag} REGISTRE/{tag}",
            f"  kubectl set image deployment/tnl-site site=REGISTRE/{tag}",
            "  kubectl rollout status deployment/tnl-site && kubectl rollout restart deployment/tnl-cache",
            "  tnl warm https://ADRESSE-DU-SITE"]
