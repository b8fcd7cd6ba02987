"""Datasette's view-table permission rules, read once per table for the life of the process.

Datasette 0.65.5 answers each view-table check (`_table_permission_allows`, called by its default permissions hook)
by deep-copying the whole metadata, every table's and column's description included: two checks per table or row
page cost about 20 ms of CPU, the largest single cost of a cold table page. Datasette offers no setting to keep the
answer, hence this wrapper. The metadata is fixed when the process starts (tnl/site/http/serve.py) and never changes
while it serves, so the rules found for a (database, table) stay true: they are kept, bounded in number.
"""
from __future__ import annotations

from functools import lru_cache

MAX_TABLES = 1024  # far more than the site's tables and views; the bound only keeps memory fixed


def remember_table_permissions(datasette) -> None:
    """The rules of each (database, table) computed by Datasette once, then kept (the list is only read by Datasette)."""
    datasette._table_permission_allows = lru_cache(maxsize=MAX_TABLES)(datasette._table_permission_allows)
