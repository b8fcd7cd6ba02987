"""A page for every territory at /territoire/<id> (and <id>.json): history, mentions, indicators and peers."""
from __future__ import annotations

import itertools
import re
from urllib.parse import urlencode

from datasette import Response
from markupsafe import Markup

from tnl import vocabulary
from tnl.site.french.value_labels import CONFIDENCE, MATCH, ORIGIN
from tnl.site.http.instance_cache import computed_once, database
from tnl.site.pages import comparison, history_chart
from tnl.site.pages import peers as peer_rules
from tnl.site.pages.peer_rows import peer_rows
from tnl.site.pages.synchronous_pages import render_framed, synchronous_environment
from tnl.site.share.previews import territory_preview
from tnl.site.share.public_url import base_url
from tnl.site.share.sharing import territory_snippets
from tnl.vocabulary import split_sources

ID = r"[A-Za-z0-9_-]{1,100}"
REDIRECTS = {"commune": lambda ref, code: ref["communes"].get(code.upper()), "epci": lambda ref, code: code,
             "departement": lambda ref, code: f"departement-{code.upper()}",
             "region": lambda ref, code: f"region-{code}"}
TERRITORIES_SQL = """
select t.id, t.name, t.kind, t.epci_type, t.cog_code, t.siren, t.departement_code, t.region_code, t.epci_siren,
  t.population, t.population_year, t.latitude, t.longitude, t.former_cog_codes, t.note,
  l.latest_edition, l.latest_distinction, l.latest_distinction_label, e.distinction_scheme, d.rank
from territories t left join labelled_territories l on l.id = t.id
left join editions e on e.edition = l.latest_edition left join distinctions d on d.id = l.latest_distinction
"""
HISTORY_SQL = """
select r.edition, e.distinction_scheme as scheme, r.distinction, coalesce(d.label, :unpublished) as distinction_label,
  d.rank as distinction_rank, r.name_as_published, r.source_urls, r.confidence, r.match_confidence, r.match_note, r.note
from results r join editions e on e.edition = r.edition left join distinctions d on d.id = r.distinction
where r.territory_id = :id order by r.edition
"""
MENTIONS_SQL = "select edition, mention, source_urls, confidence from mentions where territory_id = :id order by edition, mention"
DOCUMENTED_SQL = "select territory_id from results union select territory_id from mentions union select territory_id from indicator_values"
INDICATORS_SQL = """
select i.domain, v.indicator, i.label, i.unit, i.type, v.edition, v.value, v.origin, v.source_url, v.date, v.note
from indicator_values v join indicators i on i.code = v.indicator where v.territory_id = :id order by i.domain, i.label, v.date
"""
# The results of the territories within a département, a région or an EPCI (itself included), newest edition first:
# the territory's page lists them and its Atom feed (feeds.py) publishes them, from this one query.
WITHIN_SQL = """
select r.edition, r.territory_id, t.name, t.kind, r.distinction, coalesce(d.label, :unpublished) as label,
  r.name_as_published, r.source_urls, coalesce(e.results_date, e.ceremony_date, r.edition || '-12-01') as published
from results r join territories t on t.id = r.territory_id join editions e on e.edition = r.edition
left join distinctions d on d.id = r.distinction
where {scope} order by r.edition desc, t.name
"""
WITHIN_WORDS = {"departement": "dans ce département", "region": "dans cette région", "epci": "dans cette intercommunalité"}
WITHIN_SCOPES = {"departement": "t.departement_code = :code", "region": "t.region_code = :code",
                 "epci": "(t.epci_siren = :id or t.id = :id)"}


def within_query(territory: dict) -> tuple[str, dict]:
    """WITHIN_SQL for this territory: the territories it contains, or only itself for a commune or an organisation."""
    scope = WITHIN_SCOPES.get(territory["kind"], "r.territory_id = :id")
    return WITHIN_SQL.format(scope=scope), {"id": territory["id"], "code": territory["cog_code"],
                                            "unpublished": vocabulary.UNPUBLISHED}


