"""Sharing: pages for iframes (/embed/…), link previews of the front page and the palmarès, and the preview images
written by the build (/-/cartes/<id>.png). Territory pages set their own preview (tnl/site/pages/territory_pages.py)."""
from datasette import hookimpl

from tnl.site.pages.front_page import front_page_data
from tnl.site.pages.territory_pages import ID
from tnl.site.share.embeds import embed_map, embed_territory
from tnl.site.share.previews import card_image, front_page_preview, palmares_preview


@hookimpl
def register_routes():
    return [
        (r"^/embed/carte$", embed_map),
        (rf"^/embed/territoire/(?P<id>{ID})$", embed_territory),
        (rf"^/-/cartes/(?P<id>{ID})\.png$", card_image),
    ]


@hookimpl
def extra_template_vars(view_name, request, datasette):
    if request is None:
        return {}
    if view_name == "index":
        async def front_page():
            return {"apercu": front_page_preview(datasette, request, (await front_page_data(datasette))["counts"])}
        return front_page
    if request.path == datasette.urls.path("/tnl/palmares"):  # the canned query (its view has no name of its own)
        async def palmares():
            return {"apercu": await palmares_preview(datasette, request)}
        return palmares
    return {}
