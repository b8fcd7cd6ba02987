"""Serve a built database with Datasette: one process, read-only, with the project's metadata, plugins and templates."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from tnl import PROJECT_ROOT
from tnl.pipeline.build import metadata_path

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
        if (PROJECT_ROOT / directory).is_dir():
            args += [option, str(PROJECT_ROOT / directory)] if option else ["--static", f"static:{PROJECT_ROOT / directory}"]
    args.append("--cors")  # the JSON API is meant to be called from other sites
    for name, value in SETTINGS.items():
        args += ["--setting", name, value]
    return args


def datasette_app(database: Path):
    """The same site as `datasette_args` gives, as an in-process Datasette (tests, benchmarks)."""
    from datasette.app import Datasette

    return Datasette(
        immutables=[str(database)],
        metadata=json.loads(metadata_path(database).read_text(encoding="utf-8")),
        plugins_dir=str(PROJECT_ROOT / "plugins"),
        template_dir=str(PROJECT_ROOT / "templates"),
        static_mounts=[("static", str(PROJECT_ROOT / "static"))],
        settings={name: _setting_value(value) for name, value in SETTINGS.items()},
        cors=True,
    )


def _setting_value(value: str):
    return {"on": True, "off": False}.get(value, int(value) if value.isdigit() else value)


def serve(database: Path, host: str, port: int) -> None:
    datasette = Path(sys.executable).with_name("datasette")
    args = [str(datasette), "serve", *datasette_args(database), "--host", host, "--port", str(port)]
    os.execv(args[0], args)
