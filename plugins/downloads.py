"""Downloads built beside the database: the Data Package zip and the SHA-256 sums (the SQLite file is Datasette's /tnl.db)."""
from datasette import hookimpl

from tnl.site.downloads import build_dir, download, sums


@hookimpl
def register_routes():
    return [(r"^/-/telechargements/(?P<name>[A-Za-z0-9_.-]+)$", download)]


@hookimpl
def extra_template_vars(datasette):
    return {"sha256": sums(build_dir(datasette))}
