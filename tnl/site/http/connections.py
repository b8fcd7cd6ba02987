"""HTTP connections that slow clients cannot hoard, around uvicorn's httptools protocol (its HTTP parser in C).

uvicorn has no timeout for receiving a request's head (its keep-alive timer stops at the first byte), no bound on a
head's size with httptools, and answers 503 past `limit_concurrency` instead of making room: ~1,000 clients
sending one header byte per second held every file descriptor and new visitors got nothing. `GuardedConnection`
is the asyncio protocol uvicorn runs (`uvicorn.Config(http=...)` takes an asyncio protocol class); it wraps uvicorn's own
httptools protocol (composition: every byte and event is passed on unchanged) and keeps, with public APIs only
(asyncio's protocol callbacks, httptools' parser, one ASGI wrapper):
- a request head (request line and headers) must arrive whole within HEAD_TIMEOUT seconds of the connection
  opening, or of the previous response on a kept-alive connection; bytes trickling in do not extend it;
- when MAX_CONNECTIONS are open, the connection that has waited longest for its request head, or for its client to
  read the response (writes paused: the client stopped reading), is closed to make room for the new one: slow
  clients give way to visitors, who send their request at once;
- a client that stops reading a response (writes paused for WRITE_SECONDS) has its connection aborted: the data
  waiting for it is dropped, its file descriptor freed, and the response's sender learns it went away;
- a request head longer than MAX_HEAD_BYTES gets a 431 in French however it arrives (one packet or trickled),
  before uvicorn's parser buffers it.
The guard parses each head a second time with httptools (C, microseconds) to know where heads begin and end; the
ASGI wrapper `tracking_responses` tells the connection when its response is complete (the next head's deadline
starts then). The deployment behind nginx keeps nginx's own limits; these protect `tnl serve` reached directly.
"""
from __future__ import annotations

import asyncio
import os
import resource
import time

