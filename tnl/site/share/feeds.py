"""Atom feeds to follow a territory, /territoire/<id>.atom: its own results, or for a département, a région or an EPCI
the results of every territory in it (itself included), newest edition first; and the site-wide feed
/tnl/derniers_resultats.atom, the rows of that canned query (metadata.yml).

Built with feedgen. The site-wide feed is served here rather than by datasette-atom's renderer (which stays for
ad hoc feeds): that renderer writes entries' links as the query gives them (relative) and no author, so its feed
is not valid Atom (RFC 4287: a feed needs an author; links here are absolute, for feed readers)."""
from __future__ import annotations

from datetime import date, datetime, time, timezone

from datasette import Response
from feedgen.feed import FeedGenerator

from tnl.distinction_style import sentence
from tnl.site.http.instance_cache import database
from tnl.site.pages.territory_pages import _rows, not_found, references, within_query
from tnl.site.share.public_url import absolute
from tnl.vocabulary import split_sources

LATEST_EDITION_SQL = "select coalesce(results_date, ceremony_date, edition || '-12-01') from editions order by edition desc limit 1"


def _timestamp(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(), tzinfo=timezone.utc)


LATEST_QUERY = "derniers_resultats"


def _feed(url, path: str, page: str, title: str, subtitle: str, updated: datetime, maintainer: dict) -> FeedGenerator:
    """A feed's required and usual elements: id and self link (absolute), title, author (the data's maintainer)."""
    feed = FeedGenerator()
    feed.id(url(path))
    feed.title(title)
    feed.subtitle(subtitle)
    feed.link(href=url(page), rel="alternate", type="text/html")
    feed.link(href=url(path), rel="self", type="application/atom+xml")
    feed.author({k: v for k, v in {"name": maintainer.get("title") or "Territoire Numérique Libre",
                                   "email": maintainer.get("email"), "uri": maintainer.get("path")}.items() if v})
    feed.language("fr")
    feed.rights("Licence Ouverte 2.0 (Etalab)")
    feed.updated(updated)
    return feed


def feed_xml(territory: dict, results: list[dict], latest_edition_day: str, url, maintainer: dict | None = None) -> bytes:
    """The Atom document; `url(path)` makes an absolute address. `updated` is the newest result's date, or the
    latest edition's for a territory without any: the feed stays byte-for-byte the same between builds."""
    within = {"departement": "des territoires de ce département", "region": "des territoires de cette région",
              "epci": "de cette intercommunalité et de ses communes"}
    feed = _feed(url, f"/territoire/{territory['id']}.atom", f"/territoire/{territory['id']}",
                 f"{territory['name']} — Territoire Numérique Libre",
                 f"Distinctions {within.get(territory['kind'], 'de ce territoire')} au label Territoire Numérique Libre, "
                 "édition par édition.", _timestamp(results[0]["published"] if results else latest_edition_day),
                 maintainer or {})
    for row in reversed(results):  # feedgen prepends each entry: added oldest first, written newest first
        entry = feed.add_entry()
        entry.id(f"tag:tnl-opendata,{row['edition']}:{row['territory_id']}")  # as in /tnl/derniers_resultats.atom
        latest = {"edition": row["edition"], "distinction": row["distinction"], "label": row["label"]}
        entry.title(f"{row['name']} : {sentence(latest)}")
        entry.link(href=url(f"/territoire/{row['territory_id']}"), rel="alternate", type="text/html")
        entry.updated(_timestamp(row["published"]))
        sources = " ; ".join(split_sources(row["source_urls"]))
        entry.content(f"Nom publié : {row['name_as_published']}. Sources : {sources}.", type="text")
    return feed.atom_str(pretty=True)


async def territory_feed(datasette, request):
    ref = await references(datasette)
    territory = ref["territories"].get(request.url_vars["id"])
    if territory is None:
        return await not_found(datasette, request)
    sql, params = within_query(territory)

    def read(conn):
        return _rows(conn, sql, params).fetchall(), conn.execute(LATEST_EDITION_SQL).fetchone()[0]

    results, latest_day = await database(datasette).execute_fn(read)
    body = feed_xml(territory, results, latest_day, lambda path: absolute(datasette, request, path),
                    datasette.metadata("tnl_maintainer") or {})
    return Response(body, content_type="application/atom+xml; charset=utf-8")


def latest_results_xml(query: dict, rows: list[dict], url, maintainer: dict) -> bytes:
    """The canned query's rows (atom_id, atom_title, atom_updated, atom_link, atom_content) as a valid Atom feed."""
    path = f"/tnl/{LATEST_QUERY}"
    updated = max((r["atom_updated"] for r in rows), default="2016-01-01T00:00:00Z")
    feed = _feed(url, f"{path}.atom", path, query["title"], query.get("description") or query["title"],
                 datetime.fromisoformat(updated.replace("Z", "+00:00")), maintainer)
    for row in reversed(rows):  # feedgen prepends each entry
        entry = feed.add_entry()
        entry.id(row["atom_id"])
        entry.title(row["atom_title"])
        entry.updated(datetime.fromisoformat(row["atom_updated"].replace("Z", "+00:00")))
        entry.link(href=url(row["atom_link"]), rel="alternate", type="text/html")
        entry.content(row["atom_content"], type="text")
    return feed.atom_str(pretty=True)


async def latest_results_feed(datasette, request):
    db = database(datasette)
    query = await datasette.get_canned_query(db.name, LATEST_QUERY, None)
    rows = [dict(r) for r in (await db.execute(query["sql"])).rows]
    body = latest_results_xml(query, rows, lambda path: absolute(datasette, request, path),
                              datasette.metadata("tnl_maintainer") or {})
    return Response(body, content_type="application/atom+xml; charset=utf-8")
