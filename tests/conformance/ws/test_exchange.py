"""The ASGI WebSocket cycle over real sockets, for every (HTTP x WebSocket) implementation pair."""

from __future__ import annotations

import asyncio

import pytest
from websockets.asyncio.client import connect

from tests.conformance.ws.apps import echo
from tests.conformance.ws.helpers import ws_server, ws_url

pytestmark = pytest.mark.timeout(20)


def test_text_and_bytes_are_echoed(http_impl: str, ws_impl: str) -> None:
    async def client(url: str) -> list[object]:
        async with connect(url) as websocket:
            await websocket.send("hello")
            text = await websocket.recv()
            await websocket.send(b"\x00\x01")
            data = await websocket.recv()
            return [text, data]

    with ws_server(echo, http_impl, ws_impl) as server:
        assert asyncio.run(client(ws_url(server))) == ["hello", b"\x00\x01"]
