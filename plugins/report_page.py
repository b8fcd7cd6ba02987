"""« Un résultat manque ou est inexact ? » at /signaler: a pre-filled report, sent by the visitor, stored nowhere."""
from datasette import hookimpl

from tnl.site.pages.report_page import report_page


@hookimpl
def register_routes():
    return [(r"^/signaler$", report_page)]
