"""What researchers take away: the zip as frictionless sees it, the same values in the zip, the database and the API,
the descriptor served unzipped, CSV exports that hold every row, and .xlsx workbooks that keep codes as text."""
from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
from conftest import DATA

from tnl.pipeline import bundle, datapackage, derived_columns
from tnl.pipeline.published import CASTS

PACKAGE = datapackage.read(DATA)
ZIP = bundle.zip_name(PACKAGE)


@pytest.fixture(scope="module")
async def downloaded(datasette, tmp_path_factory) -> Path:
    """The zip as a researcher downloads it from the site."""
    response = await datasette.client.get(f"/-/telechargements/{ZIP}")
    assert response.status_code == 200
    path = tmp_path_factory.mktemp("download") / ZIP
    path.write_bytes(response.content)
    return path


def zip_rows(archive: Path, resource: dict) -> list[dict]:
    """A resource's rows read from the zip and typed by its schema, as frictionless reads them."""
    casts = {f["name"]: CASTS.get(f["type"], str) for f in datapackage.fields(resource)}
    with zipfile.ZipFile(archive) as z:
        text = z.read(resource["path"]).decode("utf-8")
    return [{k: (casts[k](v) if v != "" else None) for k, v in row.items()} for row in csv.DictReader(io.StringIO(text))]


@pytest.mark.timeout(600)  # frictionless reads and checks all 36,000 rows: about 20 s on shared cores
def test_frictionless_cli_validates_every_resource_of_the_downloaded_zip(downloaded):
    frictionless = Path(sys.executable).with_name("frictionless")
    result = subprocess.run([str(frictionless), "validate", "--json", str(downloaded)],
                            capture_output=True, text=True, timeout=900)
    report = json.loads(result.stdout)
    assert result.returncode == 0 and report["valid"], result.stdout[-3000:]
    assert sorted(t["name"] for t in report["tasks"]) == sorted(r["name"] for r in PACKAGE.resources)
    territories = next(t for t in report["tasks"] if t["name"] == "territories")
    assert territories["stats"]["rows"] == len(zip_rows(downloaded, PACKAGE.resource("territories")))


@pytest.mark.parametrize("name", [r["name"] for r in PACKAGE.resources])
def test_zip_values_equal_database_values(downloaded, db, name):
    resource = PACKAGE.resource(name)
    columns = [f["name"] for f in datapackage.fields(resource)]
    in_db = [dict(zip(columns, row)) for row in
             db.execute(f"select {', '.join(f'[{c}]' for c in columns)} from [{name}] order by rowid").fetchall()]
    assert zip_rows(downloaded, resource) == in_db


@pytest.mark.parametrize("name", ["territories", "results", "editions", "mentions", "open_questions"])
async def test_zip_values_equal_api_values(datasette, downloaded, name):
    resource = PACKAGE.resource(name)
    key = datapackage.primary_key(resource)
    api, token = [], None
    while True:
        params = {"_shape": "objects", "_size": "max", "_nocount": "1", "_nofacet": "1", **({"_next": token} if token else {})}
        page = (await datasette.client.get(f"/tnl/{name}.json", params=params)).json()
        api += page["rows"]
        token = page["next"]
        if not token:
            break
    columns = [f["name"] for f in datapackage.fields(resource)]
    assert api and set(api[0]) == set(columns) | set(derived_columns.metadata(name))  # the database's own: derived
    by_key = {tuple(r[k] for k in key): {c: r[c] for c in columns} for r in api}
    published = zip_rows(downloaded, resource)
    assert len(by_key) == len(published)
    assert [r for r in published if by_key[tuple(r[k] for k in key)] != r] == []


def test_bodies_carry_their_seat_point_and_its_origin(downloaded, db):
    rows = {r["id"]: r for r in zip_rows(downloaded, PACKAGE.resource("territories"))}
    body, seat = rows["syndicat-morbihan-energies"], next(r for r in rows.values() if r["cog_code"] == "56260")
    assert (body["latitude"], body["longitude"], body["point_source"]) == (seat["latitude"], seat["longitude"], "siege")
    assert [r["id"] for r in rows.values() if r["latitude"] is None] == [
        r[0] for r in db.execute("select id from territories where latitude is null order by rowid")]


def test_served_descriptor_and_files_are_the_zip(downloaded, live_server):
    """frictionless validate <site>/-/paquet/datapackage.json reads these files: byte for byte the zip's."""
    from frictionless import Package

    with zipfile.ZipFile(downloaded) as z:
        for name in z.namelist():
            with urllib.request.urlopen(f"{live_server}/-/paquet/{name}", timeout=60) as response:
                assert response.read() == z.read(name), name
    package = Package(f"{live_server}/-/paquet/datapackage.json")
    assert [r.name for r in package.resources] == [r["name"] for r in PACKAGE.resources]
    assert package.version == PACKAGE.descriptor["version"]
    assert package.get_resource("editions").read_rows()[0]["edition"] == 2016


async def test_csv_export_of_a_table_holds_every_row(datasette, db):
    total = db.execute("select count(*) from territories").fetchone()[0]
    assert total > 2000  # more than one page of Datasette: the case that was cut at 2,000
    text = (await datasette.client.get("/tnl/territories.csv?_labels=on&_size=max")).text
    assert len(list(csv.reader(io.StringIO(text)))) == total + 1
    communes = (await datasette.client.get("/tnl/territories.csv?kind=commune")).text
    assert len(list(csv.reader(io.StringIO(communes)))) - 1 == \
        db.execute("select count(*) from territories where kind = 'commune'").fetchone()[0]


