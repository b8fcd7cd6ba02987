"""robots.txt and the sitemap (index and parts)."""
from datasette import hookimpl

from tnl.site.pages.crawl import (
    robots_txt,
    sitemap_index,
    sitemap_pages,
    sitemap_territories,
)


@hookimpl
def register_routes():
    return [
        (r"^/robots\.txt$", robots_txt),
        (r"^/sitemap\.xml$", sitemap_index),
        (r"^/sitemaps/pages\.xml$", sitemap_pages),
        (r"^/sitemaps/territoires-(?P<part>[1-9][0-9]{0,3})\.xml$", sitemap_territories),
    ]
