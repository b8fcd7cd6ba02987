"""« Excel (.xlsx) » output renderer for tables, views and queries: every row the filters select, typed as SQLite
stores it.

The rows come from the page's own JSON (followed from page to page with `next` for tables and views, each page
written to the workbook's temporary files before the next is read: memory stays bounded), because
JSON keeps SQLite's types: a code stored as text (« 05 », « 02001 », a SIREN) is written as a text cell and keeps
its leading zero; an integer or a real is written as a number. A text is never written as a formula. Headers are
the French titles of the Data Package; the licence, source and data version are in the workbook's properties and on
a second sheet, which also says when a query's result was cut at the row limit.
"""
from __future__ import annotations

import asyncio
import json
import tempfile
from urllib.parse import parse_qsl

from datasette.utils.asgi import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Font

from tnl.site.french import value_labels
from tnl.site.http.file_responses import TemporaryFileResponse
from tnl.site.share.public_url import absolute

EXTENSION = "xlsx"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DROPPED = ("_next", "_size", "_shape", "_stream", "_nl", "_json", "_trace", "_nofacet", "_nocount")


async def json_pages(datasette, json_path: str, query: list[tuple[str, str]]):
    """The JSON pages of the export, one at a time (followed with `next`): never the whole table in memory."""
    params = [(k, v) for k, v in query if k not in DROPPED] + [
        ("_shape", "objects"), ("_size", "max"), ("_nofacet", "1"), ("_nocount", "1")]
    next_token = None
    while True:
        page = await datasette.client.get(json_path, params=params + ([("_next", next_token)] if next_token else []))
        data = page.json()
        if page.status_code != 200:
            yield data
            return
        yield data
        next_token = data.get("next")
        if not next_token:
            return


def flat_columns(columns: list[str], expanded: set[str]) -> list[str]:
    """The columns as a CSV names them: a foreign key Datasette expands is followed by its `x_label` column."""
    return [name for column in columns for name in ([column, f"{column}_label"] if column in expanded else [column])]


def cell_values(row: dict, columns: list[str], expanded: set[str]) -> list:
    out = []
    for column in columns:
        value = row[column]
        if column in expanded:
            out += [value["value"], value["label"]] if isinstance(value, dict) else [value, None]
        else:
            out.append(value)
    return out


def spreadsheet_value(value):
    """What a cell can hold for any value a query returns: the control characters a workbook cannot store (openpyxl
    refuses them) shown as their Unicode pictures (U+0001 as ␁), a BLOB as its base64 text, any other JSON value as
    its JSON text. Without this, `select char(1)` answered 500."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub(lambda m: chr(0x2400 + ord(m.group())), value)
    if isinstance(value, dict) and value.get("$base64"):
        return f"binaire (base64) : {value.get('encoded', '')}"
    if isinstance(value, (dict, list)):
        return spreadsheet_value(json.dumps(value, ensure_ascii=False))
    return value


def text_cell(sheet, value):
    """A cell holding exactly value: numbers as numbers, any text as text. openpyxl makes a text starting with « = »
    a formula: only such a text needs a cell object (plain values are several times faster to write)."""
    value = spreadsheet_value(value)
    if not (isinstance(value, str) and value.startswith("=")):
        return value
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    return cell


class SheetWriter:
    """A workbook written row by row to temporary files (openpyxl's write-only mode), then saved to a temporary file:
    memory stays bounded whatever the export's size. Each method runs in a worker thread (openpyxl holds the CPU)."""

    def __init__(self, name: str, header: list[str]):
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet(name[:31] or "export")
        self.sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        titles = []
        for title in header:
            cell = WriteOnlyCell(self.sheet, spreadsheet_value(title))
            cell.data_type, cell.font = "s", bold
            titles.append(cell)
        self.sheet.append(titles)
        self.rows = 0

    def append(self, rows: list[list]) -> None:
        for row in rows:
            self.sheet.append([text_cell(self.sheet, value) for value in row])
        self.rows += len(rows)

    def save(self, about: list[tuple[str, str]], properties: dict):
        """The finished workbook, as an open anonymous temporary file."""
        notes = self.book.create_sheet("À propos")
        for key, value in about:
            notes.append([text_cell(notes, key), text_cell(notes, value)])
        book = self.book
        book.properties.title = properties["title"]
        book.properties.subject = properties["subject"]
        book.properties.creator = properties["creator"]
        book.properties.description = properties["description"]
        book.properties.keywords = properties["keywords"]
        book.properties.language = "fr"
        for key in ("Licence", "Source", "Version des données"):
            book.custom_doc_props.append(StringProperty(name=key, value=properties[key]))
        out = tempfile.TemporaryFile(prefix="tnl-xlsx-")
        book.save(out)
        return out


def column_titles(datasette, table: str | None) -> dict[str, str]:
    """French titles of the Data Package: the table's own, then any resource's column of the same name."""
    titles = datasette.metadata("tnl_column_titles") or {}
    merged = {}
    for resource_titles in titles.values():
        for column, title in resource_titles.items():
            merged.setdefault(column, title)
    merged.update(titles.get(table or "", {}))
    return merged


async def render(datasette, request, database, table, query_name):
    json_path = request.path[: -len(EXTENSION)] + "json"
    pages = json_pages(datasette, json_path, parse_qsl(request.query_string, keep_blank_values=True))
    first = await anext(pages)
    if "columns" not in first:
        return Response.text(first.get("error") or "Erreur", status=first.get("status") or 400)
    name = table or query_name or database
    columns, expanded = first["columns"], set(first.get("expanded_columns") or [])
    # Codes as people read them, official codes with their names (the CSV for Excel does the same).
    header, labelled = value_labels.export_columns(datasette, table, flat_columns(columns, expanded),
                                                   column_titles(datasette, table))
    writer = await asyncio.to_thread(SheetWriter, name, header)
    page = first
    while page is not None:
        if "rows" not in page:  # a later page failed: no partial workbook
            return Response.text(page.get("error") or "Erreur", status=page.get("status") or 400)
        await asyncio.to_thread(writer.append, [labelled(cell_values(row, columns, expanded)) for row in page["rows"]])
        page = await anext(pages, None)
    versions = datasette.metadata("tnl_versions") or {}
    licence = f"{datasette.metadata('license')} ({datasette.metadata('license_url')})"
    source = absolute(datasette, request, request.full_path)
    partial = bool(first.get("truncated"))
    about = [
        ("Export", source),
        ("Lignes", str(writer.rows)),
        ("Complet", "non : résultat limité au nombre maximal de lignes d'une requête ; téléchargez la base SQLite "
                    "ou le paquet de données pour tout obtenir" if partial else "oui : toutes les lignes sélectionnées"),
        ("Licence", licence),
        ("Sources", datasette.metadata("source") or ""),
        ("Version des données", versions.get("version") or ""),
    ]
    properties = {
        "title": f"{datasette.metadata('title')} — {name}", "subject": name,
        "creator": (datasette.metadata("tnl_maintainer") or {}).get("title") or "Territoire Numérique Libre",
        "description": f"Licence : {licence}. Source : {source}", "keywords": "Territoire Numérique Libre ; données ouvertes",
        "Licence": licence, "Source": source, "Version des données": versions.get("version") or "",
    }
    # openpyxl holds the CPU for seconds on the largest table: in a thread, the server keeps answering meanwhile
    content = await asyncio.to_thread(writer.save, about, properties)
    return TemporaryFileResponse(content, CONTENT_TYPE, {"content-disposition": f'attachment; filename="{name}.xlsx"'})
