"""The pipeline reads only what the package declares, inside its data folder, and never the network.

A resource path is a plain relative path whose real location (symlinks followed) stays inside the data folder;
profiles, dialects and schemas are written in the descriptor, never named by URL or file (frictionless would
fetch or open them). Checked before anything reads a resource file.
"""
from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

# Profiles named by frictionless itself (no fetch); anything else names a URL or a file.
KNOWN_PROFILES = {"data-package", "tabular-data-package", "data-resource", "tabular-data-resource"}
SAFE_PATH = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./-]*")
NO_REACH = "ni URL ni fichier extérieur : le paquet est lu hors ligne, depuis son seul dossier"


def is_inside(data_dir: Path, path: Path) -> bool:
    """Whether path, symlinks followed, lies inside data_dir."""
    return Path(path).resolve().is_relative_to(Path(data_dir).resolve())


def path_problem(data_dir: Path, path) -> str | None:
    """Why a resource path may not be read (French), or None."""
    if not isinstance(path, str) or not SAFE_PATH.fullmatch(path) or ".." in PurePosixPath(path).parts:
        return ("chemin refusé ; attendu : un chemin relatif simple dans le dossier des données "
                "(lettres, chiffres, _ . - /, sans « .. », sans chemin absolu ni URL)")
    if not is_inside(data_dir, Path(data_dir) / path):
        return "lien symbolique vers l'extérieur du dossier des données ; attendu : un fichier du dossier lui-même"
    return None


def reach_problems(descriptor: dict, data_dir: Path) -> list[tuple[str, str]]:
    """(field, message) for everything in the descriptor that would make the pipeline read outside data_dir."""
    problems = []
    for key in ("profile", "$schema"):
        if key in descriptor and descriptor[key] not in KNOWN_PROFILES:
            problems.append((key, f"profil externe refusé ; attendu : {', '.join(sorted(KNOWN_PROFILES))}, {NO_REACH}"))
    for index, resource in enumerate(descriptor.get("resources") or []):
        if not isinstance(resource, dict):
            continue
        where = f"resources[{index}]"
        message = path_problem(data_dir, resource.get("path"))
        if message:
            problems.append((f"{where}.path", message))
        if "profile" in resource and resource["profile"] not in KNOWN_PROFILES:
            problems.append((f"{where}.profile", f"profil externe refusé ; attendu : {NO_REACH}"))
        for key in ("dialect", "schema"):
            if key in resource and not isinstance(resource[key], dict):
                problems.append((f"{where}.{key}", f"{key} désigné par une adresse ; attendu : le {key} écrit dans le descripteur, {NO_REACH}"))
    return problems
