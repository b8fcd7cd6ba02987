"""A page for every territory at /territoire/<id> (and <id>.json): history, mentions, indicators and peers."""
from datasette import hookimpl

from tnl.site.territory_pages import ID, malformed, redirect, references, territory_page


@hookimpl
def register_routes():
    return [
        (r"^/territoire/(?P<kind>commune|departement|region|epci)/(?P<code>[^/]{1,20})$", redirect),
        (rf"^/territoire/(?P<id>{ID})(?P<format>\.json)?$", territory_page),
        (r"^/territoire(?:/.*)?$", malformed),
    ]


@hookimpl
def startup(datasette):
    async def load():
        await references(datasette)
    return load
