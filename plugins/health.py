"""Health endpoint for load balancers and monitoring: /-/sante.json."""
from datasette import hookimpl

from tnl.site.pages.health import health


@hookimpl
def register_routes():
    return [(r"^/-/sante\.json$", health)]
