"""ASGI WebSocket apps the conformance tests serve."""

from __future__ import annotations

import asyncio
from typing import Any


async def echo(scope: Any, receive: Any, send: Any) -> None:
    """Accept, then send every message back as it came until the client leaves."""
    assert scope["type"] == "websocket"
    message = await receive()
    assert message["type"] == "websocket.connect"
    await send({"type": "websocket.accept"})
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        if message.get("text") is not None:
            await send({"type": "websocket.send", "text": message["text"]})
        else:
            await send({"type": "websocket.send", "bytes": message["bytes"]})


async def echo_in_batches(scope: Any, receive: Any, send: Any) -> None:
    """Accept, then receive messages five at a time and only then send the five back: each
    message waits in the server's queue while later ones are read."""
    assert scope["type"] == "websocket"
    await receive()
    await send({"type": "websocket.accept"})
    while True:
        batch = [await receive() for _ in range(5)]
        for message in batch:
            if message["type"] == "websocket.disconnect":
                return
            await send({"type": "websocket.send", "bytes": message["bytes"]})


class Recorder:
    """An app built from a script, recording what it received for the test thread to read."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.scopes: list[dict[str, Any]] = []
        self.errors: list[BaseException] = []

    def record(self, message: dict[str, Any]) -> dict[str, Any]:
        self.messages.append(message)
        return message

    def types(self) -> list[str]:
        return [message["type"] for message in self.messages]


class ReplayedHeadProtocol(asyncio.Protocol):
    """A plain uvicorn-style WebSocket protocol class (no core base): it answers with the
    request line it was handed, to show that the upgrade hand-off replays the head."""

    def __init__(
        self,
        config: Any,
        server_state: Any,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self.received = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # a stream transport

    def data_received(self, data: bytes) -> None:
        self.received += data
        if b"\r\n\r\n" in self.received and self.transport is not None:
            request_line = self.received.split(b"\r\n", 1)[0]
            self.transport.write(b"HTTP/1.1 101 Switching Protocols\r\n\r\n" + request_line)
            self.transport.close()
