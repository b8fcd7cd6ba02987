"""The exports made for spreadsheets (CSV for Excel, .xlsx) read as the pages do: labels, not the API's codes."""
from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from tnl.site.french.value_labels import CONFIDENCE, MATCH

PATHS = ["/tnl/results", "/tnl/results?_labels=on", "/tnl/results_map", "/tnl/labelled_territories",
         "/tnl/palmares?edition=2024", "/tnl/territories?kind=departement"]


async def csv_for_excel(datasette, path: str) -> list[dict]:
    table, _, query = path.partition("?")
    response = await datasette.client.get(f"{table}.csvfr?{query}")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


async def xlsx(datasette, path: str) -> list[dict]:
    table, _, query = path.partition("?")
    response = await datasette.client.get(f"{table}.xlsx?{query}")
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


@pytest.mark.parametrize("export", [csv_for_excel, xlsx])
@pytest.mark.parametrize("path", PATHS)
async def test_exports_carry_labels_not_codes(datasette, db, path, export):
    rows = await export(datasette, path)
    assert rows, path
    header = list(rows[0])
    assert not [h for h in header if "_" in h], header  # no `edition_label`, `territory_id_label`
    assert len(set(header)) == len(header), header
    distinctions = {label for (label,) in db.execute("select label from distinctions")}
    for row in rows:
        assert {row.get("Confiance") or "haute"} <= set(CONFIDENCE.values()), row
        assert {row.get("Rattachement") or "sûr"} <= set(MATCH.values()), row
        for column in ("Distinction", "Dernière distinction"):
            assert row.get(column) in distinctions | {None, "", "Labellisé, niveau non publié"}, row
    if "Département (code)" in header or "Code département" in header:
        names = {name for (name,) in db.execute("select name from departements")}
        assert {row["Département"] for row in rows} <= names, path
