"""Spreadsheet-safe CSV, streamed: Datasette's `.csv` with formula cells defused, and « CSV pour Excel » (`.csvfr`).

Both are an ASGI wrapper over Datasette's own streaming CSV, so memory stays bounded whatever the export's size:
the body is re-read record by record as Datasette sends it (a record ends at a line end outside quotes).
- `.csv`: a cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, after any leading whitespace, or
  starting with a tab or carriage return) gets a leading quote; numbers stay as they are.
- `.csvfr`: the same page's `.csv` with every row (`_stream=on`), as UTF-8 with BOM, `;` separator and decimal comma,
  French column headers and labels for codes (tnl/site/french/value_labels.py).
"""
from __future__ import annotations

import codecs
import csv
import io
import re
from functools import wraps
from urllib.parse import parse_qsl, unquote, urlencode

from tnl.site.french import value_labels

EXTENSION = "csvfr"
NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")  # ASCII digits only: \d would pass "-٣" as a number
FORMULA_STARTS = ("=", "+", "-", "@")
CONTROL_STARTS = ("\t", "\r")
FLUSH_CHARACTERS = 64 * 1024  # records are re-written in pieces of about this size, not one send per row
csv.field_size_limit(max(csv.field_size_limit(), 16 * 1024 * 1024))  # cells are bounded by sql_limits, not by csv's 128 KB


def defused(value: str) -> str:
    """A leading quote on text that a spreadsheet would run as a formula, whatever whitespace precedes it."""
    if value.startswith(CONTROL_STARTS) or value.lstrip().startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_cell(value: str) -> str:
    return value if NUMBER.fullmatch(value) else defused(value)


def excel_cell(value: str) -> str:
    """Decimal comma for numbers; formulas defused."""
    return value.replace(".", ",") if NUMBER.fullmatch(value) else defused(value)


class RecordStream:
    """Re-writes CSV text cell by cell as it arrives, holding back only the record not yet complete."""

    def __init__(self, cell, delimiter: str, prefix: str = "", relabel=None):
        """`relabel(header)` -> (header to write, function turning each row into what people read), or None."""
        self.cell, self.delimiter, self.prefix, self.relabel = cell, delimiter, prefix, relabel
        self.row = None  # set from the header, the first record
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.partial: list[str] = []  # the current record's text so far
        self.odd_quotes = False  # inside a quoted cell at the end of self.partial
        self.complete: list[str] = []
        self.complete_size = 0

    def feed(self, data: bytes, final: bool = False) -> bytes:
        text = self.decoder.decode(data, final=final)
        pieces = text.split("\n")
        for index, piece in enumerate(pieces):
            self.partial.append(piece)
            self.odd_quotes ^= piece.count('"') % 2 == 1
            if index < len(pieces) - 1:
                self.partial.append("\n")
                if not self.odd_quotes:
                    record = "".join(self.partial)
                    self.complete.append(record)
                    self.complete_size += len(record)
                    self.partial = []
        if final:
            self.complete.append("".join(self.partial))
            self.partial = []
        elif self.complete_size < FLUSH_CHARACTERS:
            return b""
        return self._rewrite()

    def _rewrite(self) -> bytes:
        text, self.complete, self.complete_size = "".join(self.complete), [], 0
        out = io.StringIO()
        out.write(self.prefix)
        self.prefix = ""
        writer = csv.writer(out, delimiter=self.delimiter, lineterminator="\r\n")
        for row in csv.reader(io.StringIO(text, newline="")):
            if self.row is None:
                row, self.row = self.relabel(row) if self.relabel else (row, lambda same: same)
            else:
                row = self.row(row)
            writer.writerow([self.cell(value) for value in row])
        return out.getvalue().encode("utf-8")


def _excel_scope(scope: dict) -> dict:
    """The same request for Datasette's `.csv`, with every row."""
    query = [(k, v) for k, v in parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
             if k not in ("_stream", "_size")]
    query += [("_stream", "on"), ("_size", "max")]
    raw_path = scope.get("raw_path") or scope["path"].encode()
    return dict(scope, path=scope["path"][: -len(EXTENSION)] + "csv", raw_path=raw_path[: -len(EXTENSION)] + b"csv",
                query_string=urlencode(query).encode("latin-1"))


def wrap(app, datasette):
    @wraps(app)
    async def spreadsheet_safe(scope, receive, send):
        # Pages of the database only: the published package's files (/-/paquet/, downloads) are served byte for byte.
        if scope["type"] != "http" or scope["path"].startswith("/-/") or not scope["path"].endswith((".csv", "." + EXTENSION)):
            await app(scope, receive, send)
            return
        excel = scope["path"].endswith("." + EXTENSION)
        stream = None

        async def rewriting_send(event):
            nonlocal stream
            if event["type"] == "http.response.start":
                headers = [(bytes(k), bytes(v)) for k, v in event.get("headers") or []]
                # Datasette's CSV is text/plain unless downloaded (_dl): any 200 text answer to a CSV path is CSV.
                if event["status"] == 200 and any(k.lower() == b"content-type" and v.startswith((b"text/csv", b"text/plain"))
                                                  for k, v in headers):
                    table = unquote(scope["path"].rsplit("/", 1)[-1][: -len(EXTENSION) - 1])
                    stream = (RecordStream(excel_cell, ";", "\ufeff", lambda header: value_labels.export_columns(datasette, table, header))
                              if excel else RecordStream(csv_cell, ","))
                    headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
                if stream is not None and excel:
                    name = scope["path"].rsplit("/", 1)[-1][: -len(EXTENSION) - 1] or "export"
                    headers = [(k, v) for k, v in headers if k.lower() not in (b"content-type", b"content-disposition")]
                    headers += [(b"content-type", b"text/csv; charset=utf-8"), (b"content-disposition",
                                f'attachment; filename="{name}-excel.csv"'.encode("latin-1", "replace"))]
                event = dict(event, headers=headers)
            elif event["type"] == "http.response.body" and stream is not None:
                final = not event.get("more_body")
                body = stream.feed(event.get("body", b""), final=final)
                if not body and not final:
                    return
                event = dict(event, body=body)
            await send(event)

        await app(_excel_scope(scope) if excel else scope, receive, rewriting_send)

    return spreadsheet_safe
