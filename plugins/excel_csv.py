"""« CSV pour Excel » output renderer (.csvfr)."""
from datasette import hookimpl

from tnl.site.excel_csv import EXTENSION, render


@hookimpl
def register_output_renderer():
    return {"extension": EXTENSION, "render": render, "can_render": lambda: True}
