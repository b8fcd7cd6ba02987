"""Territory search, served from an index built once in memory: as one types (/-/recherche.json?q=…) and as a page of
results behind the search box's Enter key (/recherche?q=…), with the same ranking; a result found by a code says
which code (postal, Insee, SIREN).

A search costs up to a few hundred milliseconds of CPU (bounded by MAX_QUERY_LENGTH and MAX_WORDS): it runs in a
worker thread, so that the event loop keeps answering other visitors meanwhile. One thread for every search: many
searches at once queue there instead of taking the interpreter from the event loop in several threads."""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from datasette import Response

from tnl.site.http.instance_cache import computed_once, database
from tnl.site.search.search_index import INSEE, MAX_QUERY_LENGTH, POSTAL, SIREN_MATCH, Match, SearchEntry, SearchIndex
from tnl.vocabulary import KIND_LABELS

DEFAULT_LIMIT, MAX_LIMIT = 10, 50
PAGE_LIMIT = 50
SEARCHES = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tnl-search")
SQL = """select id, name, kind, departement_code, population, cog_code, siren, former_cog_codes,
  (select group_concat(postal_code, ';') from postal_codes p where p.territory_id = t.id) from territories t"""


def _codes(text: str | None) -> tuple[str, ...]:
    return tuple(code.strip() for code in (text or "").split(";") if code.strip())


def _build(conn) -> SearchIndex:
    return SearchIndex(SearchEntry(*row[:7], _codes(row[7]), _codes(row[8])) for row in conn.execute(SQL))


async def search_index(datasette) -> SearchIndex:
    """About 110,000 objects, built once per process."""
    return await computed_once(datasette, ("search_index",), lambda: database(datasette).execute_fn(_build))


async def searched(datasette, query: str, limit: int) -> list[Match]:
    index = await search_index(datasette)
    return await asyncio.get_running_loop().run_in_executor(SEARCHES, index.matches, query, limit)


def label(entry: SearchEntry) -> str:
    """'Saint-Joseph (974)': the département tells apart the many communes of the same name."""
    if entry.kind == "region":
        return f"{entry.name} (région)"
    if entry.kind == "departement":
        return f"{entry.name} ({entry.cog_code})"
    return f"{entry.name} ({entry.departement_code})" if entry.departement_code else entry.name


def matched_by(match: Match, query: str) -> str | None:
    """« code postal 38240 », « code Insee 38240 », « SIREN 213801517 »: said beside a result found by a code, so
    that a commune whose Insee code is the postal code typed is never taken for the one that code serves."""
    code = query.strip().upper()
    if match.via == POSTAL:
        return f"code postal {code}"
    if match.via == INSEE:
        return f"code Insee {code}" if match.entry.cog_code == code else f"ancien code Insee {code}"
    if match.via == SIREN_MATCH:
        return f"SIREN {code}"
    return None


def as_json(match: Match, query: str = "") -> dict:
    entry = match.entry
    return {"id": entry.id, "nom": entry.name, "label": label(entry), "type": entry.kind,
            "type_libelle": KIND_LABELS.get(entry.kind, entry.kind), "departement": entry.departement_code,
            "population": entry.population, "code": entry.cog_code, "url": f"/territoire/{entry.id}",
            "correspondance": match.via, "correspondance_libelle": matched_by(match, query)}


async def recherche(datasette, request):
    query, limit = request.args.get("q", ""), request.args.get("limit", "")
    if len(query) > MAX_QUERY_LENGTH:
        return Response.json({"erreur": f"Recherche trop longue (au plus {MAX_QUERY_LENGTH} caractères)."}, status=400)
    limit = min(max(int(limit), 1), MAX_LIMIT) if limit.isascii() and limit.isdigit() and len(limit) < 5 else DEFAULT_LIMIT
    query = query.replace("\x00", "")
    results = await searched(datasette, query, limit)
    return Response.json([as_json(m, query) for m in results],
                         headers={"Cache-Control": "public, max-age=3600", "Access-Control-Allow-Origin": "*"})


async def results_page(datasette, request):
    query = request.args.get("q", "").replace("\x00", "")
    context = {"query": query.strip(), "results": [], "limit": PAGE_LIMIT, "error": None}
    status = 200
    if len(query) > MAX_QUERY_LENGTH:
        context.update(query="", error=f"Recherche trop longue (au plus {MAX_QUERY_LENGTH} caractères).")
        status = 400
    elif query.strip():
        context["results"] = [as_json(m, query) for m in await searched(datasette, query, PAGE_LIMIT)]
    html = await datasette.render_template("recherche.html", context, request=request)
    return Response.html(html, status=status)