async def test_csv_export_with_a_page_token_is_that_page(datasette):
    text = (await datasette.client.get("/tnl/territories.csv?_size=10&_next=100")).text
    assert len(list(csv.reader(io.StringIO(text)))) == 11


async def test_query_page_says_its_result_is_cut(datasette):
    html = (await datasette.client.get("/tnl?sql=select+id+from+territories")).text
    assert "renvoyant plus de 2\u202f000&nbsp;lignes" in html
    assert "renvoyant plus de" not in (await datasette.client.get("/tnl/palmares?edition=2021")).text


def workbook(content: bytes, read_only: bool = False):
    """read_only reads the sheets lazily (the largest table's cells are read by first_sheet_rows) but knows no frozen panes."""
    return openpyxl.load_workbook(io.BytesIO(content), read_only=read_only)


SHEET = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def first_sheet_rows(content: bytes):
    """The first sheet's rows as a spreadsheet reads its cells: a string cell (inline or shared) gives text, a number
    cell an int or a float (openpyxl's rule: a float when it has « . » or an exponent), each at the column its
    reference names. The sheet's XML parsed as a stream: openpyxl builds one object per cell, 3.4 times slower for the
    650,000 cells of the largest table (8.2 against 2.4 s of CPU)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        shared = [] if "xl/sharedStrings.xml" not in archive.namelist() else [
            "".join(item.itertext()) for item in ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))]
        with archive.open("xl/worksheets/sheet1.xml") as sheet:
            for _, element in ElementTree.iterparse(sheet):
                if element.tag == SHEET + "row":
                    yield _cells(element, shared)
                    element.clear()


def _cells(row, shared: list[str]) -> list:
    values: dict[int, object] = {}
    for cell in row:
        letters = re.match(r"[A-Z]+", cell.get("r")).group()
        column = sum(26 ** i * (ord(letter) - 64) for i, letter in enumerate(reversed(letters))) - 1
        kind, value = cell.get("t"), cell.findtext(SHEET + "v")
        if kind == "inlineStr":
            values[column] = "".join(cell.itertext())
        elif kind == "s":
            values[column] = shared[int(value)]
        elif value is not None:
            values[column] = float(value) if any(c in value for c in ".eE") else int(value)
    return [values.get(column) for column in range(max(values, default=-1) + 1)]


async def test_xlsx_of_the_largest_table_keeps_codes_as_text_and_numbers_as_numbers(datasette, db):
    response = await datasette.client.get("/tnl/territories.xlsx")
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    book = workbook(response.content, read_only=True)
    lines = first_sheet_rows(response.content)
    header = next(lines)
    assert header[:6] == ["Identifiant", "SIREN", "Nom officiel", "Nature", "Type d'EPCI", "Code officiel"]
    rows = {r[0]: dict(zip(header, r + [None] * (len(header) - len(r)))) for r in lines}  # empty last cells: absent
    assert len(rows) == db.execute("select count(*) from territories").fetchone()[0]
    lettret = rows["210500740"]
    assert (lettret["Code officiel"], lettret["Département (code)"], lettret["Population"]) == ("05074", "05", 196)
    assert lettret["Département"] == "Hautes-Alpes"  # the name beside the code, as the pages show it
    assert isinstance(lettret["Latitude"], float)
    assert rows["region-01"]["Code officiel"] == "01"
    licence = {p.name: p.value for p in book.custom_doc_props.props}["Licence"]
    assert licence.startswith("Licence Ouverte 2.0") and "Licence Ouverte 2.0" in book.properties.description
    about = dict(book["À propos"].iter_rows(values_only=True))
    assert about["Complet"].startswith("oui") and about["Version des données"] == PACKAGE.descriptor["version"]


async def test_xlsx_of_a_table_keeps_its_header_in_view(datasette):
    assert workbook((await datasette.client.get("/tnl/results.xlsx")).content).worksheets[0].freeze_panes == "A2"


async def test_xlsx_of_a_query_writes_text_never_a_formula_and_says_when_it_is_cut(datasette):
    book = workbook((await datasette.client.get("/tnl.xlsx?sql=select+'%3D1%2B1'+as+x,+'02001'+as+code,+3+as+n")).content)
    cells = book.worksheets[0][2]
    assert [(c.value, c.data_type) for c in cells] == [("=1+1", "s"), ("02001", "s"), (3, "n")]
    cut = workbook((await datasette.client.get("/tnl.xlsx?sql=select+id+from+territories")).content)
    assert cut.worksheets[0].max_row == 2001
    assert dict(cut["À propos"].iter_rows(values_only=True))["Complet"].startswith("non")


async def test_export_links_offer_xlsx(datasette):
    for path in ("/tnl/results", "/tnl/palmares?edition=2021"):
        html = (await datasette.client.get(path)).text
        assert "Excel (.xlsx)</a>" in html, path


async def test_api_page_says_which_exports_are_complete(datasette):
    html = (await datasette.client.get("/api")).text
    for fragment in ("<strong>toutes les lignes</strong>", "au plus 2&nbsp;000 lignes", "<code>next_url</code>",
                     'rel="next"', f'href="/-/telechargements/{ZIP}"', 'href="/-/paquet/datapackage.json"',
                     "perd le zéro initial"):
        assert fragment in html, fragment
    assert 'href="/api"' in (await datasette.client.get("/")).text
