"""Canned query pages: heading with the editions shown, lists of editions, coverage of those editions."""
from datasette import hookimpl

from tnl.site.http.instance_cache import database as site_database
from tnl.site.pages import query_pages


@hookimpl
def extra_template_vars(request, database, datasette):
    query = request.url_vars.get("table") if request is not None else None
    if query not in query_pages.QUERIES or database != site_database(datasette).name:
        return {}

    async def inner():
        return await query_pages.template_vars(datasette, query, request.args)
    return inner
