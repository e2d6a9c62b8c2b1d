"""The ASGI ``http.response.pathsend`` extension: a response body read from a file.

The app names a file instead of sending its bytes. The core opens it and sends it with
the event loop's ``sendfile`` (the kernel copies from the page cache to the socket, no
byte passes through Python) where the loop and transport allow it (asyncio's loop on a
plain socket). Elsewhere (uvloop, TLS, a plugin that frames bodies itself) the file is
read in large chunks off the event loop's thread and written with the usual
back-pressure. Either way the file is closed whatever happens, the client going away
mid-file included.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Final

if TYPE_CHECKING:
    from uvicorn.protocols.http.cycle import CycleConnection, RequestResponseCycle

# What one read of the fallback takes: large, so a big file needs few thread hops.
FILE_CHUNK: Final = 262144


async def send_path(cycle: RequestResponseCycle, path: str) -> None:
    """Send the file at ``path`` as the body of ``cycle``'s response, then complete it."""
    if not isinstance(path, str) or not os.path.isabs(path):
        raise RuntimeError(f"http.response.pathsend needs an absolute path, got {path!r}")
    if not cycle.send_body:  # HEAD, 204, 304: the head says it all
        cycle.finish_file_body(cycle.remaining or 0)  # as if the announced bytes were sent
        return
    conn = cycle.conn
    with open(path, "rb") as file:  # opening is quick; the reads are done off the loop
        size = os.fstat(file.fileno()).st_size
        count = size if cycle.remaining is None else cycle.remaining
        if count > size:
            raise RuntimeError(
                f"Response content shorter than Content-Length: {path!r} has {size} bytes, "
                f"the response announced {count}"
            )
        if not conn.settings.raw_encoding:
            chunked = cycle.response_chunked
            await copy_file(conn, file, count, lambda data: conn.encode_body(data, chunked))
        elif count:
            chunked = cycle.response_chunked
            if chunked:
                conn.write(b"%x\r\n" % count)
            await conn.send_file(file, count)
            if chunked:
                conn.write(b"\r\n")
    cycle.finish_file_body(count)


async def copy_file(
    conn: CycleConnection,
    file: IO[bytes],
    count: int,
    encode: Callable[[bytes], bytes] | None = None,
) -> None:
    """Write ``count`` bytes of ``file``, read in chunks off the loop's thread, each with
    back-pressure: what a connection without a zero-copy path does for ``send_file``."""
    loop = conn.loop
    left = count
    while left > 0 and not conn.is_closing():
        data = await loop.run_in_executor(None, file.read, min(left, FILE_CHUNK))
        if not data:
            raise RuntimeError("The file sent with http.response.pathsend shrank while sent")
        left -= len(data)
        conn.write(data if encode is None else encode(data))
        if conn.write_paused:
            await conn.drain()
