"""Every ASGI wrapper of the site, composed here in one explicit order (outermost first):

1. security headers: read-only methods, CSP, framing and referrer headers on every response, cached ones included;
2. response cache: a response computed once is served from memory (the database is immutable);
3. Datasette.
"""
from datasette import hookimpl

from tnl.site import response_cache, security_headers


@hookimpl
def asgi_wrapper(datasette):
    cache = response_cache.ResponseCache()

    def wrap(app):
        return security_headers.wrap(response_cache.wrap(app, cache))

    return wrap
