"""Sharing: pages for iframes (/embed/…) and the preview images written by the build (/-/cartes/<id>.png)."""
from datasette import hookimpl

from tnl.site.embeds import embed_map, embed_territory
from tnl.site.territory_pages import ID


@hookimpl
def register_routes():
    return [
        (r"^/embed/carte$", embed_map),
        (rf"^/embed/territoire/(?P<id>{ID})$", embed_territory),
    ]
