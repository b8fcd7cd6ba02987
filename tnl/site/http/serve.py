"""Serve a built database with Datasette: one process, read-only, with the project's metadata, plugins and templates."""
from __future__ import annotations

import asyncio
import json
from pathlib import Path

from tnl import PROJECT_ROOT
from tnl.build_layout import metadata_path
from tnl.site.http.connections import uvicorn_config

SETTINGS = {
    "suggest_facets": "off",  # facet suggestions made a JSON page 25x slower on the 35k-row territories table
    "sql_time_limit_ms": "3000",
    "facet_time_limit_ms": "500",
    "allow_download": "on",
    "default_page_size": "50",
    "max_returned_rows": "2000",
    "default_cache_ttl": "3600",
}
KEEP_ALIVE_SECONDS = 5  # an idle kept-alive connection is closed after this long
GRACEFUL_SHUTDOWN_SECONDS = 10  # on stop, responses still being sent (long downloads, slow readers) are cut after this
# asyncio accepts up to `backlog` sockets at once before any of them runs connection_made, where the connection cap
# applies: uvicorn's 2,048 let a burst of slow clients take every file descriptor before the cap could close them.
ACCEPT_BATCH = 128


def datasette_app(database: Path):
    """The site as an in-process Datasette: served by `serve`, and used as such by tests and benchmarks.

    The database path is resolved once: `build/tnl.db` links to the current release (tnl/pipeline/publish.py), and
    this process keeps serving the release it opened (database, metadata, downloads, ETags) whatever is built next."""
    from datasette.app import Datasette

    database = Path(database).resolve()
    return Datasette(
        immutables=[str(database)],
        metadata=with_inherited_licence_and_source(json.loads(metadata_path(database).read_text(encoding="utf-8"))),
        plugins_dir=str(PROJECT_ROOT / "plugins"),
        template_dir=str(PROJECT_ROOT / "templates"),
        static_mounts=[("static", str(PROJECT_ROOT / "static"))],
        settings={name: _setting_value(value) for name, value in SETTINGS.items()},
        cors=True,
    )


INHERITED = ("source", "source_url", "license", "license_url", "about", "about_url")


def with_inherited_licence_and_source(metadata: dict) -> dict:
    """Every database and table gets the site's licence, source and « à propos » unless it has its own.

    Datasette fills them in lazily, in place, when a table or database page is first shown; a row page reads the
    table's own metadata without doing so, so its footer showed the licence only once someone had opened the table."""
    site = {key: metadata[key] for key in INHERITED if metadata.get(key)}
    for database in (metadata.get("databases") or {}).values():
        for described in (database, *(database.get("tables") or {}).values()):
            for key, value in site.items():
                described[key] = described.get(key) or value
    return metadata


def _setting_value(value: str):
    return {"on": True, "off": False}.get(value, int(value) if value.isdigit() else value)


def serve(database: Path, host: str, port: int) -> None:
    """Datasette's app under uvicorn with httptools (chosen by benchmarks/http_stacks.py), run here rather
    than by `datasette serve` for the connection limits it cannot set: a deadline for request heads, a bound on
    their size and on the number of connections (connections.py), a short keep-alive, a bounded graceful shutdown."""
    import uvicorn

    datasette = datasette_app(database)
    config = uvicorn_config(datasette.app(), host=host, port=port, lifespan="on", log_level="info",
                            timeout_keep_alive=KEEP_ALIVE_SECONDS, backlog=ACCEPT_BATCH,
                            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS)

    async def run():
        await datasette.invoke_startup()  # indexes built before the first visitor, as `datasette serve` does
        await uvicorn.Server(config).serve()

    with asyncio.Runner(loop_factory=config.get_loop_factory()) as runner:  # the loop the configuration names
        runner.run(run())
