"""Data for the French front page (templates/index.html)."""
from datasette import hookimpl

from tnl.site.pages.front_page import front_page_data


@hookimpl
def extra_template_vars(view_name, datasette):
    if view_name != "index":
        return {}

    async def inner():
        return {"accueil": await front_page_data(datasette)}

    return inner
