"""Datasette's view-table permission rules read once per table (tnl/site/http/table_permissions.py)."""
from datasette import hookimpl

from tnl.site.http.table_permissions import remember_table_permissions


@hookimpl
def startup(datasette):
    remember_table_permissions(datasette)
