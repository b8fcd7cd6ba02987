"""Errors the request caused answer 4xx with Datasette's error page, never a 500 and never a console traceback."""
from datasette import hookimpl

from tnl.site.http.client_errors import client_error_response, client_error_status


@hookimpl(hookwrapper=True)
def handle_exception(datasette, request, exception):
    """Client errors skip Datasette's traceback-with-locals on the console (costly, and a crash when no exception is
    being handled); server errors keep Datasette's handler."""
    outcome = yield
    status = client_error_status(exception)
    if status is not None:
        outcome.force_result([lambda: client_error_response(datasette, request, exception, status)])
