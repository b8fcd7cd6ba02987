"""Atom feeds to follow a territory, /territoire/<id>.atom: its own results, or for a département or a région the
results of every territory in it (itself included; an EPCI: its communes), newest edition first. Built with feedgen (installed with
datasette-atom, which serves the site-wide feed /tnl/derniers_resultats.atom)."""
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


def feed_xml(territory: dict, results: list[dict], latest_edition_day: str, url) -> bytes:
    """The Atom document; `url(path)` makes an absolute address. `updated` is the newest result's date, or the
    latest edition's for a territory without any: the feed stays byte-for-byte the same between builds."""
    page = url(f"/territoire/{territory['id']}")
    feed = FeedGenerator()
    feed.id(url(f"/territoire/{territory['id']}.atom"))
    feed.title(f"{territory['name']} — Territoire Numérique Libre")
    within = {"departement": "des territoires de ce département", "region": "des territoires de cette région",
              "epci": "de cette intercommunalité et de ses communes"}
    feed.subtitle(f"Distinctions {within.get(territory['kind'], 'de ce territoire')} au label Territoire Numérique Libre, "
                  "édition par édition.")
    feed.link(href=page, rel="alternate", type="text/html")
    feed.link(href=url(f"/territoire/{territory['id']}.atom"), rel="self", type="application/atom+xml")
    feed.author(name="Territoire Numérique Libre — données ouvertes")
    feed.language("fr")
    feed.rights("Licence Ouverte 2.0 (Etalab)")
    feed.updated(_timestamp(results[0]["published"] if results else latest_edition_day))
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
    body = feed_xml(territory, results, latest_day, lambda path: absolute(datasette, request, path))
    return Response(body, content_type="application/atom+xml; charset=utf-8")
