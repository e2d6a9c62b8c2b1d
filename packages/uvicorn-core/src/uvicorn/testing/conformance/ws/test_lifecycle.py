"""Keep-alive, graceful shutdown and ``--ws none``, over real sockets."""

from __future__ import annotations

import gc
import socket
import struct
from typing import Any

import pytest

from uvicorn.testing.conformance.ws.apps import Recorder, echo
from uvicorn.testing.utils import (
    cyclic_collector_off,
    read_response,
    read_until_closed,
    run_server,
    wait_for,
)
from uvicorn.testing.websocket import (
    frame,
    handshake_request,
    open_raw,
    read_close,
    read_close_code,
    read_frame,
    ws_server,
)

pytestmark = pytest.mark.timeout(20)


def test_unanswered_keepalive_pings_close_with_1011(http_impl: str, ws_impl: str) -> None:
    recorder = Recorder()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        recorder.record(await receive())

    options = {"ws_ping_interval": 0.05, "ws_ping_timeout": 0.1}
    with ws_server(app, http_impl, ws_impl, **options) as server, open_raw(server) as conn:
        assert read_frame(conn)[0] == 0x9  # a ping, which this peer never answers
        conn.settimeout(10)
        assert read_close(conn) == (1011, b"keepalive ping timeout")
        read_until_closed(conn)  # the server gives up on the peer and closes
        assert wait_for(lambda: not server.state.connections)
        assert wait_for(lambda: len(recorder.messages) == 1)
    disconnect = {"type": "websocket.disconnect", "code": 1011, "reason": "keepalive ping timeout"}
    assert recorder.messages == [disconnect]


def test_answered_keepalive_pings_keep_the_connection(http_impl: str, ws_impl: str) -> None:
    options = {"ws_ping_interval": 0.05, "ws_ping_timeout": 5.0}
    with ws_server(echo, http_impl, ws_impl, **options) as server, open_raw(server) as conn:
        for _ in range(3):
            opcode, payload = read_frame(conn)
            assert opcode == 0x9
            conn.sendall(frame(0xA, payload))
        conn.sendall(frame(0x1, b"alive"))
        while (message := read_frame(conn))[0] == 0x9:
            conn.sendall(frame(0xA, message[1]))
        assert message == (0x1, b"alive")


def test_shutdown_closes_with_1012_and_app_sees_disconnect(http_impl: str, ws_impl: str) -> None:
    recorder = Recorder()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        recorder.record(await receive())

    with ws_server(app, http_impl, ws_impl) as server:
        conn = open_raw(server)
        with conn:
            assert wait_for(lambda: len(server.state.connections) == 1)
            server.server.should_exit = True
            assert read_close_code(conn) == 1012
            conn.sendall(frame(0x8, b"\x03\xf4"))  # the client answers the close
            read_until_closed(conn)
        assert wait_for(lambda: len(recorder.messages) == 1)
    assert recorder.messages == [{"type": "websocket.disconnect", "code": 1012, "reason": ""}]


def test_ws_none_serves_upgrade_requests_as_http(http_impl: str) -> None:
    scopes: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        scopes.append(scope["type"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"plain"})

    with run_server(app, http=http_impl, ws="none") as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            conn.sendall(handshake_request())
            status, _, body = read_response(conn)
    assert (status, body, scopes) == (b"HTTP/1.1 200 OK", b"plain", ["http"])


def test_shutdown_before_accept_answers_503_and_app_sees_disconnect(
    http_impl: str, ws_impl: str
) -> None:
    recorder = Recorder()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        recorder.record(await receive())
        recorder.record(await receive())  # still deciding: the server shuts down meanwhile
        try:
            await send({"type": "websocket.accept"})
        except OSError as exc:
            recorder.errors.append(exc)

    with ws_server(app, http_impl, ws_impl) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            conn.sendall(handshake_request())
            assert wait_for(lambda: len(recorder.messages) == 1)
            server.server.should_exit = True
            response = read_until_closed(conn)
        assert wait_for(lambda: len(recorder.errors) == 1)
    assert response.startswith(b"HTTP/1.1 503 ")
    assert recorder.types() == ["websocket.connect", "websocket.disconnect"]
    assert recorder.messages[1]["code"] == 1012


# Modules whose objects a WebSocket connection allocates: the server's and its libraries'.
_CONNECTION_MODULES = ("uvicorn", "websockets", "wsproto", "h11", "httptools", "uvloop")


def _connection_objects() -> int:
    count = 0
    for obj in gc.get_objects():
        module = type(obj).__module__  # a descriptor, not a name, for some metaclasses
        count += isinstance(module, str) and module.startswith(_CONNECTION_MODULES)
    return count


@pytest.mark.parametrize("ending", ["close frame", "end of stream", "protocol error"])
def test_closed_connections_are_freed_without_the_cyclic_collector(
    http_impl: str, ws_impl: str, ending: str
) -> None:
    """Nothing a WebSocket connection allocated may wait for the cyclic garbage collector
    once the connection is gone, however it ends: a long-lived connection's objects would
    stay until a full collection (with permessage-deflate, tens of kilobytes each)."""

    def session() -> None:
        with open_raw(server) as conn:
            conn.sendall(frame(0x2, b"hello"))
            assert read_frame(conn) == (0x2, b"hello")
            if ending == "close frame":
                conn.sendall(frame(0x8, struct.pack("!H", 1000)))
                assert read_close_code(conn) == 1000
                read_until_closed(conn)
            elif ending == "protocol error":
                conn.sendall(frame(0xF, b""))  # a reserved opcode
                assert read_close_code(conn) == 1002
                read_until_closed(conn)

    def finished() -> bool:
        return not server.state.connections and not server.state.tasks

    with ws_server(echo, http_impl, ws_impl) as server:
        for _ in range(3):
            session()  # fills the caches a first connection fills
        assert wait_for(finished)
        with cyclic_collector_off():
            before = _connection_objects()
            for _ in range(20):
                session()
            assert wait_for(finished)
            left = _connection_objects() - before
    assert left < 20, f"{left} objects wait for the cyclic collector after 20 connections"
