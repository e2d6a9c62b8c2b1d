"""Starlette under every HTTP (and WebSocket) plugin, answering as upstream uvicorn 0.54 does."""

from __future__ import annotations

import os
import re
import socket
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.responses import FileResponse
from websockets.sync.client import connect

from tests.frameworks.apps import starlette_app
from tests.frameworks.conftest import (
    DATE,
    UPSTREAM_DEFAULTS,
    Served,
    ServerPool,
    chunked_head,
    head,
    next_report,
    serve_in_thread,
    wire_head,
)
from tests.utils import run_server

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def app(server_pool: ServerPool, http_impl: str) -> Served:
    return server_pool.get(
        ("starlette", http_impl),
        lambda: serve_in_thread(starlette_app.build_app, http=http_impl),
    )


@pytest.fixture
def ws_app(server_pool: ServerPool, http_impl: str, ws_impl: str) -> Served:
    return server_pool.get(
        ("starlette", http_impl, ws_impl),
        lambda: serve_in_thread(starlette_app.build_app, http=http_impl, ws=ws_impl),
    )


def test_lifespan_state_reaches_request_state(app: Served) -> None:
    response = httpx.get(f"{app.url}/state")
    assert response.status_code == 200
    assert head(response) == [
        ("date", DATE),
        ("server", "uvicorn"),
        ("content-length", "34"),
        ("content-type", "application/json"),
    ]
    assert response.content == b'{"greeting":"hello from lifespan"}'


@pytest.mark.parametrize("path", ["/state", "/stream"], ids=["content-length", "chunked"])
def test_default_headers_come_in_upstream_order(app: Served, path: str) -> None:
    response = httpx.get(f"{app.url}{path}")
    assert response.status_code == 200
    assert wire_head(response)[:2] == UPSTREAM_DEFAULTS


def test_base_http_middleware_tags_request_and_response(app: Served) -> None:
    response = httpx.get(f"{app.url}/tagged/")
    assert response.status_code == 200
    assert head(response) == [
        ("date", DATE),
        ("server", "uvicorn"),
        ("content-length", "23"),
        ("content-type", "text/plain; charset=utf-8"),
        ("x-tagged", "yes"),
    ]
    assert response.content == b"tagged by TagMiddleware"


def test_streaming_response_passes_through_base_http_middleware(app: Served) -> None:
    response = httpx.get(f"{app.url}/tagged/stream")
    assert response.status_code == 200
    assert head(response) == [
        ("date", DATE),
        ("server", "uvicorn"),
        ("content-type", "text/plain; charset=utf-8"),
        ("x-tagged", "yes"),
        ("transfer-encoding", "chunked"),
    ]
    assert response.content == b"streamed through middleware"


def test_streaming_response_is_sent_chunked(app: Served) -> None:
    response = httpx.get(f"{app.url}/stream")
    assert response.status_code == 200
    assert head(response) == chunked_head("text/plain; charset=utf-8")
    assert response.content == b"one\ntwo\nthree\n"


def test_file_response_sends_file_with_validators(app: Served) -> None:
    response = httpx.get(f"{app.url}/file")
    assert response.status_code == 200
    etag = response.headers["etag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    assert head(response) == [
        ("date", DATE),
        ("server", "uvicorn"),
        ("content-type", "text/plain; charset=utf-8"),
        ("accept-ranges", "bytes"),
        ("content-length", "27"),
        ("last-modified", DATE),
        ("etag", etag),
    ]
    assert response.content == starlette_app.HELLO_FILE.read_bytes()


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
def test_large_file_response_goes_out_through_pathsend(
    http_impl: str, loop: str, tmp_path: Path
) -> None:
    """Starlette sends http.response.pathsend when the scope offers it: zero-copy on
    asyncio's loop, chunked reads on uvloop; the client gets the file either way."""
    pytest.importorskip(loop)
    path = tmp_path / "large.bin"
    path.write_bytes(os.urandom(1 << 20) * 5)
    used: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        async def spying_send(message: Any) -> None:
            used.append(message["type"])
            await send(message)

        await FileResponse(path)(scope, receive, spying_send)

    with run_server(app, http=http_impl, loop=loop) as server:
        response = httpx.get(f"{server.url}/")
    assert response.status_code == 200
    assert response.headers["content-length"] == str(5 << 20)
    assert response.content == path.read_bytes()
    assert used == ["http.response.start", "http.response.pathsend"]


def test_file_response_answers_range_with_206(app: Served) -> None:
    response = httpx.get(f"{app.url}/file", headers={"range": "bytes=0-4"})
    assert response.status_code == 206
    etag = response.headers["etag"]
    assert head(response) == [
        ("date", DATE),
        ("server", "uvicorn"),
        ("content-type", "text/plain; charset=utf-8"),
        ("accept-ranges", "bytes"),
        ("content-length", "5"),
        ("last-modified", DATE),
        ("etag", etag),
        ("content-range", "bytes 0-4/27"),
    ]
    assert response.content == b"Hello"


def test_is_disconnected_turns_true_when_client_goes_away(app: Served) -> None:
    with socket.create_connection((app.server.host, app.server.port), timeout=5) as conn:
        conn.sendall(b"GET /wait-for-disconnect HTTP/1.1\r\nHost: example.com\r\n\r\n")
        assert next_report(app.reports) == "waiting"
    assert next_report(app.reports) == "disconnected"


def test_websocket_route_echoes_with_lifespan_state(ws_app: Served) -> None:
    with connect(f"{ws_app.ws_url}/ws", open_timeout=5, close_timeout=5) as websocket:
        assert websocket.recv(timeout=5) == "hello from lifespan"
        websocket.send("hi")
        assert websocket.recv(timeout=5) == "echo: hi"
    assert next_report(ws_app.reports) == "websocket closed 1000"
