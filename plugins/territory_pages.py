"""A page for every territory at /territoire/<id> (and <id>.json), its badge and its Atom feed."""
from datasette import hookimpl

from tnl.site.pages.territory_pages import (
    ID,
    malformed,
    redirect,
    references,
    territory_page,
)
from tnl.site.share.badges import badge
from tnl.site.share.feeds import territory_feed


@hookimpl
def register_routes():
    return [  # in this order: the last one catches every other address under /territoire
        (r"^/territoire/(?P<kind>commune|departement|region|epci)/(?P<code>[^/]{1,20}?)(?P<format>\.json)?$", redirect),
        (rf"^/territoire/(?P<id>{ID})(?P<format>\.json)?$", territory_page),
        (rf"^/territoire/(?P<id>{ID})/badge\.svg$", badge),
        (rf"^/territoire/(?P<id>{ID})\.atom$", territory_feed),
        (r"^/territoire(?:/.*)?$", malformed),
    ]


@hookimpl
def startup(datasette):
    async def load():
        await references(datasette)
    return load
