"""Coverage of an edition above the results tables filtered on one edition."""
from datasette import hookimpl

from tnl.site.pages.edition_coverage import (
    DATABASE,
    TABLE_TEMPLATES,
    edition_coverage,
    requested_edition,
)


@hookimpl
def extra_template_vars(template, database, request, datasette):
    if database != DATABASE or template not in TABLE_TEMPLATES or request is None:
        return {}
    edition = requested_edition(request.args)
    if edition is None:
        return {}

    async def inner():
        return {"couverture_edition": await edition_coverage(datasette, edition)}

    return inner
