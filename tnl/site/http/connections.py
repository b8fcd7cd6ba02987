"""HTTP connections that slow clients cannot hoard: uvicorn's h11 protocol with a deadline for each request head
and a bounded number of connections.

uvicorn has no timeout for receiving a request's head (its keep-alive timer restarts at every byte), so ~1,000
clients sending one header byte per second held every file descriptor and new visitors got nothing. Here:
- a request head (request line and headers) must arrive whole within HEAD_TIMEOUT seconds of the connection
  opening, or of the previous response on a kept-alive connection; bytes trickling in do not extend it;
- when MAX_CONNECTIONS are open, the connection that has waited longest for its request head, or for its client to
  read the response (writes paused: the client stopped reading), is closed to make room for the new one: slow
  clients give way to visitors, who send their request at once;
- a client that stops reading a response (writes paused for WRITE_SECONDS) has its connection aborted: the data
  waiting for it is dropped, its file descriptor freed, and the response's sender learns it went away.
- a request head longer than MAX_HEAD_BYTES gets a 431 however it arrives: h11's own bound
  (`h11_max_incomplete_event_size`) holds only for a head still incomplete, so 60,000 characters sent in one packet
  were answered.
The deployment behind nginx keeps nginx's own limits; these protect `tnl serve` reached directly.
"""
from __future__ import annotations

import resource
import time

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

HEAD_TIMEOUT = 10.0
MAX_HEAD_BYTES = 32 * 1024  # request line and headers; above request_limits' query-string bound, which answers in French
HEAD_END = b"\r\n\r\n"
TOO_LARGE = "En-tête de requête trop long : au plus 32 Kio (adresse et en-têtes).".encode()
WRITE_SECONDS = 30.0  # a client must read what was sent to it within this time
MAX_CONNECTIONS = min(1000, resource.getrlimit(resource.RLIMIT_NOFILE)[0] // 2)  # well below the process's file limit


class BoundedH11Protocol(H11Protocol):
    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._head = b""  # the first bytes of the request head being received (at most MAX_HEAD_BYTES + 3)
        self._waiting_since = time.monotonic()
        self._head_deadline = self.loop.call_later(HEAD_TIMEOUT, self._head_timed_out)
        if len(self.connections) > MAX_CONNECTIONS:
            waiting = [c for c in self.connections if c is not self and c._idle_since() is not None]
            if waiting:
                min(waiting, key=lambda c: c._idle_since())._close()
            else:
                self._close()

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE and self._head is not None:
            self._head = (self._head + data)[: MAX_HEAD_BYTES + len(HEAD_END) - 1]
            if len(self._head) > MAX_HEAD_BYTES and HEAD_END not in self._head:
                self.transport.write(b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
                                     b"content-type: text/plain; charset=utf-8\r\nconnection: close\r\n"
                                     b"content-length: %d\r\n\r\n%s" % (len(TOO_LARGE), TOO_LARGE))
                self._close()
                return
        super().data_received(data)

    def _waiting_for_head(self) -> bool:
        return self.conn.their_state is h11.IDLE and not self.transport.is_closing()

    def _idle_since(self) -> float | None:
        """Since when this connection waits for its client (to send a request head, or to read a response), if it does."""
        if self._waiting_for_head():
            return self._waiting_since
        if self.flow.write_paused:
            return self._paused_since
        return None

    def pause_writing(self) -> None:
        super().pause_writing()
        self._paused_since = time.monotonic()
        self._write_deadline = self.loop.call_later(WRITE_SECONDS, self._write_timed_out)

    def resume_writing(self) -> None:
        super().resume_writing()
        self._write_deadline.cancel()

    def _write_timed_out(self) -> None:
        if self.flow.write_paused:
            self.transport.abort()

    def handle_events(self) -> None:
        super().handle_events()
        if self.conn.their_state is not h11.IDLE:  # the head arrived: the request runs without our deadline
            self._head_deadline.cancel()
            self._head = None

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():  # kept alive: the next head has the same deadline and bound
            self._head = b""
            self._head_deadline.cancel()
            self._waiting_since = time.monotonic()
            self._head_deadline = self.loop.call_later(HEAD_TIMEOUT, self._head_timed_out)

    def connection_lost(self, exc) -> None:
        self._head_deadline.cancel()
        if getattr(self, "_write_deadline", None):
            self._write_deadline.cancel()
        super().connection_lost(exc)

    def _head_timed_out(self) -> None:
        if self._waiting_for_head():
            self._close()

    def _close(self) -> None:
        self._head_deadline.cancel()
        if self.flow.write_paused:
            self.transport.abort()  # close() would wait for the client to read what is buffered
        else:
            self.transport.close()
