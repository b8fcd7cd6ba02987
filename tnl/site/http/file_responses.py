"""Files sent as files: read in pieces in a worker thread, with range requests, validators and HEAD.

uvicorn offers neither `http.response.pathsend` nor the zero-copy extension, so the fallback the ASGI spec leaves
is used: pieces of CHUNK_BYTES read with os.pread in a thread, never the whole file in memory. In the deployment,
nginx serves these files itself with sendfile (deploy/nginx.conf.template); this is the path of `tnl serve` alone.
Written here rather than taken from Starlette's FileResponse: that would be a new runtime dependency (and lock)
for one function, under Datasette which does not use Starlette; Datasette's own file download has no ranges.

One range per request (`bytes=a-b`, `bytes=a-`, `bytes=-n`); several ranges, or an `If-Range` that does not match
the file's ETag, get the whole file, as RFC 9110 allows.
"""
from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path

from datasette.utils.asgi import Response

CHUNK_BYTES = 256 * 1024
RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def byte_range(header: str | None, size: int) -> tuple[int, int] | None | str:
    """(first, last) inclusive for a satisfiable single range, None for the whole file, "unsatisfiable" otherwise."""
    match = RANGE.fullmatch((header or "").strip())
    if not match or match.group(1) == match.group(2) == "":
        return None
    first, last = match.groups()
    if first == "":  # the last n bytes
        n = int(last)
        return (max(size - n, 0), size - 1) if n and size else "unsatisfiable"
    first, last = int(first), min(int(last) if last else size - 1, size - 1)
    return (first, last) if first <= last else "unsatisfiable"


async def send_file(scope, send, path: Path, content_type: str, etag: str, headers: dict[str, str]) -> None:
    request_headers = {bytes(k).lower(): bytes(v).decode("latin-1") for k, v in scope.get("headers") or []}
    size = path.stat().st_size
    common = {**headers, "content-type": content_type, "accept-ranges": "bytes", "etag": etag}
    if etag in {tag.strip().removeprefix("W/") for tag in request_headers.get(b"if-none-match", "").split(",")}:
        await _start(send, 304, {k: v for k, v in common.items() if k != "content-type"}, b"")
        return
    wanted = byte_range(request_headers.get(b"range"), size)
    if b"if-range" in request_headers and request_headers[b"if-range"].strip() != etag:
        wanted = None
    if wanted == "unsatisfiable":
        await _start(send, 416, {**headers, "content-range": f"bytes */{size}", "content-type": "text/plain; charset=utf-8"},
                     "Plage d'octets impossible : le fichier fait {} octets.".format(size).encode())
        return
    first, last = wanted or (0, size - 1)
    status = 206 if wanted else 200
    if wanted:
        common["content-range"] = f"bytes {first}-{last}/{size}"
    common["content-length"] = str(max(last - first + 1, 0))
    await send({"type": "http.response.start", "status": status,
                "headers": [(k.encode(), v.encode("latin-1")) for k, v in common.items()]})
    if scope["method"] == "HEAD":
        await send({"type": "http.response.body", "body": b""})
        return
    loop = asyncio.get_running_loop()
    fd = os.open(path, os.O_RDONLY)
    try:
        offset = first
        while offset <= last:
            data = await loop.run_in_executor(None, os.pread, fd, min(CHUNK_BYTES, last - offset + 1), offset)
            if not data:
                break
            offset += len(data)
            await send({"type": "http.response.body", "body": data, "more_body": offset <= last})
        if offset <= first:
            await send({"type": "http.response.body", "body": b""})
    finally:
        os.close(fd)


async def _start(send, status: int, headers: dict[str, str], body: bytes) -> None:
    headers = {**headers, "content-length": str(len(body))}
    await send({"type": "http.response.start", "status": status,
                "headers": [(k.encode(), v.encode("latin-1")) for k, v in headers.items()]})
    await send({"type": "http.response.body", "body": body})


class TemporaryFileResponse(Response):
    """A Datasette Response whose body is an open temporary file, sent in pieces and closed (so deleted) once sent."""

    def __init__(self, file, content_type: str, headers: dict[str, str]):
        super().__init__(b"", content_type=content_type, headers=headers)
        self.file = file

    async def asgi_send(self, send):
        loop = asyncio.get_running_loop()
        try:
            size = os.fstat(self.file.fileno()).st_size
            headers = {**self.headers, "content-type": self.content_type, "content-length": str(size)}
            await send({"type": "http.response.start", "status": self.status,
                        "headers": [(k.encode("latin-1"), str(v).encode("latin-1")) for k, v in headers.items()]})
            offset = 0
            while offset < size:
                data = await loop.run_in_executor(None, os.pread, self.file.fileno(), CHUNK_BYTES, offset)
                if not data:
                    break
                offset += len(data)
                await send({"type": "http.response.body", "body": data, "more_body": offset < size})
            if offset == 0:
                await send({"type": "http.response.body", "body": b""})
        finally:
            self.file.close()
