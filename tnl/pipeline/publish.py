"""Publication as one atomic step: a build's database, metadata, zip and SHA256SUMS become visible together or not at all.

Layout beside the output (`build/` for `build/tnl.db`):

    releases/<digest>/   one complete build, never modified once published (digest of its files' SHA-256)
    current              symlink -> releases/<digest>: switching it (one rename) publishes a build
    tnl.db, metadata.json, tnl-datapackage.zip, SHA256SUMS, cartes/, paquet/, exports/ (tnl/pipeline/exports.py)
                         symlinks -> current/<name>: the paths users and `make serve` know keep working

A build writes into releases/.staging-*, moves it to releases/<digest> and renames `current`: a failure or a kill
at any step leaves the previous release published, whole. A lock file refuses a second build of the same folder
while one runs; leftovers of a killed build are removed by the next one. The server resolves the symlinks once at
startup (tnl/site/http/serve.py), so it serves the database, downloads and ETags of the release it opened even when a
new build is published meanwhile. The last KEPT releases stay on disk for servers still running on them.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from tnl.pipeline import bundle

RELEASES = "releases"
CURRENT = "current"
LOCK = ".lock"
STAGING_PREFIX = ".staging-"
LINK_SUFFIX = ".link-tmp"
KEPT = 3
RELEASE_NAME = re.compile(r"[0-9a-f]{16}")


class BuildLocked(Exception):
    """Another build of the same folder is running."""


@contextmanager
def locked(root: Path) -> Iterator[None]:
    """Hold root's build lock (released by the system if the process dies), after removing a killed build's leftovers."""
    releases = Path(root) / RELEASES
    releases.mkdir(parents=True, exist_ok=True)
    with open(releases / LOCK, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildLocked(str(root)) from None
        remove_leftovers(Path(root))
        yield


def remove_leftovers(root: Path) -> None:
    """Staging folders, temporary links and the temporary files of earlier layouts left by a build that was killed."""
    for staging in (root / RELEASES).glob(STAGING_PREFIX + "*"):
        shutil.rmtree(staging, ignore_errors=True)
    for temporary in [*root.glob("*" + LINK_SUFFIX), *root.glob(".*" + LINK_SUFFIX), *root.glob("*.tmp")]:
        temporary.unlink(missing_ok=True)


@contextmanager
def staging(root: Path) -> Iterator[Path]:
    """A fresh folder for the new release's files, removed on every way out (published ones were moved away)."""
    path = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=Path(root) / RELEASES))
    path.chmod(0o755)  # published files, readable by the server's user
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def publish(staged: Path, root: Path) -> Path:
    """Make the staged files the current release: move them to releases/<digest>, then switch `current` in one rename."""
    files = sorted(p for p in staged.rglob("*") if p.is_file())  # the folders' too: a build with exports differs
    for path in files:  # on disk before they become visible
        with open(path, "rb") as f:
            os.fsync(f.fileno())
    digest = hashlib.sha256("".join(f"{p.relative_to(staged)} {bundle.sha256(p)}\n" for p in files).encode()).hexdigest()[:16]
    names = {p.name for p in staged.iterdir()}  # files and folders (the preview cards)
    release = root / RELEASES / digest
    if not release.exists():  # the same files published again: the existing release is them
        os.rename(staged, release)
    _replace_link(root / CURRENT, Path(RELEASES) / digest)
    for name in names:
        _replace_link(root / name, Path(CURRENT) / name)
    for link in root.iterdir():  # links to files the current release no longer has (a renamed download)
        if link.is_symlink() and link.name not in names and os.readlink(link).startswith(CURRENT + "/"):
            link.unlink()
    _prune(root, keep=release)
    return release


def _replace_link(link: Path, target: Path) -> None:
    """Point link at target by renaming a new symlink over it: readers see the old target or the new, never neither."""
    if link.is_symlink() and os.readlink(link) == str(target):
        return
    temporary = link.with_name(f".{link.name}.{os.getpid()}{LINK_SUFFIX}")
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(target)
    os.replace(temporary, link)


def _prune(root: Path, keep: Path) -> None:
    """Older releases beyond KEPT; only folders named as this module names them (others there are not ours)."""
    releases = [p for p in (root / RELEASES).iterdir() if p.is_dir() and RELEASE_NAME.fullmatch(p.name)]
    releases.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in [p for p in releases if p != keep][KEPT - 1:]:
        shutil.rmtree(old, ignore_errors=True)
