"""The ETag seed: the fingerprint of what a replica serves, the database's SHA-256 (Datasette's, computed once for an immutable
file) and the site's code. Every replica serving the same database and code gives the same ETags; a new database or new code, new ones."""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from tnl import PROJECT_ROOT
from tnl.site.http.instance_cache import database

SITE_CODE = ("templates", "static", "plugins", "tnl/site", "metadata.yml")


@lru_cache(maxsize=1)
def code_fingerprint(root: Path = PROJECT_ROOT) -> str:
    digest = hashlib.sha256()
    for name in SITE_CODE:
        base = root / name
        for path in sorted(base.rglob("*") if base.is_dir() else [base]):
            if path.is_file() and path.suffix != ".pyc":
                digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def site_fingerprint(datasette) -> str:
    return hashlib.sha256(f"{database(datasette).hash}:{code_fingerprint()}".encode()).hexdigest()


def build_date(datasette) -> str:
    """When `tnl build` finished writing the database (it renames the file into place: the file's time)."""
    mtime = Path(database(datasette).path).stat().st_mtime
    return datetime.fromtimestamp(mtime, timezone.utc).isoformat(timespec="seconds")
