"""Serve a built database with Datasette: one process, read-only, with the project's metadata, plugins and templates."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from tnl.build import metadata_path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = {
    "suggest_facets": "off",  # facet suggestions made a JSON page 25x slower on the 35k-row territories table
    "sql_time_limit_ms": "3000",
    "facet_time_limit_ms": "500",
    "allow_download": "on",
    "default_page_size": "50",
    "max_returned_rows": "2000",
    "default_cache_ttl": "3600",
}


def datasette_args(database: Path) -> list[str]:
    """Arguments of the one `datasette` command that serves the site (also used by tests and benchmarks)."""
    args = ["-i", str(database), "--metadata", str(metadata_path(database))]
    for directory, option in (("plugins", "--plugins-dir"), ("templates", "--template-dir"), ("static", None)):
        if (ROOT / directory).is_dir():
            args += [option, str(ROOT / directory)] if option else ["--static", f"static:{ROOT / directory}"]
    args.append("--cors")  # the JSON API is meant to be called from other sites
    for name, value in SETTINGS.items():
        args += ["--setting", name, value]
    return args


def serve(database: Path, host: str, port: int) -> None:
    datasette = Path(sys.executable).with_name("datasette")
    args = [str(datasette), "serve", *datasette_args(database), "--host", host, "--port", str(port)]
    os.execv(args[0], args)
