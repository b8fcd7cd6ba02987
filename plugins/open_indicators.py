"""Coverage of each open indicator (territories with a value by kind, population of its source) for /glossaire and
/indicateurs-ouverts, the page for journalists that links the canned queries and the map of publishers."""
from datasette import hookimpl

from tnl.site.pages.comparison import coverage, open_values

PAGES = ("/glossaire", "/indicateurs-ouverts", "/a-propos")


@hookimpl
def extra_template_vars(view_name, request, datasette):
    if view_name != "page" or request is None or request.path not in PAGES:
        return {}

    async def inner():
        return {"couverture_indicateurs": coverage(await open_values(datasette))}

    return inner