def laureates(results: list[dict]) -> list[dict]:
    """The results within a territory, one line per laureate (latest edition first), its distinctions newest first."""
    by_territory: dict[str, dict] = {}
    for row in results:
        line = by_territory.setdefault(row["territory_id"], {
            "id": row["territory_id"], "name": row["name"], "url": f"/territoire/{row['territory_id']}",
            "kind_label": vocabulary.KIND_LABELS.get(row["kind"], row["kind"]), "results": []})
        line["results"].append({"edition": row["edition"], "label": row["label"]})
    return list(by_territory.values())


def _rows(conn, sql: str, params=()):
    cursor = conn.cursor()  # not conn.row_factory: the connection is Datasette's and shared
    cursor.row_factory = lambda cursor, row: {c[0]: v for c, v in zip(cursor.description, row)}
    return cursor.execute(sql, params)


def _load(conn) -> dict:
    territories, communes = {}, {}
    for row in _rows(conn, TERRITORIES_SQL):
        edition = row.pop("latest_edition")
        latest = {"edition": edition, "distinction": row.pop("latest_distinction"), "label": row.pop("latest_distinction_label"),
                  "scheme": row.pop("distinction_scheme"), "rank": row.pop("rank")}
        row["latest"] = latest if edition else None
        territories[row["id"]] = row
        if row["kind"] == "commune":
            for code in [row["cog_code"], *(row["former_cog_codes"] or "").split(";")]:
                communes.setdefault(code.strip().upper(), row["id"])
    editions = _rows(conn, "select edition, distinction_scheme as scheme from editions order by edition").fetchall()
    scales = {scheme: [d["label"].split(" (")[0] for d in rows] for scheme, rows in itertools.groupby(
        _rows(conn, "select scheme, label from distinctions order by scheme, rank"), key=lambda d: d["scheme"])}
    return {"territories": territories, "communes": communes, "peers": peer_rules.PeerIndex(territories.values()),
            "documented": {row[0] for row in conn.execute(DOCUMENTED_SQL)},
            "editions": editions, "scales": scales, "peer_rows": {}}


async def references(datasette) -> dict:
    """Everything small and immutable, read once per process (about 36,000 territories), and the content template."""
    async def load():
        loaded = await database(datasette).execute_fn(_load)
        loaded["peers"].locate(await comparison.open_holders(datasette))
        synchronous = synchronous_environment(datasette.jinja_env)
        loaded["content"] = synchronous.get_template("_territoire_contenu.html")
        loaded["head"] = synchronous.get_template("_territoire_entete.html")
        loaded["page"] = synchronous.get_template("territoire.html")
        loaded["chart"] = history_chart.chart(synchronous, loaded["editions"], loaded["scales"])
        return loaded
    return await computed_once(datasette, ("territories",), load)


def _link(ref: dict, territory_id: str | None) -> dict | None:
    target = ref["territories"].get(territory_id or "")
    return target and {"id": target["id"], "name": target["name"], "url": f"/territoire/{target['id']}"}


async def territory_data(datasette, ref: dict, territory: dict, args, as_json: bool = True) -> dict:
    """What a territory's page shows; `as_json=False` for the HTML page: without the peers' markers (its map fetches
    the JSON) and with the listed peers' territories themselves (peers.section)."""
    params = {"id": territory["id"], "unpublished": vocabulary.UNPUBLISHED}
    documented, within = territory["id"] in ref["documented"], territory["kind"] in WITHIN_SCOPES
    # Most territories have no result, mention or indicator, and contain no other: no trip to the database thread
    # for them; the others make one, for all their small indexed queries.
    queries = [(HISTORY_SQL, params), (MENTIONS_SQL, params), (INDICATORS_SQL, params)] if documented else []
    queries += [within_query(territory)] if within else []
    found_rows = await database(datasette).execute_fn(
        lambda conn: [_rows(conn, sql, values).fetchall() for sql, values in queries]) if queries else []
    history, mentions, indicators = found_rows[:3] if documented else ([], [], [])
    laureates_within = laureates(found_rows[-1]) if within else None
    for row in history:
        row["source_urls"] = split_sources(row["source_urls"])
    indicators = [dict(r, origin_label=ORIGIN.get(r["origin"], r["origin"])) for r in indicators]
    options = peer_rules.parse_options(args, territory)
    found, options, widened = peer_rules.find_widening(ref["peers"], territory, options, args.get("perimetre"))
    region = _link(ref, f"region-{territory['region_code']}")
    return {
        "territory": dict(territory, kind_label=vocabulary.KIND_LABELS.get(territory["kind"], territory["kind"]),
                          url=f"/territoire/{territory['id']}",
                          departement=_link(ref, f"departement-{territory['departement_code']}"), region=region,
                          epci=_link(ref, territory["epci_siren"])),
        "editions": ref["editions"],
        "history": history,
        "laureates": laureates_within,
        "mentions": mentions,
        "indicators": [{"domain": domain, "values": list(values)} for domain, values in itertools.groupby(indicators, key=lambda r: r["domain"])],
        "peers": peer_rules.section(territory, found, options, region and region["name"], args.get("page"), as_json,
                                     widened, items=as_json),
        "comparison": comparison.section(territory, found, await comparison.open_values(datasette),
                                         await comparison.open_holders(datasette)),
    }


