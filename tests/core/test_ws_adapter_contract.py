"""The core's side of the WebSocket plugin contracts, each shown by a small plugin on wsproto.

Not conformance tests: they are about what the core offers a plugin (the first contract,
where the plugin class is the adapter, and the ``reads_into_buffer`` capability), not
about a plugin; wsproto is only the library these small plugins adapt.
"""

from __future__ import annotations

import struct
from typing import ClassVar

import pytest
from wsproto import ConnectionType, WSConnection
from wsproto.connection import ConnectionState
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Message,
    Ping,
    Request,
    TextMessage,
)

from tests.utils import read_until_closed, run_server, wait_for
from uvicorn.protocols.websockets.connection import WebSocketConnection
from uvicorn.testing.conformance.ws.apps import echo
from uvicorn.testing.websocket import frame, open_raw, read_close_code, read_frame
from uvicorn_ws_wsproto._protocol import WSProtoAdapter

pytestmark = pytest.mark.timeout(30)


class LegacyWSProto(WebSocketConnection):
    """The first contract: the connection is the adapter and reports on itself."""

    def init_adapter(self) -> None:
        self.conn = WSConnection(ConnectionType.SERVER)

    def feed_data(self, data: bytes) -> None:
        conn = self.conn
        conn.receive_data(data)
        for event in conn.events():
            if isinstance(event, Request):
                headers = [(b"host", event.host.encode()), *event.extra_headers]
                self.request_received(event.target.encode(), headers)
            elif isinstance(event, Message):  # this test's messages come whole
                self.message_received(event.data)
            elif isinstance(event, Ping):
                self.write(conn.send(event.response()))
            elif isinstance(event, CloseConnection):
                self.write(conn.send(event.response()))
                self.close_received(event.code, event.reason or "")

    def accept_handshake(self, subprotocol: str | None, headers: list[tuple[bytes, bytes]]) -> None:
        self.write(self.conn.send(AcceptConnection(subprotocol=subprotocol, extra_headers=headers)))

    def send_message(self, data: str | bytes) -> None:
        message = TextMessage(data=data) if isinstance(data, str) else BytesMessage(data=data)
        self.write(self.conn.send(message))

    def send_close(self, code: int, reason: str) -> None:
        if self.conn.state is ConnectionState.OPEN:
            self.write(self.conn.send(CloseConnection(code=code, reason=reason or None)))

    def send_ping(self, payload: bytes) -> None:
        self.write(self.conn.send(Ping(payload=payload)))


def test_first_contract_plugin_echoes_and_closes() -> None:
    with run_server(echo, ws=LegacyWSProto) as server, open_raw(server) as conn:
        conn.sendall(frame(0x1, b"hello") + frame(0x2, b"\x00\x01"))
        assert read_frame(conn) == (0x1, b"hello")
        assert read_frame(conn) == (0x2, b"\x00\x01")
        conn.sendall(frame(0x8, struct.pack("!H", 1000)))
        assert read_close_code(conn) == 1000
        read_until_closed(conn)
        assert wait_for(lambda: not server.state.connections)


# How each read reached the adapter below, in order, for the test that serves it.
reads: list[str] = []


class ViewReadingAdapter(WSProtoAdapter):
    """wsproto's adapter, declaring that it parses reads from the core's buffer."""

    reads_into_buffer: ClassVar[bool] = True

    def feed_data(self, data: bytes) -> None:
        reads.append("bytes")
        super().feed_data(data)

    def feed_view(self, view: memoryview) -> None:
        reads.append(type(view).__name__)
        super().feed_data(bytes(view))  # copied: the view is the core's until the next read


class ViewReadingProtocol(WebSocketConnection):
    adapter_class = ViewReadingAdapter


def test_adapter_reading_into_buffer_gets_views_once_open(loop_impl: str) -> None:
    reads.clear()
    with run_server(echo, ws=ViewReadingProtocol, loop=loop_impl) as server:
        with open_raw(server) as conn:
            for payload in (b"one", b"two" * 30000):
                conn.sendall(frame(0x2, payload))
                assert read_frame(conn) == (0x2, payload)
            conn.sendall(frame(0x8, struct.pack("!H", 1000)))
            assert read_close_code(conn) == 1000
            read_until_closed(conn)
        assert wait_for(lambda: not server.state.connections)
    assert reads[0] == "bytes"  # the handshake, before the app accepted
    assert set(reads[1:]) == {"memoryview"}
