"""« Excel (.xlsx) » output renderer."""
from datasette import hookimpl

from tnl.site.exports.xlsx import EXTENSION, render


@hookimpl
def register_output_renderer():
    return {"extension": EXTENSION, "render": render, "can_render": lambda: True}
