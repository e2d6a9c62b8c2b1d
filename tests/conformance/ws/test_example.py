"""The WebSocket example in examples/ works with every (HTTP x WebSocket) pair."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from examples import websocket_echo
from uvicorn.testing.websocket import connect, ws_server, ws_url

pytestmark = pytest.mark.timeout(20)


def test_example_page_and_echo(http_impl: str, ws_impl: str) -> None:
    async def client(url: str) -> tuple[str | None, object, object]:
        async with connect(url, subprotocols=["echo"]) as websocket:
            await websocket.send("hello")
            text = await websocket.recv()
            await websocket.send(b"\x01\x02")
            return websocket.subprotocol, text, await websocket.recv()

    with ws_server(websocket_echo.app, http_impl, ws_impl) as server:
        page = httpx.get(server.url + "/")
        result = asyncio.run(client(ws_url(server, "/ws")))
    assert page.status_code == 200
    assert b"new WebSocket" in page.content
    assert result == ("echo", "echo: hello", b"\x01\x02")
