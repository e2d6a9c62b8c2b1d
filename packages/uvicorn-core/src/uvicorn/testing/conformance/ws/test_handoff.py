"""The upgrade hand-off, and the classes each WebSocket plugin exports."""

from __future__ import annotations

import signal
import socket

import pytest

from uvicorn.testing.conformance.ws.apps import echo
from uvicorn.testing.utils import (
    ServerProcess,
    cyclic_collector_off,
    live_instances,
    read_until_closed,
    run_server,
    wait_for,
)
from uvicorn.testing.websocket import (
    frame,
    handshake_request,
    open_raw,
    read_close_code,
    read_server_frame,
    ws_server,
)

pytestmark = pytest.mark.timeout(30)


def test_protocol_class_by_import_string_gets_the_replayed_head(http_impl: str) -> None:
    ws = "uvicorn.testing.conformance.ws.apps:ReplayedHeadProtocol"
    with run_server(echo, http=http_impl, ws=ws) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            conn.sendall(handshake_request("/replayed?x=1"))
            reply = read_until_closed(conn)
    assert reply == b"HTTP/1.1 101 Switching Protocols\r\n\r\nGET /replayed?x=1 HTTP/1.1"


def test_http_connection_is_freed_once_it_hands_off(http_impl: str, ws_impl: str) -> None:
    """The HTTP connection that parsed the handshake must not live on with the WebSocket,
    through its parser's callbacks or the request head it handed over. Checked with the
    cyclic collector off, while the WebSocket is still open."""
    from uvicorn.protocols.http.connection import HTTPConnection

    with ws_server(echo, http_impl, ws_impl) as server, cyclic_collector_off():
        with open_raw(server) as conn:
            conn.sendall(frame(0x1, b"hello"))
            assert read_server_frame(conn) == (True, 0x1, b"hello")
            assert wait_for(lambda: live_instances(HTTPConnection) == 0)


@pytest.mark.subprocess
def test_sigterm_closes_websockets_with_1012_and_exits_0(ws_impl: str) -> None:
    args = ["uvicorn.testing.conformance.ws.apps:echo", "--port", "0", "--ws", ws_impl]
    with ServerProcess(args) as server:
        port = server.wait_running()
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            conn.sendall(handshake_request())
            head = b""
            while b"\r\n\r\n" not in head:
                head += conn.recv(1)
            assert head.startswith(b"HTTP/1.1 101")
            server.signal(signal.SIGTERM)
            assert read_close_code(conn) == 1012
            conn.sendall(frame(0x8, b"\x03\xf4"))
            read_until_closed(conn)
        assert server.wait() == 0
    assert "Finished server process" in server.output