def _query(args, **changes) -> str:
    params = {k: args.get(k) for k in ("min", "max", "perimetre", "page") if args.get(k)}
    params = {k: v for k, v in {**params, **changes}.items() if v is not None}
    return "?" + urlencode(params) if params else ""


async def not_found(datasette, request, message="Ce territoire n'existe pas dans nos données."):
    html = await datasette.render_template("territoire_404.html", {"message": message}, request=request)
    return Response.html(html, status=404)


async def territory_page(datasette, request):
    ref = await references(datasette)
    territory = ref["territories"].get(request.url_vars["id"])
    as_json = bool(request.url_vars.get("format"))
    if territory is None:
        if as_json:
            return Response.json({"ok": False, "error": "Territoire introuvable", "status": 404, "id": request.url_vars["id"]}, status=404)
        return await not_found(datasette, request)
    args = request.args  # parsed on every use
    if as_json:
        return await _json(datasette, ref, territory, args)
    data = await territory_data(datasette, ref, territory, args, as_json=False)
    base = base_url(datasette, request)  # once, not once per absolute address
    context = dict(data, within_words=WITHIN_WORDS, **ref["chart"], confidence=CONFIDENCE, match=MATCH,
                   json_url=data["territory"]["url"] + ".json" + _query(args, page=None),
                   national_url=_query(args, perimetre="national", page=None),
                   region_url=_query(args, perimetre="region", page=None),
                   previous_url=_query(args, page=data["peers"]["page"] - 1),
                   next_url=_query(args, page=data["peers"]["page"] + 1),
                   peer_rows=peer_rows(data["peers"]["items"], ref["peer_rows"]),
                   partage=territory_snippets(territory, lambda path: base + path),
                   apercu=territory_preview(base, territory, data["territory"]["kind_label"]))
    # The page's title and the lines of <head> that are its own: the module of _territoire_entete.html (its body, and
    # the `titre` it sets), given only what it uses. With the content, they fill the page's frame (territoire.html).
    head = ref["head"].make_module({key: context[key] for key in ("territory", "json_url", "partage", "apercu")})
    slots = {"titre": head.titre, "entete": Markup(str(head)), "contenu": Markup(ref["content"].render(context))}
    return Response.html(await render_framed(datasette, ref["page"], slots, request))


async def _json(datasette, ref: dict, territory: dict, args) -> Response:
    data = await territory_data(datasette, ref, territory, args)
    return Response.json(data, headers={"Access-Control-Allow-Origin": "*"})


async def redirect(datasette, request):
    """A shortcut by official code: the HTML moves to the territory's one address; the JSON answers here too."""
    ref = await references(datasette)
    kind, code = request.url_vars["kind"], request.url_vars["code"]
    target = REDIRECTS[kind](ref, code) if re.fullmatch(r"[0-9AaBb]{2,9}", code) else None
    found = target in ref["territories"] and ref["territories"][target]["kind"] == kind
    if request.url_vars.get("format"):
        if not found:
            return Response.json({"ok": False, "error": "Territoire introuvable", "status": 404, "type": kind, "code": code[:20]}, status=404)
        return await _json(datasette, ref, ref["territories"][target], request.args)
    if not found:
        return await not_found(datasette, request, f"Aucun territoire de ce type n'a le code « {code[:20]} ».")
    query = f"?{request.query_string}" if request.query_string else ""
    return Response.redirect(f"/territoire/{target}{query}", status=301)


async def malformed(datasette, request):
    return await not_found(datasette, request, "Cette adresse ne correspond à aucun territoire.")
