"""« CSV pour Excel » output renderer: UTF-8 with BOM, `;` separator, decimal comma, no formula can run.

It re-reads the standard CSV of the same page with `_stream=on`, so the export holds every row the
filters select, not only the first page.
"""
import csv
import io
import re
from urllib.parse import parse_qsl

from datasette.utils.asgi import Response

from tnl.site import value_labels

EXTENSION = "csvfr"
NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")  # ASCII digits only: \d would pass "-٣" as a number
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def excel_cell(value: str) -> str:
    """Decimal comma for numbers; a leading quote defuses text that a spreadsheet would run as a formula."""
    if NUMBER.fullmatch(value):
        return value.replace(".", ",")
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_excel_csv(text: str, french=lambda rows: rows) -> bytes:
    """`french` turns the rows (header first) into what people read: labels rather than API names and codes."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for row in french(csv.reader(io.StringIO(text))):
        writer.writerow([excel_cell(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


async def render(datasette, request):
    path = request.path[: -len(EXTENSION)] + "csv"
    query = [(k, v) for k, v in parse_qsl(request.query_string, keep_blank_values=True) if k not in ("_stream", "_size")]
    query += [("_stream", "on"), ("_size", "max")]
    standard = await datasette.client.get(path, params=query)
    if standard.status_code != 200:
        return Response.text(standard.text, status=standard.status_code)
    name = path.rsplit("/", 1)[-1][: -len(".csv")] or "export"
    table = request.url_vars.get("table")
    return Response(
        to_excel_csv(standard.text, lambda rows: value_labels.excel_rows(datasette, table, rows)),
        content_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}-excel.csv"'},
    )