import httptools
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEAD_TIMEOUT = 10.0
MAX_HEAD_BYTES = 32 * 1024  # request line and headers; above request_limits' query-string bound, which answers in French
TOO_LARGE = "En-tête de requête trop long : au plus 32 Kio (adresse et en-têtes).".encode()
WRITE_SECONDS = 30.0  # a client must read what was sent to it within this time
MAX_CONNECTIONS = min(1000, resource.getrlimit(resource.RLIMIT_NOFILE)[0] // 2)  # well below the process's file limit

_open: set[GuardedConnection] = set()
_by_client: dict[tuple[str, int], GuardedConnection] = {}  # as uvicorn puts it in the scope, for tracking_responses


class GuardedConnection(asyncio.Protocol):
    def __init__(self, config, server_state, app_state, _loop=None) -> None:
        self.inner = HttpToolsProtocol(config=config, server_state=server_state, app_state=app_state, _loop=_loop)
        self.loop = _loop or asyncio.get_event_loop()
        self.parser = httptools.HttpRequestParser(self)
        self.parser.set_dangerous_leniencies(lenient_data_after_close=True)  # as uvicorn's, so both agree
        self.heads = self.responses = 0  # heads received, responses completed
        self.head_size = 0  # the head being received, as parsed (request target and headers)
        self.head_bytes = 0  # the head being received, as bytes arrived (a header still incomplete included)
        self.in_head = self.too_large = False
        self.waiting_since = time.monotonic()  # waiting for a head since (when heads == responses)
        self.paused_since: float | None = None
        self.head_deadline = self.write_deadline = None
        self.transport = None
        self.client = None

    # asyncio's protocol callbacks: ours, then uvicorn's

    def connection_made(self, transport) -> None:
        self.transport = transport
        peer = transport.get_extra_info("peername")
        if isinstance(peer, (list, tuple)) and len(peer) >= 2:
            self.client = (str(peer[0]), int(peer[1]))
            _by_client[self.client] = self
        _open.add(self)
        self.inner.connection_made(transport)
        self._arm_head_deadline()
        if len(_open) > MAX_CONNECTIONS:
            waiting = [c for c in _open if c is not self and c._idle_since() is not None]
            (min(waiting, key=lambda c: c._idle_since()) if waiting else self)._close()

    def data_received(self, data: bytes) -> None:
        if self.parser is not None:
            try:
                self.parser.feed_data(data)
            except (httptools.HttpParserError, httptools.HttpParserUpgrade):
                self.parser = None  # uvicorn's parser fails the same way and answers 400
            if self.in_head:
                self.head_bytes += len(data)  # a head trickling in: counted before uvicorn buffers it
            if self.too_large or self.head_bytes > MAX_HEAD_BYTES or self.head_size > MAX_HEAD_BYTES:
                self._refuse_head()
                return
        self.inner.data_received(data)

    def eof_received(self):
        return self.inner.eof_received()

    def pause_writing(self) -> None:
        self.inner.pause_writing()
        self.paused_since = time.monotonic()
        self.write_deadline = self.loop.call_later(WRITE_SECONDS, self._write_timed_out)

    def resume_writing(self) -> None:
        self.inner.resume_writing()
        self.paused_since = None
        if self.write_deadline:
            self.write_deadline.cancel()

    def connection_lost(self, exc) -> None:
        _open.discard(self)
        if self.client and _by_client.get(self.client) is self:
            del _by_client[self.client]
        for deadline in (self.head_deadline, self.write_deadline):
            if deadline:
                deadline.cancel()
        self.inner.connection_lost(exc)

    # httptools' parser callbacks (our own parser: where each head begins and ends, and its size)

    def on_message_begin(self) -> None:
        self.in_head, self.head_size, self.head_bytes = True, 0, 0
        if self.head_deadline is None:  # a head whose deadline did not start at a response: it starts now
            self._arm_head_deadline()

    def on_url(self, url: bytes) -> None:
        self.head_size += len(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self.head_size += len(name) + len(value) + 4

    def on_headers_complete(self) -> None:
        self.in_head = False
        self.heads += 1
        self.too_large = self.head_size > MAX_HEAD_BYTES  # a long head in one packet is complete at once
        self.head_size = self.head_bytes = 0
        self._cancel_head_deadline()  # the head arrived: the request runs without our deadline

    # the head's deadline, the write deadline, and making room

    def response_complete(self) -> None:
        """Called by `tracking_responses` once the app has answered: a kept-alive connection waits for a new head."""
        self.responses += 1
        if self.heads == self.responses and not self.transport.is_closing():
            self.waiting_since = time.monotonic()
            self._arm_head_deadline()

    def _arm_head_deadline(self) -> None:
        self._cancel_head_deadline()
        self.head_deadline = self.loop.call_later(HEAD_TIMEOUT, self._head_timed_out)

    def _cancel_head_deadline(self) -> None:
        if self.head_deadline:
            self.head_deadline.cancel()
            self.head_deadline = None

    def _waiting_for_head(self) -> bool:
        return self.heads == self.responses and not self.transport.is_closing()

    def _idle_since(self) -> float | None:
        """Since when this connection waits for its client (to send a request head, or to read a response), if it does."""
        if self._waiting_for_head():
            return self.waiting_since
        return self.paused_since

    def _head_timed_out(self) -> None:
        self.head_deadline = None
        if self._waiting_for_head():
            self._close()

    def _write_timed_out(self) -> None:
        if self.paused_since is not None:
            self.transport.abort()

    def _refuse_head(self) -> None:
        self.parser = None
        self.transport.write(b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
                             b"content-type: text/plain; charset=utf-8\r\nconnection: close\r\n"
                             b"content-length: %d\r\n\r\n%s" % (len(TOO_LARGE), TOO_LARGE))
        self._close()

    def _close(self) -> None:
        self._cancel_head_deadline()
        if self.paused_since is not None:
            self.transport.abort()  # close() would wait for the client to read what is buffered
        else:
            self.transport.close()


def tracking_responses(app):
    """The ASGI app that tells each connection when its response is complete; outermost, so that the client address
    is still the connection's own (proxy headers are applied inside, by uvicorn's ProxyHeadersMiddleware)."""
    async def tracked(scope, receive, send):
        client = scope.get("client")
        try:
            await app(scope, receive, send)
        finally:
            connection = _by_client.get(tuple(client)) if scope["type"] == "http" and client else None
            if connection:
                connection.response_complete()

    return tracked


def uvicorn_config(app, **settings):
    """uvicorn's configuration with the guard: httptools parses; X-Forwarded-For and -Proto trusted from
    FORWARDED_ALLOW_IPS (default loopback), as uvicorn does by default.

    asyncio's own event loop, not uvloop: same throughput on hot pages in benchmarks/http_stacks.py, but with 64
    connections on never-requested pages uvloop left some requests waiting 4 to 9 s (p99) where asyncio's loop
    served all but 1 % within 0.7 to 1.3 s."""
    import uvicorn

    trusted = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
    return uvicorn.Config(tracking_responses(ProxyHeadersMiddleware(app, trusted_hosts=trusted)), http=GuardedConnection,
                          loop="asyncio", ws="none", proxy_headers=False, **settings)
