"""« CSV pour Excel » (.csvfr) among the export formats Datasette lists on every page.

The request itself never reaches this renderer: the streaming wrapper of tnl/site/exports/excel_csv.py (composed in
plugins/asgi_wrappers.py) answers every `.csvfr` path from Datasette's own streamed CSV.
"""
from datasette import hookimpl

from tnl.site.exports.excel_csv import EXTENSION


def answered_by_the_wrapper(*args, **kwargs):
    raise RuntimeError("the .csvfr wrapper of plugins/asgi_wrappers.py is not installed")


@hookimpl
def register_output_renderer():
    return {"extension": EXTENSION, "render": answered_by_the_wrapper, "can_render": lambda: True}
