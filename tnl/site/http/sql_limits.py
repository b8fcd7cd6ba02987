"""Bounds on what one SQL query may allocate, set on every connection Datasette opens.

Datasette's time limit stops a query that runs long, but not one that builds a huge value quickly
(`zeroblob(1e9)`, `randomblob`, `printf('%.*c', 1e9, 'x')`, `replace`, `group_concat`…) nor the response
built afterwards from many large rows. So SQLite refuses any value longer than MAX_VALUE_BYTES (the
longest cell of the data is about 500 characters), and the rows a query hands to Python stop at
MAX_QUERY_BYTES: both fail as client errors, in French, before the response is built.
One built-in escapes both limits and the time limit: printf's `%c` repeats its character `precision` times in a
loop that SQLite neither bounds nor interrupts (`printf('%.*c', 1e8, 'x')`: 5 s of CPU to return an error).
printf and format are therefore replaced by a check of their widths, whatever the type of the format (text, BLOB,
hex literal, computed), then SQLite's own printf.
"""
from __future__ import annotations

import re
import sqlite3
import threading
import weakref

MAX_VALUE_BYTES = 1_000_000
MAX_QUERY_BYTES = 8_000_000
TOO_BIG = "string or blob too big"  # SQLite's message for SQLITE_TOOBIG
VALUE_MESSAGE = (f"Valeur trop grande : une valeur calculée par la requête dépasse {MAX_VALUE_BYTES // 1_000_000} Mo ; "
                 "réduisez la taille demandée (zeroblob, randomblob, printf, replace…).")
QUERY_MESSAGE = (f"Réponse trop volumineuse : les lignes demandées dépassent {MAX_QUERY_BYTES // 1_000_000} Mo ; "
                 "demandez moins de lignes (_size) ou de colonnes, ou filtrez.")


class QueryTooLarge(sqlite3.OperationalError):
    """An OperationalError, so that Datasette's table and query views answer it as a 400 with this message."""


_spent: dict[int, int] = {}  # id(cursor) -> bytes of the rows fetched so far, dropped with the cursor
TEXT = (str, bytes)


def _bounded_row(cursor: sqlite3.Cursor, values: tuple) -> sqlite3.Row:
    """Datasette's sqlite3.Row, counting the bytes each cursor (one query) fetched: a query stops at MAX_QUERY_BYTES.

    Called for every row of every query: a plain dict keyed by the cursor's id (its entry removed when the cursor is
    freed) and the sizes added inline, where a WeakKeyDictionary and a function per value doubled the cost of
    fetching 2,000 rows."""
    key = id(cursor)
    spent = _spent.get(key)
    if spent is None:
        weakref.finalize(cursor, _spent.pop, key, None)
        spent = 0
    for value in values:
        spent += len(value) if isinstance(value, TEXT) else 8
    if spent > MAX_QUERY_BYTES:
        raise QueryTooLarge(QUERY_MESSAGE)
    _spent[key] = spent
    return sqlite3.Row(cursor, values)


TOO_BIG_VALUE = bytes(MAX_VALUE_BYTES + 1)
PRINTF_SPEC = re.compile(r"%[-+ 0#,!]*(\*|[0-9]*)(?:\.(\*|[0-9]*))?(?:ll|l)?(.)", re.DOTALL)
_private = threading.local()  # per thread: a connection whose printf is SQLite's own


def _number(value) -> int:
    try:
        return abs(int(float(value)))
    except (TypeError, ValueError, OverflowError):
        return 0


def _widths(template: str, args: tuple):
    """Every width and precision of a printf template, `*` taken from the arguments as SQLite takes them."""
    position = 0
    for match in PRINTF_SPEC.finditer(template):
        width, precision, conversion = match.groups()
        if conversion == "%":
            continue
        for part in (width, precision):
            if part == "*":
                yield _number(args[position]) if position < len(args) else 0
                position += 1
            elif part:
                yield int(part)
        position += 1


def _as_text(template) -> str:
    """The format as SQLite's printf reads it, whatever its type: a BLOB (`cast('%…' as blob)`, `x'25…'`) is read as
    its bytes in UTF-8, a number as its text. Checking str formats only let a BLOB format run 13 s past the limit."""
    if isinstance(template, bytes):
        return template.decode("utf-8", "replace")
    return "" if template is None else str(template)


def bounded_printf(template, *args):
    if any(width > MAX_VALUE_BYTES for width in _widths(_as_text(template), args)):
        return TOO_BIG_VALUE  # SQLite refuses it as any oversized value ("string or blob too big"), with no traceback
    connection = getattr(_private, "connection", None)
    if connection is None:
        connection = _private.connection = sqlite3.connect(":memory:", check_same_thread=False)
        connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    placeholders = ", ".join("?" * (len(args) + 1))
    return connection.execute(f"select printf({placeholders})", (template, *args)).fetchone()[0]


def prepare_connection(conn: sqlite3.Connection) -> None:
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.row_factory = _bounded_row
    for name in ("printf", "format"):
        conn.create_function(name, -1, bounded_printf, deterministic=True)


def is_too_big(exception: BaseException) -> bool:
    return isinstance(exception, sqlite3.DataError) and TOO_BIG in str(exception)
