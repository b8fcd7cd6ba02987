"""Territory search as one types: /-/recherche.json?q=…, served from an index built once in memory."""
from datasette import hookimpl

from tnl.site.territory_search import recherche, search_index


@hookimpl
def register_routes():
    return [(r"^/-/recherche\.json$", recherche)]


@hookimpl
def startup(datasette):
    async def build():
        await search_index(datasette)
    return build
