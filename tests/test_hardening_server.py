"""Bounded cost per request (issue 18): huge SQL values, oversized responses, long query strings, OPTIONS, malformed
Datasette parameters, spreadsheet-safe CSV, and connections that slow clients cannot hoard."""
from __future__ import annotations

import asyncio
import csv
import io
import socket
import sqlite3
import threading

import pytest
import uvicorn
from conftest import console

from tnl.site.http import connections, request_limits, sql_limits

HUGE = [
    "select zeroblob(100000000)",
    "select randomblob(100000000)",
    "select printf('%.*c', 100000000, 'x')",
    "select format('%1000000000d', 1)",
    "select replace(printf('%.*c', 900000, 'x'), 'x', 'xx')",
    "select group_concat(zeroblob(500000)) from (select 1 union all select 2 union all select 3)",
]
# printf's format as any type SQLite accepts: each of these ran its %c loop for 13 s or more when only text was checked.
PRINTF_FORMATS = [
    "cast('%.2147483647c' as blob)",
    "x'252e3231343734383336343763'",
    "cast('%' || '.2147483647c' as blob)",
    "'%' || '.2147483647c'",
    "cast('%.*c' as blob), 2147483647",
]
HUGE += [f"select {name}({fmt}, 'x')" for fmt in PRINTF_FORMATS for name in ("printf", "format")]


@pytest.mark.parametrize("sql", HUGE)
async def test_sql_building_a_huge_value_is_a_client_error(datasette, sql):
    for path in ("/tnl.json", "/tnl"):
        response = await datasette.client.get(path, params={"sql": sql})
        assert response.status_code == 400, (path, sql, response.text[:300])
        assert len(response.content) < 100_000


async def test_the_query_page_says_why_in_french(datasette):
    response = await datasette.client.get("/tnl", params={"sql": "select zeroblob(100000000)"})
    assert response.status_code == 400
    assert sql_limits.VALUE_MESSAGE in response.text


async def test_a_huge_value_in_a_table_filter_is_refused_in_french(datasette):
    response = await datasette.client.get("/tnl/territories.json", params={"_where": "length(zeroblob(100000000)) > 0"})
    assert response.status_code == 400
    assert response.json()["error"] == sql_limits.VALUE_MESSAGE


async def test_many_large_rows_stop_before_the_response_is_built(datasette):
    sql = "with recursive n(i) as (select 1 union all select i + 1 from n limit 2000) select zeroblob(50000) from n"
    response = await datasette.client.get("/tnl.json", params={"sql": sql})
    assert response.status_code == 400
    assert response.json()["error"] == sql_limits.QUERY_MESSAGE


async def test_printf_and_format_still_work_within_bounds(datasette):
    sql = "select printf('%05.1f|%s|%%|%.*c', 3.14159, 'a', 3, 'y') as p, format('%d', 42) as f"
    response = await datasette.client.get("/tnl.json", params={"sql": sql, "_shape": "array"})
    assert response.json() == [{"p": "003.1|a|%|yyy", "f": "42"}]


@pytest.mark.parametrize("fmt", PRINTF_FORMATS)
def test_printf_widths_are_checked_whatever_the_type_of_the_format(fmt):
    conn = sqlite3.connect(":memory:")
    sql_limits.prepare_connection(conn)
    with pytest.raises(sqlite3.DataError, match=sql_limits.TOO_BIG):
        conn.execute(f"select printf({fmt}, 'x')").fetchall()
    assert tuple(conn.execute("select printf(cast('%.3c|%d' as blob), 'y', 7), printf(x'2573', 'z')").fetchone()) == ("yyy|7", "z")


def test_a_query_fetching_more_than_the_budget_raises_on_the_row_past_it():
    conn = sqlite3.connect(":memory:")
    sql_limits.prepare_connection(conn)
    rows = conn.execute("with recursive n(i) as (select 1 union all select i + 1 from n limit 20) select zeroblob(900000) from n")
    with pytest.raises(sql_limits.QueryTooLarge):
        rows.fetchall()
    assert len(conn.execute("select zeroblob(900000) from (select 1 union all select 2)").fetchall()) == 2  # a new budget


async def test_too_many_parameters_are_refused_before_any_view_runs(datasette):
    allowed = await datasette.client.get("/territoire/213801517.json?" + "&".join(f"a{i}=1" for i in range(64)))
    assert allowed.status_code == 200
    refused = await datasette.client.get("/tnl/territories.json?" + "&".join(f"a{i}=1" for i in range(65)))
    assert refused.status_code == 400
    assert refused.json() == {"ok": False, "error": request_limits.TOO_MANY, "status": 400}


async def test_a_too_long_query_string_is_refused(datasette):
    response = await datasette.client.get("/tnl/territories", params={"name": "x" * 17000})
    assert response.status_code == 414
    assert response.text == request_limits.TOO_LONG


async def test_options_is_answered_without_running_the_page(datasette):
    response = await datasette.client.request("OPTIONS", "/territoire/213801517")
    assert response.status_code == 204
    assert response.content == b""
    assert response.headers["allow"] == "GET, HEAD, OPTIONS"
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["x-frame-options"] == "DENY"  # the security headers too


def run_asgi(app, path="/x") -> list[dict]:
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(event):
        sent.append(event)

    asyncio.run(app({"type": "http", "method": "GET", "path": path, "query_string": b"", "headers": []}, receive, send))
    return sent


