"""Crawl control: robots.txt keeps crawlers on the pages people look for, and a sitemap lists them all.

Hand-written rather than datasette-block-robots and datasette-sitemap: robots.txt must name the sitemap by an
absolute URL of the host it is served from (block-robots only serves fixed text), and 36,000 territory pages call
for a sitemap index with parts (datasette-sitemap writes one flat file from one SQL query).
"""
from __future__ import annotations

from xml.sax.saxutils import escape

from datasette.utils.asgi import Response

from tnl.site.http.etag import build_date
from tnl.site.http.instance_cache import database
from tnl.site.share.public_url import absolute

PART_SIZE = 10_000  # URLs per sitemap part (the protocol allows 50,000)
PAGES = ("/", "/a-propos", "/indicateurs", "/indicateurs-ouverts", "/glossaire", "/api", "/versions")
# RFC 9309 patterns (`*` any characters). Kept off: arbitrary SQL, facet/sort/pagination combinations, exports and
# every machine format (the JSON API, CSV, SQLite, Atom), Datasette's own /-/ pages except the static files and the
# preview images that link previews fetch, the embeds (copies of pages) and the pre-filled report forms.
DISALLOW = (
    "/tnl?", "/tnl.", "/*?*sql=", "/*&sql=", "/*_facet", "/*_sort", "/*_next", "/*_search", "/*_where",
    "/*.json", "/*.csv", "/*.csvfr", "/*.xlsx", "/*.atom", "/*.db", "/-/",
    "/embed/",  # the same content as the pages, made for other sites' frames
    "/signaler?",  # the report form pre-filled for each territory and edition: one page, many URLs
)
ALLOW = ("/-/static/", "/-/static-plugins/",
         "/-/cartes/")  # link-preview images: the bots that fetch them for a shared link honour robots.txt


def robots_txt(datasette, request):
    lines = ["User-agent: *", *(f"Allow: {path}" for path in ALLOW), *(f"Disallow: {path}" for path in DISALLOW),
             "", f"Sitemap: {absolute(datasette, request, '/sitemap.xml')}", ""]
    return Response.text("\n".join(lines))


async def sitemap_index(datasette, request):
    count = (await database(datasette).execute("select count(*) from territories")).single_value()
    parts = ["/sitemaps/pages.xml"] + [f"/sitemaps/territoires-{n}.xml" for n in range(1, -(-count // PART_SIZE) + 1)]
    lastmod = build_date(datasette)[:10]
    body = "".join(f"<sitemap><loc>{escape(absolute(datasette, request, part))}</loc><lastmod>{lastmod}</lastmod></sitemap>"
                   for part in parts)
    return _xml(f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</sitemapindex>')


async def sitemap_pages(datasette, request):
    editions = (await database(datasette).execute("select edition from editions order by edition desc")).rows
    return _urlset(datasette, request, [*PAGES, *(f"/tnl/palmares?edition={row[0]}" for row in editions)])


async def sitemap_territories(datasette, request):
    part = int(request.url_vars["part"])
    rows = (await database(datasette).execute(
        "select id from territories order by id limit :size offset :offset",
        {"size": PART_SIZE, "offset": (part - 1) * PART_SIZE})).rows
    if part < 1 or not rows:
        return Response.text("Partie du plan du site introuvable.", status=404)
    return _urlset(datasette, request, [f"/territoire/{row[0]}" for row in rows])


def _urlset(datasette, request, paths) -> Response:
    lastmod = build_date(datasette)[:10]
    body = "".join(f"<url><loc>{escape(absolute(datasette, request, path))}</loc><lastmod>{lastmod}</lastmod></url>"
                   for path in paths)
    return _xml(f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>')


def _xml(body: str) -> Response:
    return Response(f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n', content_type="application/xml; charset=utf-8")
