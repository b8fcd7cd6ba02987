"""Downloads built beside the database: the versioned Data Package zip, its files unzipped, the SHA-256 sums."""
from datasette import hookimpl

from tnl.site.exports.downloads import (
    build_dir,
    current_zip,
    download,
    package_file,
    sums,
)


@hookimpl
def register_routes():
    return [
        (r"^/-/telechargements/(?P<name>[A-Za-z0-9_.-]+)$", download),
        (r"^/-/paquet/(?P<name>[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+){0,2})$", package_file),  # georef/…, sources/indicators/…
    ]


@hookimpl
def extra_template_vars(datasette):
    directory = build_dir(datasette)
    return {"sha256": sums(directory), "paquet_zip": current_zip(directory)}
