"""Pages made for iframes on other sites (the only framable ones, see security_headers): the map of labelled
territories, /embed/carte?edition=&distinction=&kind=&region_code= (the filters of the full map pages), and a
territory card, /embed/territoire/<id>. Both are light: one small HTML page, no Datasette chrome, and for the map
Leaflet's minified module from datasette-leaflet with the markers written in the page (no second request for them).
"""
from __future__ import annotations

from urllib.parse import urlencode

from datasette import Response

from tnl import vocabulary
from tnl.distinction_style import MAP_COLOURS, map_key, sentence, short_label
from tnl.site.http.instance_cache import computed_once, database
from tnl.site.pages.territory_pages import HISTORY_SQL, _rows, not_found, references
from tnl.site.share.map_outline import OUTLINE_PATH
from tnl.site.share.public_url import absolute
from tnl.site.share.sharing import EMBED_HEIGHTS, iframe
from tnl.text import normalise
    src = absolute(datasette, request, "/embed/carte" + (f"?{urlencode(filters)}" if filters else ""))  # the filters only
    context = dict(_embed_urls(datasette), title=title, markers=markers, full_map=absolute(datasette, request, full_map_path(filters)),
                   territory_url=absolute(datasette, request, "/territoire/"),
                   snippet=iframe(src, f"Carte : {title} — Territoire Numérique Libre", EMBED_HEIGHTS["carte"]))
    html = await datasette.render_template("embed_carte.html", context, request=request)
    return Response.html(html)


async def embed_territory(datasette, request):
    ref = await references(datasette)
    territory = ref["territories"].get(request.url_vars["id"])
    if territory is None:
        return await not_found(datasette, request)
    history = []
    if territory["id"] in ref["documented"]:
        params = {"id": territory["id"], "unpublished": vocabulary.UNPUBLISHED}
        history = await database(datasette).execute_fn(lambda conn: _rows(conn, HISTORY_SQL, params).fetchall())
    page = absolute(datasette, request, f"/territoire/{territory['id']}")
    context = {
        "t": territory, "kind_label": vocabulary.KIND_LABELS.get(territory["kind"], territory["kind"]),
        "latest": sentence(territory["latest"]), "history": history[::-1], "page": page,
        "badge": f"/territoire/{territory['id']}/badge.svg",
        "snippet": iframe(absolute(datasette, request, request.path), f"{territory['name']} — Territoire Numérique Libre",
                          EMBED_HEIGHTS["territoire"]),
    }
    html = await datasette.render_template("embed_territoire.html", context, request=request)
    return Response.html(html)
