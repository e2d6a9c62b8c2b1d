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
