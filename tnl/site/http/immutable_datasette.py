"""What Datasette recomputes on every request though it depends only on the database and the metadata, which never
change while a process serves them (tnl/site/http/serve.py opens one immutable release): computed once instead.
Datasette offers no setting for either, hence these two wrappers of its instance's methods.

- View-table permission rules: Datasette 0.65.5 answers each check (`_table_permission_allows`, called by its default
  permissions hook) by deep-copying the whole metadata, every table's and column's description included: about 4.5 ms
  of CPU per check, two checks per table or row page. The rules found for a (database, table) are kept, bounded.
- Schema tables: before every table, row, query or database page, Datasette compares each database's schema version
  with its internal copy (three queries, each a trip to a database thread: about 0.8 ms). The first request fills the
  internal tables as before; an immutable database's schema cannot change afterwards.
"""
from __future__ import annotations

from functools import lru_cache

MAX_TABLES = 1024  # far more than the site's tables and views; the bound only keeps memory fixed


def remember_table_permissions(datasette) -> None:
    """The rules of each (database, table) computed by Datasette once, then kept (the list is only read by Datasette)."""
    datasette._table_permission_allows = lru_cache(maxsize=MAX_TABLES)(datasette._table_permission_allows)


def refresh_schemas_once(datasette) -> None:
    """Datasette's refresh of its schema tables run until it has completed once, then skipped."""
    refresh, refreshed = datasette.refresh_schemas, False

    async def once():
        nonlocal refreshed
        if not refreshed:
            await refresh()
            refreshed = not datasette._refresh_schemas_lock.locked()  # a concurrent refresh may still be under way
    datasette.refresh_schemas = once
