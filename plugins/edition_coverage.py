"""Coverage of an edition (announced against published, per distinction) above that edition's results.

Shown by the templates that include _couverture_edition.html: the palmarès canned query, and the results
and results_map tables when they are filtered on one edition.
"""
from datasette import hookimpl

from tnl import coverage_text

DATABASE = "tnl"
PALMARES_TEMPLATE = "query-tnl-palmares.html"
TABLE_TEMPLATES = ("table-tnl-results.html", "table-tnl-results_map.html")
_cache = {}


def requested_edition(template: str, args) -> str | None:
    """The edition a page shows: ?edition= (or ?edition__exact= on tables); the palmarès defaults to the latest."""
    value = (args.get("edition") or args.get("edition__exact") or "").strip()
    if value.isdigit():
        return value
    return "" if template == PALMARES_TEMPLATE and not value else None


async def edition_coverage(datasette, edition: str) -> dict | None:
    db = datasette.get_database(DATABASE)
    key = (db.path, edition)
    if key not in _cache:
        if not edition:
            edition = str((await db.execute("select max(edition) from results")).single_value())
        row = (await db.execute("select * from coverage where edition = ?", [edition])).first()
        if row is None:
            return None
        distinctions = [dict(r) for r in (await db.execute(
            "select * from coverage_by_distinction where edition = ?", [edition])).rows]
        unresolved = (await db.execute(
            "select count(*) from open_questions where edition = ? and status = 'unresolved'", [edition])).single_value()
        _cache[key] = coverage_text.edition_notice(dict(row), distinctions, unresolved)
    return _cache[key]


@hookimpl
def extra_template_vars(template, database, request, datasette):
    if database != DATABASE or template not in (PALMARES_TEMPLATE, *TABLE_TEMPLATES) or request is None:
        return {}
    edition = requested_edition(template, request.args)
    if edition is None:
        return {}

    async def inner():
        return {"couverture_edition": await edition_coverage(datasette, edition)}

    return inner
