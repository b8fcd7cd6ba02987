"""Every ASGI wrapper of the site, composed here in one explicit order (outermost first):

1. access log: one line per request (status, duration, cache status) and a request id on every response;
2. security headers: read-only methods, CSP, framing and referrer headers on every response, cached ones included;
3. response cache: a response computed once is served from memory (the database is immutable), one computation
   per URL at a time, gzipped once, with ETag and Cache-Control;
4. complete CSV: a table's or view's `.csv` streams every row instead of stopping at 2,000;
5. Datasette.
"""
from datasette import hookimpl

from tnl.site import access_log, complete_csv, response_cache, security_headers
from tnl.site.release import release_id


@hookimpl
def asgi_wrapper(datasette):
    cache = response_cache.ResponseCache()

    def wrap(app):
        cached = response_cache.wrap(complete_csv.wrap(app), cache, release=lambda: release_id(datasette),
                                     max_age=lambda: datasette.setting("default_cache_ttl"))
        return access_log.wrap(security_headers.wrap(cached))

    return wrap
