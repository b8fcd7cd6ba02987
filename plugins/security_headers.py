"""Security headers on every response: a CSP that still lets the map tiles load, no MIME sniffing, framing rules.

Datasette's own pages use inline scripts and styles, hence 'unsafe-inline'; everything else is same-origin
except OpenStreetMap tiles. Only the map views are meant to be embedded in other sites (iframes).
"""
import sqlite3
from functools import wraps

from datasette import Response, hookimpl
from datasette.utils import add_cors_headers
from datasette.utils.asgi import Base400
from datasette.views.base import DatasetteError
from markupsafe import Markup

TILES = "https://*.tile.openstreetmap.org"
EMBEDDABLE_PREFIXES = ("/tnl/labelled_territories", "/tnl/results_map")
READ_METHODS = ("GET", "HEAD", "OPTIONS")


def content_security_policy(embeddable: bool) -> str:
    return "; ".join([
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data: {TILES}",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors *" if embeddable else "frame-ancestors 'none'",
    ])


def security_headers(path: str) -> list[list[bytes]]:
    embeddable = path.startswith(EMBEDDABLE_PREFIXES)
    headers = [
        [b"content-security-policy", content_security_policy(embeddable).encode()],
        [b"x-content-type-options", b"nosniff"],
    ]
    if not embeddable:
        headers.append([b"x-frame-options", b"DENY"])
    return headers


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        @wraps(app)
        async def with_headers(scope, receive, send):
            if scope["type"] != "http":
                await app(scope, receive, send)
                return

            async def send_with_headers(event):
                if event["type"] == "http.response.start":
                    event = dict(event, headers=list(event.get("headers") or []) + security_headers(scope["path"]))
                await send(event)

            if scope["method"] not in READ_METHODS:  # a read-only site: no write reaches Datasette (its 404 for a POST is a 500)
                await send_with_headers({"type": "http.response.start", "status": 405, "headers": [
                    [b"content-type", b"text/plain; charset=utf-8"], [b"allow", b"GET, HEAD, OPTIONS"]]})
                await send({"type": "http.response.body", "body": "Méthode non autorisée : ce site est en lecture seule.".encode()})
                return
            await app(scope, receive, send_with_headers)

        return with_headers

    return wrap


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


@hookimpl(hookwrapper=True)
def handle_exception(datasette, request, exception):
    """Client errors get Datasette's error page without its traceback-with-locals on the console (costly, and a crash
    when no exception is being handled); server errors keep Datasette's handler."""
    outcome = yield
    status = client_error_status(exception)
    if status is None:
        return

    async def client_error():
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

    outcome.force_result([client_error])
