"""Errors the request caused answer 4xx with Datasette's error page, never a 500 and never a console traceback."""
import sqlite3

from datasette import Response
from datasette.utils import add_cors_headers
from datasette.utils.asgi import Base400
from datasette.views.base import DatasetteError
from markupsafe import Markup


def client_error_status(exception) -> int | None:
    """The 4xx status of an error the request caused (Datasette 0.65 answers some with a 500); None for a server error."""
    if isinstance(exception, Base400):
        return exception.status
    if isinstance(exception, DatasetteError):
        if exception.status < 500:
            return exception.status
        return 400 if str(exception.message).startswith("Cannot sort table by ") else None
    if isinstance(exception, sqlite3.ProgrammingError) and "supply a value for binding parameter" in str(exception):
        return 404  # a row URL with too few primary-key values: /tnl/results/2023
    return None


async def client_error_response(datasette, request, exception, status: int) -> Response:
    """Datasette's error page (or JSON) for a client error, rendered without a traceback."""
    info = dict(exception.error_dict) if isinstance(exception, DatasetteError) else {}
    message = exception.message if isinstance(exception, DatasetteError) else (exception.args[0] if exception.args else "")
    if isinstance(exception, DatasetteError) and exception.message_is_html:
        message = Markup(message)
    if not isinstance(exception, (Base400, DatasetteError)):
        message = "Not found"
    info.update({"ok": False, "error": message, "status": status, "title": getattr(exception, "title", None)})
    headers = {}
    if datasette.cors:
        add_cors_headers(headers)
    if request.path.endswith(".json"):
        return Response.json(info, status=status, headers=headers)
    template = datasette.jinja_env.select_template([f"{status}.html", "error.html"])
    context = dict(info, urls=datasette.urls, app_css_hash=datasette.app_css_hash(), menu_links=lambda: [])
    return Response.html(await template.render_async(context), status=status, headers=headers)
