"""Bounds on what one SQL query may allocate, set on every connection Datasette opens.

Datasette's time limit stops a query that runs long, but not one that builds a huge value quickly
(`zeroblob(1e9)`, `randomblob`, `printf('%.*c', 1e9, 'x')`, `replace`, `group_concat`…) nor the response
built afterwards from many large rows. So SQLite refuses any value longer than MAX_VALUE_BYTES (the
longest cell of the data is about 500 characters), and the rows a query hands to Python stop at
MAX_QUERY_BYTES: both fail as client errors, in French, before the response is built.
"""
from __future__ import annotations

import sqlite3
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


_spent: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # cursor -> bytes of the rows fetched so far


def _size(value) -> int:
    return len(value) if isinstance(value, (str, bytes)) else 8


def _bounded_row(cursor: sqlite3.Cursor, values: tuple) -> sqlite3.Row:
    """Datasette's sqlite3.Row, counting the bytes each cursor (one query) fetched: a query stops at MAX_QUERY_BYTES."""
    spent = _spent.get(cursor, 0) + sum(map(_size, values))
    if spent > MAX_QUERY_BYTES:
        raise QueryTooLarge(QUERY_MESSAGE)
    _spent[cursor] = spent
    return sqlite3.Row(cursor, values)


def prepare_connection(conn: sqlite3.Connection) -> None:
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.row_factory = _bounded_row


def is_too_big(exception: BaseException) -> bool:
    return isinstance(exception, sqlite3.DataError) and TOO_BIG in str(exception)
