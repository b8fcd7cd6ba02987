"""One computation per response however many clients ask for it at once, and clients that cannot hold each other.

A Flight runs the app once, in its own task, apart from every client: its response is held in memory while it is
no larger than `limit` (the response cache's bound per response), then written to an anonymous temporary file,
which each client reads at its own pace. So:
- concurrent identical requests cost one computation, whether the result is kept in the cache afterwards or not;
- memory per response is bounded by `limit`, whatever its size (a complete CSV export, a large download);
- a client that stops reading holds only itself: each write gets WRITE_SECONDS, then its connection is closed;
- a client that goes away stops reading; when no client is left, the computation is cancelled.
The file is written on the event loop: appends of a few hundred KB land in the page cache in microseconds.
"""
from __future__ import annotations

import asyncio
import os
import tempfile

from tnl.site.http.connections import WRITE_SECONDS  # a client must accept each piece of a response within this time

CHUNK_BYTES = 256 * 1024


class ClientStalled(Exception):
    """A client did not accept one piece of a response within WRITE_SECONDS: its connection is closed."""


class Flight:
    def __init__(self, limit: int):
        self.limit = limit
        self.start: dict | None = None  # the app's http.response.start
        self.chunks: list[bytes] = []  # the body while it is held in memory
        self.held = 0
        self.fd: int | None = None  # the temporary file's descriptor once the body went past limit
        self.closed = False  # the file was closed: every reader has left a finished flight
        self.size = 0  # bytes in the file
        self.done = False
        self.error: BaseException | None = None
        self.readers = 0
        self.abandoned = False  # every reader left before the end: the computation is cancelled, nobody may join
        self.task: asyncio.Task | None = None
        self.result = None  # what the first reader made of a body held in memory, for the others (the cache entry)
        self._progress = asyncio.Event()

    def begin(self, app, scope, on_done) -> None:
        """Run app for scope in a task of its own; on_done() is called once it has finished, however."""
        async def run():
            try:
                await app(scope, _request_without_body(), self._send)
            except asyncio.CancelledError as error:  # no reader left
                self.error = error
            except Exception as error:  # handed to each reader, which fails its own request with it
                self.error = error
            finally:
                self.done = True
                on_done()
                self._notify()
                if self.readers == 0:
                    self._close()
        self.task = asyncio.get_running_loop().create_task(run())

    @property
    def spilled(self) -> bool:
        return self.fd is not None or self.closed

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)

    async def _send(self, event) -> None:
        if event["type"] == "http.response.start":
            self.start = event
            return
        if event["type"] != "http.response.body":
            return
        body, more = event.get("body", b""), event.get("more_body", False)
        if self.fd is None and more and self.held + len(body) > self.limit:
            self.fd, path = tempfile.mkstemp(prefix="tnl-response-")
            os.unlink(path)  # anonymous: gone with its last descriptor, even if the process is killed
            self._write(b"".join(self.chunks))
            self.chunks, self.held = [], 0
        if self.fd is not None:
            self._write(body)
        else:
            self.chunks.append(body)
            self.held += len(body)
        if not more:
            self.done = True
        if self.fd is not None or self.done:
            self._notify()

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = os.pwrite(self.fd, view, self.size)
            self.size += written
            view = view[written:]

    def _notify(self) -> None:
        event, self._progress = self._progress, asyncio.Event()
        event.set()

    async def progress(self) -> None:
        """Wait until the computation has sent more, or finished."""
        await self._progress.wait()

    async def ready(self) -> None:
        """Wait until the body is whole in memory, or is being written to the file, or the computation failed."""
        while not (self.done or self.spilled):
            await self.progress()

    async def stream_file(self, send) -> None:
        """The file's body as it grows, each piece within WRITE_SECONDS."""
        offset = 0
        while True:
            if offset < self.size:
                data = os.pread(self.fd, min(CHUNK_BYTES, self.size - offset), offset)
                offset += len(data)
                await deadline(send({"type": "http.response.body", "body": data, "more_body": True}))
            elif self.done:
                if self.error is not None:
                    raise ClientStalled("the computation of this response failed") from self.error
                await deadline(send({"type": "http.response.body", "body": b""}))
                return
            else:
                await self.progress()

    def join(self) -> None:
        self.readers += 1

    def leave(self) -> None:
        self.readers -= 1
        if self.readers == 0:
            if not self.done and self.task is not None:
                self.abandoned = True
                self.task.cancel()
            elif self.done:
                self._close()

    def _close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
            self.closed = True


async def deadline(sending) -> None:
    try:
        await asyncio.wait_for(sending, WRITE_SECONDS)
    except asyncio.TimeoutError:
        raise ClientStalled(f"no piece of the response accepted in {WRITE_SECONDS:.0f} s") from None


def _request_without_body():
    """The receive of a computation that no client owns: a GET's empty body, then nothing until it is cancelled."""
    sent = False

    async def receive():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()
    return receive


async def until_disconnect(receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def unless_disconnected(reading, receive) -> None:
    """Run reading (a coroutine sending to one client) until it ends or its client goes away, whichever first."""
    task = asyncio.ensure_future(reading)
    watcher = asyncio.ensure_future(until_disconnect(receive))
    try:
        await asyncio.wait({task, watcher}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        watcher.cancel()
        if not task.done():
            task.cancel()
            await asyncio.wait({task})
    if not task.cancelled():
        task.result()  # its exception, if any, is this request's