def test_a_response_over_the_cap_becomes_a_french_400():
    async def large(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": b"x" * (request_limits.MAX_RESPONSE_BYTES + 1)})

    sent = run_asgi(request_limits.wrap(large), "/tnl/x.json")
    assert [e["type"] for e in sent] == ["http.response.start", "http.response.body"]
    assert sent[0]["status"] == 400
    assert request_limits.TOO_LARGE in sent[1]["body"].decode()


def test_a_streamed_response_is_not_held_back():
    async def streamed(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for _ in range(3):
            await send({"type": "http.response.body", "body": b"x" * 1000, "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    sent = run_asgi(request_limits.wrap(streamed))
    assert sent[0]["status"] == 200
    assert sum(len(e.get("body", b"")) for e in sent[1:]) == 3000


MALFORMED = [  # each answered 500 with a traceback by Datasette 0.65
    ("/tnl/territories.json", {"_timelimit": "x"}),
    ("/tnl/territories.json", {"_through": "x"}),
    ("/tnl/territories.json", {"_facet": "{}"}),
    ("/tnl/territories.json", {"_facet": "\x00"}),
    ("/tnl/territories.json", {"_where": "\x00"}),
    ("/tnl/territories.json", {"population__gt": "99999999999999999999"}),
    ("/tnl/territory_history.json", {"_next": "x"}),
    ("/tnl/territories", {"_nocol": "name"}),
]


@pytest.mark.parametrize("path, params", MALFORMED, ids=[f"{p}?{q}" for p, q in MALFORMED])
async def test_malformed_datasette_parameters_are_french_400s_without_traceback(datasette, capfd, path, params):
    response = await datasette.client.get(path, params=params)
    assert response.status_code == 400
    assert "Paramètre invalide" in response.text or "Param\\u00e8tre invalide" in response.text
    assert "Traceback" not in response.text
    assert "Traceback" not in console(capfd)


FORMULAS_SQL = ("select '=1+1' as a, ' =1+1' as b, char(10) || '@SUM(A1)' as c, '-2+3' as d, char(9) || '+1' as e, "
                "-2.5 as f, '01053' as g")


async def test_plain_csv_defuses_formulas_whatever_whitespace_precedes_them(datasette):
    response = await datasette.client.get("/tnl.csv", params={"sql": FORMULAS_SQL})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.text, newline="")))
    assert rows[1] == ["'=1+1", "' =1+1", "'\n@SUM(A1)", "'-2+3", "'\t+1", "-2.5", "01053"]


async def test_excel_csv_defuses_the_same_cells_and_keeps_numbers(datasette):
    response = await datasette.client.get("/tnl.csvfr", params={"sql": FORMULAS_SQL})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[1] == ["'=1+1", "' =1+1", "'\n@SUM(A1)", "'-2+3", "'\t+1", "-2,5", "01053"]
    assert response.headers["content-disposition"] == 'attachment; filename="tnl-excel.csv"'


async def test_excel_csv_keeps_a_cell_longer_than_the_csv_modules_default_limit(datasette):
    response = await datasette.client.get("/tnl.csvfr", params={"sql": "select printf('%.*c', 140000, 'x') as a"})
    assert response.status_code == 200
    assert response.content.decode("utf-8-sig").split("\r\n")[1] == "x" * 140000


# --- connections: a deadline for request heads, a bounded number of connections ---------------------------------

async def tiny_app(scope, receive, send):
    if scope["type"] == "http":
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"ok"})


@pytest.fixture
def bounded_server(monkeypatch):
    """uvicorn configured as `tnl serve` configures it (connections.py's guard) on loopback, with a short deadline and
    a cap of 4 connections."""
    monkeypatch.setattr(connections, "HEAD_TIMEOUT", 1.0)
    monkeypatch.setattr(connections, "MAX_CONNECTIONS", 4)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(connections.uvicorn_config(tiny_app, host="127.0.0.1", port=port, lifespan="off",
                                                       log_level="warning"))
    thread = threading.Thread(target=server.run)
    thread.start()
    while not server.started:
        threading.Event().wait(0.05)
    yield port
    server.should_exit = True
    thread.join()


def closed_by_server(s: socket.socket) -> bool:
    """Whether the server closed this connection (waits up to 10 s for it)."""
    s.settimeout(10)
    try:
        return s.recv(100) == b""
    except (ConnectionResetError, TimeoutError):
        return False


def get(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        return s.recv(1000)


def test_a_request_head_trickling_in_is_cut_at_the_deadline(bounded_server):
    slow = socket.create_connection(("127.0.0.1", bounded_server))
    slow.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
    for _ in range(3):  # bytes keep arriving: they do not extend the deadline
        slow.sendall(b"X")
        threading.Event().wait(0.4)
    assert closed_by_server(slow)
    assert get(bounded_server).startswith(b"HTTP/1.1 200")


def test_when_full_the_oldest_waiting_connection_gives_way_to_a_visitor(bounded_server):
    slow = []
    for _ in range(4):
        s = socket.create_connection(("127.0.0.1", bounded_server))
        s.sendall(b"GET / HTTP/1.1\r\n")
        slow.append(s)
        threading.Event().wait(0.05)
    assert get(bounded_server).startswith(b"HTTP/1.1 200")
    assert closed_by_server(slow[0])
    for s in slow:
        s.close()
