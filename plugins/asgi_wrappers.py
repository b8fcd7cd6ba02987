"""Every ASGI wrapper of the site, composed here in one explicit order (outermost first):

1. access log: one line per request (status, duration, cache status) and a request id on every response;
2. security headers: read-only methods, CSP, framing and referrer headers on every response, cached ones included;
3. request limits: query strings bounded, unknown HTTP versions and OPTIONS answered, oversized responses refused,
   introspection and debug pages closed, before anything is cached;
4. prebuilt files: downloads, the unzipped package and the complete exports the build wrote, sent as files (ranges,
   pieces read in a thread), never copied into the cache;
5. response cache: a response computed once is served from memory (the database is immutable), one computation
   per URL at a time, gzipped once, with ETag and Cache-Control;
6. heavy requests: exports, whole tables, SQL and national peers run a few at a time, the rest queue briefly or get
   a 503 (identical ones share one slot: the cache's single flight runs first);
7. local redirects: every `Location` made a path of this site (before it is cached);
8. spreadsheet-safe CSV: `.csv` with formulas defused and `.csvfr` streamed from Datasette's CSV (cached as sent);
9. complete CSV: a table's or view's `.csv` streams every row instead of stopping at 2,000;
10. Datasette.
"""
from datasette import hookimpl

from tnl.site.exports import complete_csv, excel_csv, prebuilt_files
from tnl.site.http import (
    access_log,
    closed_pages,
    heavy_requests,
    local_redirects,
    request_limits,
    response_cache,
    security_headers,
)
from tnl.site.http.etag import site_fingerprint


@hookimpl
def asgi_wrapper(datasette):
    cache = response_cache.ResponseCache()
    heavy = heavy_requests.HeavyQueue()

    def wrap(app):
        csv_pages = local_redirects.wrap(excel_csv.wrap(complete_csv.wrap(app), datasette))
        cached = response_cache.wrap(heavy_requests.wrap(csv_pages, heavy), cache, fingerprint=lambda: site_fingerprint(datasette),
                                     max_age=lambda: datasette.setting("default_cache_ttl"))
        return access_log.wrap(security_headers.wrap(request_limits.wrap(closed_pages.wrap(prebuilt_files.wrap(cached, datasette)))))

    return wrap
