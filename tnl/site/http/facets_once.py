"""Each column facet of a table page counted once, where Datasette 0.65.5 counts some twice.

When a table's metadata declares a facet and the request asks for it again (`/tnl/territories.json?_facet=kind`,
the table's metadata declaring kind, labellise, region_code and departement_code), `load_facet_configs` keeps both
configurations and `ColumnFacet.facet_results` runs the same SQL, and the same foreign-key labels lookup, for each:
a count over the 35,000 communes for nothing. The page lists both (`kind` from the metadata, then `kind_2`, which
the visitor can hide), so dropping the repeated configuration would change the published JSON and HTML; Datasette has
no setting for it, and no hook between a facet's configurations and its SQL. So during one `facet_results` call,
the facet sees its Datasette through `_OncePerCall`: an identical `execute` or `expand_foreign_keys` call is
answered with the first one's result, and every entry is built from it by Datasette's own code, as before.
Nothing is kept beyond that call.
"""
from __future__ import annotations

from datasette.facets import ColumnFacet


class _OncePerCall:
    """A Datasette as one facet_results call sees it: identical queries and label lookups answered once."""

    def __init__(self, datasette):
        self._datasette = datasette
        self._answers = {}

    def __getattr__(self, name):
        return getattr(self._datasette, name)

    async def execute(self, *args, **kwargs):
        return await self._once("execute", args, kwargs)

    async def expand_foreign_keys(self, *args, **kwargs):
        return await self._once("expand_foreign_keys", args, kwargs)

    async def _once(self, method: str, args: tuple, kwargs: dict):
        key = repr((method, args, sorted(kwargs.items())))  # SQL, parameters, values: strings, numbers, lists, dicts
        if key not in self._answers:  # a query that timed out raised, and is not kept: the next one tries again
            self._answers[key] = await getattr(self._datasette, method)(*args, **kwargs)
        return self._answers[key]


def count_each_facet_once() -> None:
    """Datasette's ColumnFacet.facet_results run with its Datasette seen through _OncePerCall (once per process)."""
    original = ColumnFacet.facet_results
    if getattr(original, "__wrapped__", None):
        return

    async def facet_results(self):
        datasette, self.ds = self.ds, _OncePerCall(self.ds)
        try:
            return await original(self)
        finally:
            self.ds = datasette

    facet_results.__wrapped__ = original
    ColumnFacet.facet_results = facet_results
