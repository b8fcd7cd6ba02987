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

LEAFLET = ("leaflet-v1.7.1.min.js", "leaflet-v1.7.1.css")  # the minified module: half the size of the one Datasette's pages load
LATEST_SQL = """select id, name, kind, region_code, latitude, longitude, latest_edition as edition,
  latest_distinction as distinction, latest_distinction_label as label from labelled_territories"""
EDITION_SQL = """select territory_id as id, name, kind, region_code, latitude, longitude, edition, distinction,
  distinction_label as label from results_map where edition = :edition"""
UNPUBLISHED = "non_publie"  # the distinction filter's value for « labellisé, niveau non publié »
UNPUBLISHED_LABEL = vocabulary.UNPUBLISHED


async def _choices(datasette) -> dict:
    async def load():
        db = database(datasette)
        return {
            "editions": [r[0] for r in (await db.execute("select edition from editions order by edition")).rows],
            "distinctions": {r[0]: r[1] for r in (await db.execute("select id, label from distinctions order by scheme, rank")).rows},
            "regions": {r[0]: r[1] for r in (await db.execute("select code, name from regions order by name")).rows},
        }
    return await computed_once(datasette, ("embed_vocabulary",), load)


def parse_filters(args, choices: dict) -> dict:
    """The map's filters from the query string; ValueError with a French message for a value outside the data."""
    filters = {}
    edition = args.get("edition")
    if edition:
        if not edition.isdigit() or int(edition) not in choices["editions"]:
            raise ValueError(f"édition « {edition[:20]} » inconnue ; attendu : {', '.join(map(str, choices['editions']))}")
        filters["edition"] = int(edition)
    checks = {
        "distinction": [*choices["distinctions"], UNPUBLISHED],
        "kind": list(vocabulary.KIND_LABELS),
        "region_code": list(choices["regions"]),
    }
    for name, allowed in checks.items():
        value = args.get(name)
        if value:
            if value not in allowed:
                raise ValueError(f"{name} « {value[:30]} » inconnu ; attendu : {', '.join(allowed)}")
            filters[name] = value
    return filters


def _where(filters: dict) -> tuple[str, dict]:
    clauses, params = ["latitude is not null"], {}
    for name in ("kind", "region_code"):
        if name in filters:
            clauses.append(f"{name} = :{name}")
            params[name] = filters[name]
    if filters.get("distinction") == UNPUBLISHED:
        clauses.append("distinction is null")
    elif "distinction" in filters:
        clauses.append("distinction = :distinction")
        params["distinction"] = filters["distinction"]
    return " and ".join(clauses), params


def full_map_path(filters: dict) -> str:
    """The same selection on the full map pages (Datasette's column filters)."""
    edition = "edition" in filters
    column = "distinction" if edition else "latest_distinction"
    query = {k: filters[k] for k in ("edition", "kind", "region_code") if k in filters}
    if filters.get("distinction") == UNPUBLISHED:
        query[f"{column}__isnull"] = 1
    elif "distinction" in filters:
        query[column] = filters["distinction"]
    table = "results_map" if edition else "labelled_territories"
    return f"/tnl/{table}" + ("?" + urlencode(query) if query else "")


def caption(filters: dict, choices: dict) -> str:
    parts = ["Territoires labellisés" if "edition" in filters else "Territoires labellisés (dernière distinction)"]
    if "distinction" in filters:
        parts.append("niveau non publié" if filters["distinction"] == UNPUBLISHED
                     else choices["distinctions"][filters["distinction"]].split(" (")[0])
    if "edition" in filters:
        parts.append(f"édition {filters['edition']}")
    if "kind" in filters:
        parts.append(vocabulary.KIND_PLURALS[filters["kind"]])
    if "region_code" in filters:
        parts.append(choices["regions"][filters["region_code"]])
    return " · ".join(parts)


def _embed_urls(datasette) -> dict:
    return {"leaflet_js": datasette.urls.static_plugins("datasette-leaflet", LEAFLET[0]),
            "leaflet_css": datasette.urls.static_plugins("datasette-leaflet", LEAFLET[1]),
            "outline": datasette.urls.path(OUTLINE_PATH),
            "tiles": (datasette.plugin_config("datasette-cluster-map") or {}).get("tile_layer", "")}


async def embed_map(datasette, request):
    choices = await _choices(datasette)
    try:
        filters = parse_filters(request.args, choices)
    except ValueError as error:
        html = await datasette.render_template("embed_erreur.html", {"message": f"Filtre invalide : {error}."}, request=request)
        return Response.html(html, status=400)
    where, params = _where(filters)
    base = EDITION_SQL if "edition" in filters else LATEST_SQL
    if "edition" in filters:
        params["edition"] = filters["edition"]
    rows = (await database(datasette).execute(f"select * from ({base}) where {where}", params)).rows
    rows = sorted(rows, key=lambda r: normalise(r["name"]))  # « Échirolles » among the E
    markers = [{"id": r["id"], "nom": r["name"], "lat": r["latitude"], "lon": r["longitude"],
                "distinction": short_label({"distinction": r["distinction"], "label": r["label"]}) if r["distinction"] else UNPUBLISHED_LABEL,
                "edition": r["edition"], "cle": map_key(r["distinction"]), "couleur": MAP_COLOURS[map_key(r["distinction"])]}
               for r in rows]
    title = caption(filters, choices)
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
