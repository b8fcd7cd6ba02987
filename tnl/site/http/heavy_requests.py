"""A few heavy requests at a time: exports, whole tables, SQL queries and national peers wait their turn.

On a 2-core machine, six .xlsx exports at once stalled every other visitor for seconds. Requests that may cost
seconds of CPU or hundreds of MB are run at most SLOTS at a time; the others wait in a queue of at most QUEUE
requests for QUEUE_SECONDS, then get a 503 in French with Retry-After. Normal pages (territories, front page,
search, small table pages) never wait. The response cache's single flight runs first: identical heavy requests
take one slot between them.

Each slot is a worker thread with an event loop of its own, where the heavy request runs whole (Datasette's view,
its SQL, its template or JSON rendering, the CSV and .xlsx writing); its response events are handed back to the
server's loop. The server's loop only forwards them, so it keeps answering normal pages: Python shares the CPU
between threads every few milliseconds, where a heavy view on the loop held every visitor for seconds.
A heavy request's own sub-requests (the .xlsx renderer reads the table's JSON pages through Datasette's internal
client, in the same task) run within its slot and its thread: they never queue behind it.
"""
from __future__ import annotations

import asyncio
import contextvars
import threading
from functools import wraps
from urllib.parse import parse_qsl

from tnl.site.http.request_limits import send_error

SLOTS = 2  # one per core: the event loop keeps the rest of the CPU only if heavy work leaves some
QUEUE = 16
QUEUE_SECONDS = 10.0
RETRY_AFTER_SECONDS = 15
HEAVY_EXTENSIONS = (".xlsx", ".csv", ".csvfr")
LARGE_PAGE_ROWS = 500
BUSY = (f"Serveur occupé : trop d'exports ou de requêtes lourdes sont en cours. Réessayez dans "
        f"{RETRY_AFTER_SECONDS} secondes.")

_within_slot = contextvars.ContextVar("within_heavy_slot", default=False)


def is_heavy(scope) -> bool:
    path = scope["path"]
    if path.startswith("/-/") or scope["method"] not in ("GET", "HEAD"):
        return False  # the package's files are served as files (downloads.py); searches are bounded (search_index.py)
    if path.endswith(HEAVY_EXTENSIONS):
        return True
    query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
    size = query.get("_size", "")
    return ("sql" in query or query.get("perimetre") == "national" or size == "max"
            or (size.isdigit() and int(size) >= LARGE_PAGE_ROWS))


class WorkerLoop:
    """An event loop running in a daemon thread of its own, for one heavy request at a time."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, name="tnl-heavy", daemon=True).start()

    async def run(self, app, scope, receive, send) -> None:
        """app(scope, receive, send) on this loop; receive and send run on the caller's loop. Cancelling the caller
        cancels the request in the worker."""
        caller = asyncio.get_running_loop()

        async def on_caller(coroutine):
            return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coroutine, caller))

        async def in_worker():
            _within_slot.set(True)
            await app(scope, lambda: on_caller(receive()), lambda event: on_caller(send(event)))

        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(in_worker(), self.loop))


class HeavyQueue:
    def __init__(self, slots: int = SLOTS, queue: int = QUEUE, wait_seconds: float = QUEUE_SECONDS):
        self.size, self.queue, self.wait_seconds = slots, queue, wait_seconds
        self.slots, self.loop = asyncio.Semaphore(slots), None
        self.waiting = 0
        self.running = 0
        self.workers: list[WorkerLoop] = []  # idle worker loops, started on first use

    async def acquire(self) -> bool:
        """A slot, after waiting at most wait_seconds in a bounded queue; False when there is none."""
        if self.loop is not asyncio.get_running_loop():  # one app serves successive event loops in tests
            self.slots, self.loop = asyncio.Semaphore(self.size), asyncio.get_running_loop()
            self.waiting = self.running = 0
        if not self.slots.locked():  # a free slot: taken at once
            await self.slots.acquire()
            self.running += 1
            return True
        if self.waiting >= self.queue:
            return False
        self.waiting += 1
        try:
            await asyncio.wait_for(self.slots.acquire(), self.wait_seconds)
        except asyncio.TimeoutError:
            return False
        finally:
            self.waiting -= 1
        self.running += 1
        return True

    def release(self) -> None:
        self.running -= 1
        self.slots.release()

    async def run(self, app, scope, receive, send) -> None:
        """Within an acquired slot: the request on an idle worker loop."""
        worker = self.workers.pop() if self.workers else WorkerLoop()
        try:
            await worker.run(app, scope, receive, send)
        finally:
            self.workers.append(worker)


async def send_busy(send, path: str) -> None:
    async def with_retry_after(event):
        if event["type"] == "http.response.start":
            event = dict(event, headers=[*event["headers"], (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
                                         (b"cache-control", b"no-store")])
        await send(event)
    await send_error(with_retry_after, 503, BUSY, path)


def wrap(app, heavy: HeavyQueue):
    @wraps(app)
    async def bounded(scope, receive, send):
        if scope["type"] != "http" or _within_slot.get() or not is_heavy(scope):
            await app(scope, receive, send)
            return
        if not await heavy.acquire():
            await send_busy(send, scope["path"])
            return
        try:
            await heavy.run(app, scope, receive, send)
        finally:
            heavy.release()

    return bounded
