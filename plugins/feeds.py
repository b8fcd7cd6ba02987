"""The site-wide Atom feed of the latest results, valid Atom (tnl/site/feeds.py), at the address datasette-atom gave it."""
from datasette import hookimpl

from tnl.site.share.feeds import latest_results_feed


@hookimpl
def register_routes():
    return [(r"^/tnl/derniers_resultats\.atom$", latest_results_feed)]
