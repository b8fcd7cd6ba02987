"""Errors the request caused answer 4xx with Datasette's error page, never a 500 and never a console traceback."""
import sqlite3
import sysconfig
from pathlib import Path

import bleach
import datasette
import datasette_atom
import dateutil
import feedgen
from datasette import Response
from datasette.database import QueryInterrupted
from datasette.utils import add_cors_headers
from datasette.utils.asgi import Base400
from datasette.views.base import DatasetteError
from markupsafe import Markup

from tnl.site.http import sql_limits

DATASETTE_CODE = str(Path(datasette.__file__).parent) + "/"
# The `.atom` renderer of query results (datasette-atom) hands the query's values to feedgen, which refuses dates
# without time zone, control characters, NULLs…, and to bleach (atom_content_html), which refuses a BLOB: a value the
# visitor's query chose, answered 500 with a traceback.
FEED_CODE = tuple(str(Path(module.__file__).parent) + "/" for module in (datasette_atom, feedgen, dateutil, bleach))
STANDARD_LIBRARY = sysconfig.get_paths()["stdlib"] + "/"
# What Datasette 0.65 raises (and answers 500) when a parameter it reads has the wrong form: `_timelimit=x`,
# `_through=x`, `_facet={}`, `_where=%00`, `population__gt=99999999999999999999`, `_next=x` on a view…
MALFORMED_PARAMETER_ERRORS = (ValueError, OverflowError, KeyError, IndexError, TypeError, sqlite3.ProgrammingError,
                              sqlite3.IntegrityError, sqlite3.DataError)  # e.g. an OFFSET from `_next` SQLite cannot hold
CLIENT_MESSAGES_ANSWERED_500 = ("Cannot sort table by ", "Invalid _through")  # Datasette's own wording, as a 500
INTERRUPTED = "Requête interrompue : elle a dépassé la limite de temps ; filtrez ou demandez moins de lignes."
MALFORMED_PARAMETER = "Paramètre invalide : un paramètre de l'adresse (après « ? ») n'a pas la forme attendue."
FEED_VALUES = ("Flux Atom impossible : la requête doit donner atom_id, atom_title et atom_updated sur chaque ligne, "
               "atom_updated en date ISO 8601 avec fuseau (2020-01-01T00:00:00Z), sans caractère de contrôle ni "
               "valeur binaire.")


def client_error_status(exception) -> int | None:
    """The 4xx status of an error the request caused (Datasette 0.65 answers some with a 500); None for a server error."""
    if isinstance(exception, Base400):
        return exception.status
    if isinstance(exception, DatasetteError):
        if exception.status < 500:
            return exception.status
        return 400 if str(exception.message).startswith(CLIENT_MESSAGES_ANSWERED_500) else None
    if isinstance(exception, QueryInterrupted):  # the time limit, met while streaming a CSV (other views say 400)
        return 400
    if isinstance(exception, sqlite3.ProgrammingError) and "supply a value for binding parameter" in str(exception):
        return 404  # a row URL with too few primary-key values: /tnl/results/2023
    if sql_limits.is_too_big(exception):
        return 400
    if isinstance(exception, MALFORMED_PARAMETER_ERRORS) and _raised_in(exception, (DATASETTE_CODE, *FEED_CODE)):
        return 400
    return None


def _raised_in(exception: BaseException, code: tuple) -> bool:
    """Raised in that code (or the standard library or SQLite called from it): Datasette's reading of the request or
    the feed library's reading of the query's values, not a bug of ours, which stays a 500."""
    innermost, traceback = None, exception.__traceback__
    while traceback:
        filename = traceback.tb_frame.f_code.co_filename
        if not filename.startswith(STANDARD_LIBRARY) and Path(filename).is_absolute():  # lxml's Cython frames are not
            innermost = filename
        traceback = traceback.tb_next
    return innermost is not None and innermost.startswith(code)


def client_error_message(exception) -> str:
    if isinstance(exception, DatasetteError):
        return exception.message
    if isinstance(exception, Base400):
        return exception.args[0] if exception.args else ""
    if sql_limits.is_too_big(exception):
        return sql_limits.VALUE_MESSAGE
    if isinstance(exception, QueryInterrupted):
        return INTERRUPTED
    if isinstance(exception, sqlite3.ProgrammingError) and "supply a value for binding parameter" in str(exception):
        return "Introuvable."
    if _raised_in(exception, FEED_CODE):
        return FEED_VALUES
    return MALFORMED_PARAMETER


async def client_error_response(datasette, request, exception, status: int) -> Response:
    """Datasette's error page (or JSON) for a client error, rendered without a traceback."""
    info = dict(exception.error_dict) if isinstance(exception, DatasetteError) else {}
    message = client_error_message(exception)
    if isinstance(exception, DatasetteError) and exception.message_is_html:
        message = Markup(message)
    info.update({"ok": False, "error": message, "status": status, "title": getattr(exception, "title", None)})
    headers = {}
    if datasette.cors:
        add_cors_headers(headers)
    if request.path.endswith(".json"):
        return Response.json(info, status=status, headers=headers)
    template = datasette.jinja_env.select_template([f"{status}.html", "error.html"])
    context = dict(info, urls=datasette.urls, app_css_hash=datasette.app_css_hash(), menu_links=lambda: [])
    return Response.html(await template.render_async(context), status=status, headers=headers)
