"""WebSockets over TLS for every (HTTP x WebSocket) pair: wss scheme and the tls extension."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from uvicorn.testing.conformance.http.test_tls import Certificates
from uvicorn.testing.conformance.ws.apps import Recorder
from uvicorn.testing.websocket import connect, ws_server

pytestmark = pytest.mark.timeout(20)


def test_wss_scope_has_wss_scheme_and_tls_extension(
    http_impl: str, ws_impl: str, tmp_path: Path
) -> None:
    certs = Certificates(tmp_path)
    recorder = Recorder()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        recorder.scopes.append(scope)
        await receive()
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.send", "text": scope["scheme"]})
        await send({"type": "websocket.close"})

    async def client(url: str) -> object:
        async with connect(url, ssl=certs.client_context(with_certificate=True)) as websocket:
            return await websocket.recv()

    with ws_server(app, http_impl, ws_impl, **certs.server_options()) as server:
        received = asyncio.run(client(f"wss://127.0.0.1:{server.port}/"))
    assert received == "wss"
    (scope,) = recorder.scopes
    tls = scope["extensions"]["tls"]
    assert tls["tls_version"] == 0x0304
    assert "websocket.http.response" in scope["extensions"]
    assert tls["client_cert_chain"] == []  # the server did not ask for one
