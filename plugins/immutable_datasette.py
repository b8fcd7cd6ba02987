"""Datasette's per-request work that depends only on the immutable database and metadata, done once per process
(tnl/site/http/immutable_datasette.py)."""
from datasette import hookimpl

from tnl.site.http.immutable_datasette import refresh_schemas_once, remember_table_permissions


@hookimpl
def startup(datasette):
    remember_table_permissions(datasette)
    refresh_schemas_once(datasette)
