"""Coverage of an edition (announced against published, per distinction) above that edition's results.

Shown by the templates that include _couverture_edition.html: the results and results_map tables when they are
filtered on one edition, and the canned queries of one or two editions (tnl/site/pages/query_pages.py).
"""
from tnl.site.http.instance_cache import computed_once, database
from tnl.site.pages import coverage_text
from tnl.site.pages.report_page import report_query

DATABASE = "tnl"
TABLE_TEMPLATES = ("table-tnl-results.html", "table-tnl-results_map.html")


def requested_edition(args) -> str | None:
    """The edition a table page shows: ?edition= or ?edition__exact=."""
    value = (args.get("edition") or args.get("edition__exact") or "").strip()
    return value if value.isdigit() else None


async def edition_coverage(datasette, edition: str) -> dict | None:
    """The notice of one edition; None for an edition that does not exist."""
    notices = await computed_once(datasette, ("edition_coverage",), lambda: _all_notices(database(datasette)))
    return notices.get(edition)


async def _all_notices(db) -> dict:
    """Every edition's notice at once: a handful of rows, and no cache entry per arbitrary ?edition= value."""
    notices = {}
    for row in (await db.execute("select * from coverage")).rows:
        edition = str(row["edition"])
        distinctions = [dict(r) for r in (await db.execute(
            "select * from coverage_by_distinction where edition = ?", [edition])).rows]
        unresolved = (await db.execute(
            "select count(*) from open_questions where edition = ? and status = 'unresolved'", [edition])).single_value()
        notices[edition] = dict(coverage_text.edition_notice(dict(row), distinctions, unresolved),
                                signaler_url=report_query(edition=edition))
    return notices
