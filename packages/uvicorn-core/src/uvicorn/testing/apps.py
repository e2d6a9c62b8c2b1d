"""ASGI applications the conformance tests serve, importable as ``uvicorn.testing.apps:<name>``
(a server in a child process imports them by that name)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

Scope = dict[str, Any]


async def send_plain(send: Any, body: bytes, status: int = 200, headers: Any = ()) -> None:
    """A complete text/plain response with a Content-Length."""
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def hello(scope: Scope, receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        await lifespan_ok(scope, receive, send)
        return
    await send_plain(send, b"Hello, world!")


async def lifespan_ok(scope: Scope, receive: Any, send: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            scope["state"]["started"] = "yes"
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def echo_scope(scope: Scope, receive: Any, send: Any) -> None:
    """Answers with the scope as JSON (bytes shown as latin-1 strings)."""
    if scope["type"] == "lifespan":
        await lifespan_ok(scope, receive, send)
        return

    def plain(value: Any) -> Any:
        if isinstance(value, bytes):
            return value.decode("latin-1")
        if isinstance(value, list | tuple):
            return [plain(item) for item in value]
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        return value

    await send_plain(send, json.dumps(plain(scope)).encode())


async def read_body(receive: Any) -> bytes:
    """The whole request body, read message by message (each must be http.request)."""
    body = b""
    more = True
    while more:
        message = await receive()
        assert message["type"] == "http.request", message
        body += message.get("body", b"")
        more = message.get("more_body", False)
    return body


async def echo_body(scope: Scope, receive: Any, send: Any) -> None:
    """Reads the whole request body and sends it back with a Content-Length."""
    await send_plain(send, await read_body(receive))


async def stream_echo(scope: Scope, receive: Any, send: Any) -> None:
    """Echoes each request chunk as it arrives, as a chunked response."""
    await send({"type": "http.response.start", "status": 200, "headers": []})
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
        await send(
            {"type": "http.response.body", "body": message.get("body", b""), "more_body": True}
        )
    await send({"type": "http.response.body", "body": b""})


async def streaming(scope: Scope, receive: Any, send: Any) -> None:
    """Three chunks without a Content-Length: chunked on HTTP/1.1."""
    await send({"type": "http.response.start", "status": 200, "headers": []})
    for part in (b"one,", b"two,", b"three"):
        await send({"type": "http.response.body", "body": part, "more_body": True})
    await send({"type": "http.response.body", "body": b"", "more_body": False})


LARGE_CHUNKS = (b"a" * 10000, b"b" * 5000, b"c" * 9000)


async def large_chunks(scope: Scope, receive: Any, send: Any) -> None:
    """Chunks over the 4 KiB inline size, the last one ending the response."""
    await send({"type": "http.response.start", "status": 200, "headers": []})
    for index, part in enumerate(LARGE_CHUNKS):
        more_body = index < len(LARGE_CHUNKS) - 1
        await send({"type": "http.response.body", "body": part, "more_body": more_body})


async def raises(scope: Scope, receive: Any, send: Any) -> None:
    raise RuntimeError("boom")


async def raises_after_start(scope: Scope, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"partial", "more_body": True})
    raise RuntimeError("boom")


async def no_response(scope: Scope, receive: Any, send: Any) -> None:
    return None


async def slow(scope: Scope, receive: Any, send: Any) -> None:
    """Waits for ``?seconds`` (default 0.5) before answering: an in-flight request."""
    query = scope["query_string"].decode()
    seconds = float(query.split("=")[1]) if query.startswith("seconds=") else 0.5
    await asyncio.sleep(seconds)
    await send_plain(send, b"done")
