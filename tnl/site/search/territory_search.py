"""Territory search, served from an index built once in memory: as one types (/-/recherche.json?q=…) and as a page of
results behind the search box's Enter key (/recherche?q=…), with the same ranking.

A search costs up to a few hundred milliseconds of CPU (bounded by MAX_QUERY_LENGTH and MAX_WORDS): it runs in a
worker thread, so that the event loop keeps answering other visitors meanwhile. One thread for every search: many
searches at once queue there instead of taking the interpreter from the event loop in several threads."""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from datasette import Response

from tnl.site.http.instance_cache import computed_once, database
from tnl.site.search.search_index import MAX_QUERY_LENGTH, SearchEntry, SearchIndex
from tnl.vocabulary import KIND_LABELS

DEFAULT_LIMIT, MAX_LIMIT = 10, 50
PAGE_LIMIT = 50
SEARCHES = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tnl-search")
SQL = "select id, name, kind, departement_code, population, cog_code, siren, former_cog_codes from territories"


def _build(conn) -> SearchIndex:
    return SearchIndex(
        SearchEntry(*row[:7], tuple(code.strip() for code in (row[7] or "").split(";") if code.strip()))
        for row in conn.execute(SQL)
    )


async def search_index(datasette) -> SearchIndex:
    """About 110,000 objects, built once per process."""
    return await computed_once(datasette, ("search_index",), lambda: database(datasette).execute_fn(_build))


async def searched(datasette, query: str, limit: int) -> list[SearchEntry]:
    index = await search_index(datasette)
    return await asyncio.get_running_loop().run_in_executor(SEARCHES, index.search, query, limit)


def label(entry: SearchEntry) -> str:
    """'Saint-Joseph (974)': the département tells apart the many communes of the same name."""
    if entry.kind == "region":
        return f"{entry.name} (région)"
    if entry.kind == "departement":
        return f"{entry.name} ({entry.cog_code})"
    return f"{entry.name} ({entry.departement_code})" if entry.departement_code else entry.name


def as_json(entry: SearchEntry) -> dict:
    return {"id": entry.id, "nom": entry.name, "label": label(entry), "type": entry.kind,
            "type_libelle": KIND_LABELS.get(entry.kind, entry.kind), "departement": entry.departement_code,
            "population": entry.population, "code": entry.cog_code, "url": f"/territoire/{entry.id}"}


async def recherche(datasette, request):
    query, limit = request.args.get("q", ""), request.args.get("limit", "")
    if len(query) > MAX_QUERY_LENGTH:
        return Response.json({"erreur": f"Recherche trop longue (au plus {MAX_QUERY_LENGTH} caractères)."}, status=400)
    limit = min(max(int(limit), 1), MAX_LIMIT) if limit.isascii() and limit.isdigit() and len(limit) < 5 else DEFAULT_LIMIT
    results = await searched(datasette, query.replace("\x00", ""), limit)
    return Response.json([as_json(e) for e in results],
                         headers={"Cache-Control": "public, max-age=3600", "Access-Control-Allow-Origin": "*"})


async def results_page(datasette, request):
    query = request.args.get("q", "").replace("\x00", "")
    context = {"query": query.strip(), "results": [], "limit": PAGE_LIMIT, "error": None}
    status = 200
    if len(query) > MAX_QUERY_LENGTH:
        context.update(query="", error=f"Recherche trop longue (au plus {MAX_QUERY_LENGTH} caractères).")
        status = 400
    elif query.strip():
        found = await searched(datasette, query, PAGE_LIMIT)
        context["results"] = [as_json(e) for e in found]
    html = await datasette.render_template("recherche.html", context, request=request)
    return Response.html(html, status=status)
