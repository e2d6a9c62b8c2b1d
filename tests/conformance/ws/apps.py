"""ASGI WebSocket apps the conformance tests serve."""

from __future__ import annotations

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
