"""Every database connection refuses huge values and bounds what one query fetches (tnl/site/http/sql_limits.py)."""
from datasette import hookimpl

from tnl.site.http import sql_limits


@hookimpl
def prepare_connection(conn):
    sql_limits.prepare_connection(conn)
