"""ASGI apps the HTTP/2 tests serve: each records what it saw where the test can wait on it."""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
from typing import Any

from uvicorn.testing.apps import read_body, send_plain

Scope = dict[str, Any]


async def describe(scope: Scope, receive: Any, send: Any) -> None:
    """The request as JSON: version, method, path, headers, body length and digest."""
    body = await read_body(receive)
    answer = {
        "http_version": scope["http_version"],
        "method": scope["method"],
        "path": scope["path"],
        "root_path": scope["root_path"],
        "query_string": scope["query_string"].decode(),
        "scheme": scope["scheme"],
        "client": scope["client"],
        "headers": [[name.decode(), value.decode()] for name, value in scope["headers"]],
        "extensions": sorted(scope.get("extensions", {})),
        "tls": "tls" in scope.get("extensions", {}),
        "length": len(body),
        "sha256": hashlib.sha256(body).hexdigest(),
    }
    await send_plain(send, json.dumps(answer).encode(), headers=[(b"x-served", b"yes")])


class Gate:
    """Holds every request until ``expected`` of them are in the app at once."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.arrived = 0
        self.all_in: asyncio.Event | None = None

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if self.all_in is None:
            self.all_in = asyncio.Event()
        self.arrived += 1
        if self.arrived >= self.expected:
            self.all_in.set()
        await self.all_in.wait()
        await send_plain(send, scope["path"].encode())


class Recorder:
    """Records the messages its app received and signals the test thread."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.event = threading.Event()
        self.sent_chunks = 0
        self.release: asyncio.Event | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    def release_all(self) -> None:
        """From the test thread: let every held app answer."""
        assert self.loop is not None
        assert self.release is not None
        self.loop.call_soon_threadsafe(self.release.set)

    def record(self, message: dict[str, Any]) -> None:
        self.messages.append(message)
        self.event.set()


def waits_for_disconnect(recorder: Recorder) -> Any:
    async def app(scope: Scope, receive: Any, send: Any) -> None:
        if scope["path"] == "/after":
            await send_plain(send, b"after")
            return
        while True:
            message = await receive()
            recorder.record(message)
            if message["type"] == "http.disconnect":
                return

    return app


def streams(recorder: Recorder, chunk: bytes, count: int) -> Any:
    """Sends ``count`` chunks; ``recorder.sent_chunks`` counts those send() returned from."""

    async def app(scope: Scope, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for _ in range(count):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
            recorder.sent_chunks += 1
        await send({"type": "http.response.body", "body": b""})
        recorder.event.set()

    return app


async def with_trailers(scope: Scope, receive: Any, send: Any) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"trailer", b"x-checksum")],
            "trailers": True,
        }
    )
    await send({"type": "http.response.body", "body": b"part one, ", "more_body": True})
    await send({"type": "http.response.body", "body": b"part two"})
    await send(
        {
            "type": "http.response.trailers",
            "headers": [(b"X-Checksum", b"abc")],
            "more_trailers": False,
        }
    )


def held_until_released(recorder: Recorder) -> Any:
    """Answers once the test sets ``recorder.release`` (through the server's loop)."""

    async def app(scope: Scope, receive: Any, send: Any) -> None:
        if recorder.release is None:
            recorder.release = asyncio.Event()
            recorder.loop = asyncio.get_running_loop()
        recorder.record({"type": "started", "path": scope["path"]})
        await recorder.release.wait()
        await send_plain(send, b"released")

    return app
