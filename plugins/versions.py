"""The « Versions » page (templates/pages/versions.html): releases of the data and their changes."""
from datasette import hookimpl

from tnl.site.pages.versions_page import page_data


@hookimpl
def extra_template_vars(view_name, request, datasette):
    if view_name != "page" or request is None or request.path != "/versions":
        return {}
    return {"versions": page_data(datasette)}
