"""Builds shared by the test sessions: one `tnl build` per content of its inputs, kept on disk under tmp/cache/.

The whole of data/ takes about 35 s to validate and build; pytest-xdist's workers and successive runs would each
repeat it. The key is a hash of everything the build reads (the data folder, the code, metadata.yml, the lock files,
the Python version), so an edit anywhere gives a new build; a lock lets one worker build while the others wait.
Tests never write into a cached build: those that change a site copy it first.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

from tnl.pipeline.build import build
from tnl.problems import Rejected

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "tmp" / "cache"  # ignored by git, removed by `make clean`
CODE = [ROOT / "tnl", ROOT / "schemas", ROOT / "metadata.yml", ROOT / "pyproject.toml", ROOT / "requirements.txt"]
KEEP = 6  # builds kept: the newest ones, older keys are stale code or data


def content_hash(paths: list[Path]) -> str:
    """SHA-256 over the relative paths and bytes of every file under paths (caches and bytecode left out)."""
    digest = hashlib.sha256(sys.version.encode())
    for top in paths:
        files = sorted(p for p in top.rglob("*") if p.is_file()) if top.is_dir() else [top]
        for path in files:
            if "__pycache__" in path.parts or path.suffix == ".pyc":
                continue
            digest.update(str(path.relative_to(top.parent)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:24]


def cached_build(data_dir: Path) -> tuple[Path | None, list[str]]:
    """(database, []) for a valid data_dir, (None, problems) otherwise: built once per content, then read from disk."""
    CACHE.mkdir(parents=True, exist_ok=True)
    key = content_hash([data_dir, *CODE])
    folder = CACHE / key
    with open(CACHE / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another worker building the same content: wait for it
        done = folder / "outcome.json"
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            try:
                build(data_dir, folder / "site" / "tnl.db")
                problems = []
            except Rejected as rejected:
                problems = [str(p) for p in rejected.problems]
            done.write_text(json.dumps(problems), encoding="utf-8")
            forget_old_builds()
        os.utime(folder)  # newest: kept by forget_old_builds
        problems = json.loads(done.read_text(encoding="utf-8"))
    return (None, problems) if problems else (folder / "site" / "tnl.db", [])


def forget_old_builds() -> None:
    """Keep the KEEP newest builds: the cache stays a few builds large however often the code changes."""
    builds = sorted((p for p in CACHE.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in builds[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)
        (CACHE / f"{old.name}.lock").unlink(missing_ok=True)
