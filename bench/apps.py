"""The application every server in the benchmark runs (plain ASGI 3, no framework).

/        hello world, 13 bytes with a Content-Length
/echo    reads the whole request body and sends it back
/stream  10 MiB as 160 chunks of 64 KiB, without a Content-Length
/file    a 10 MiB file through Starlette's FileResponse, which sends it with
         http.response.pathsend when the server offers that extension
/file-no-pathsend   the same with the extension hidden: Starlette reads and sends chunks
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

HELLO = b"Hello, world!"
CHUNK = b"x" * 65536
STREAM_CHUNKS = 160
HELLO_HEADERS = [(b"content-type", b"text/plain"), (b"content-length", b"13")]
STREAM_HEADERS = [(b"content-type", b"application/octet-stream")]
FILE = Path(tempfile.gettempdir()) / "uvicorn-bench-10mib.bin"
FILE_SIZE = 10 << 20
PATHSEND = "http.response.pathsend"


def _file() -> Path:
    if not FILE.exists() or FILE.stat().st_size != FILE_SIZE:
        partial = FILE.with_suffix(f".{os.getpid()}")
        partial.write_bytes(os.urandom(FILE_SIZE))
        partial.replace(FILE)
    return FILE


async def send_file(scope: dict[str, Any], receive: Any, send: Any, pathsend: bool) -> None:
    from starlette.responses import FileResponse  # only the file workloads need it

    if not pathsend and PATHSEND in scope.get("extensions", {}):
        extensions = {k: v for k, v in scope["extensions"].items() if k != PATHSEND}
        scope = {**scope, "extensions": extensions}
    await FileResponse(_file())(scope, receive, send)


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        return
    path = scope["path"]
    if path == "/echo":
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})
    elif path == "/file" or path == "/file-no-pathsend":
        await send_file(scope, receive, send, pathsend=path == "/file")
    elif path == "/stream":
        await send({"type": "http.response.start", "status": 200, "headers": STREAM_HEADERS})
        for _ in range(STREAM_CHUNKS):
            await send({"type": "http.response.body", "body": CHUNK, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    else:
        await send({"type": "http.response.start", "status": 200, "headers": HELLO_HEADERS})
        await send({"type": "http.response.body", "body": HELLO})
