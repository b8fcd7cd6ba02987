"""A facet the metadata declares and the request asks for again counted once (tnl/site/http/facets_once.py)."""
from datasette import hookimpl

from tnl.site.http.facets_once import count_each_facet_once


@hookimpl
def startup(datasette):
    count_each_facet_once()
