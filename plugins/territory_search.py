"""Territory search: as one types (/-/recherche.json?q=…) and the page of results behind Enter (/recherche?q=…)."""
from datasette import hookimpl

from tnl.site.search.territory_search import recherche, results_page, search_index


@hookimpl
def register_routes():
    return [(r"^/-/recherche\.json$", recherche), (r"^/recherche$", results_page)]


@hookimpl
def startup(datasette):
    async def build():
        await search_index(datasette)
    return build
