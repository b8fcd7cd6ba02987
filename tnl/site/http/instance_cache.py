"""Values computed once per Datasette instance from its immutable database and kept for the life of the process."""
from __future__ import annotations

import asyncio
import gc
import weakref
from typing import Awaitable, Callable, TypeVar

T = TypeVar("T")
_values: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # datasette -> {(name, *args): value}
_locks: dict = {}


async def computed_once(datasette, key: tuple, compute: Callable[[], Awaitable[T]]) -> T:
    """`compute()` awaited at most once per instance and key, even when requests ask for it concurrently."""
    values = _values.setdefault(datasette, {})
    if key not in values:
        lock = _locks.setdefault((id(datasette), key), asyncio.Lock())
        async with lock:
            if key not in values:
                values[key] = await compute()
                gc.freeze()  # these objects live as long as the process: spare the collector rescanning them
        _locks.pop((id(datasette), key), None)
    return values[key]


def database(datasette):
    """The site's database: `tnl`, or the only one when a test serves a database under another name."""
    return datasette.get_database("tnl" if "tnl" in datasette.databases else None)
