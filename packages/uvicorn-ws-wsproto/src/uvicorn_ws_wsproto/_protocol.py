"""WebSocket adapter on wsproto: bytes in, events out; events in, bytes out.

Everything else (the ASGI cycle, keep-alive pings, flow control, shutdown) is the core's
:class:`~uvicorn.protocols.websockets.connection.WebSocketConnection`, which this adapter
sees only through the ``WebSocketEvents`` protocol.
"""

from __future__ import annotations

from typing import ClassVar

from wsproto import ConnectionType, WSConnection
from wsproto.connection import ConnectionState
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Message,
    Ping,
    Pong,
    Request,
    TextMessage,
)
from wsproto.extensions import Extension, PerMessageDeflate
from wsproto.utilities import LocalProtocolError, RemoteProtocolError

from uvicorn.protocols.websockets.adapter import WebSocketEvents, WebSocketOptions
from uvicorn.protocols.websockets.connection import WebSocketConnection

_MESSAGE_TOO_BIG = 1009
_PROTOCOL_ERROR = 1002
_CLOSE_SENT = frozenset((ConnectionState.LOCAL_CLOSING, ConnectionState.CLOSED))


class WSProtoAdapter:
    """wsproto's connection, adapted: bytes in, events out; events in, bytes out."""

    __slots__ = (
        "conn",
        "events",
        "fragments",
        "fragments_size",
        "head",
        "held",
        "max_size",
        "per_message_deflate",
        "plain_frames",
    )

    library_keepalive: ClassVar[bool] = False
    reads_into_buffer: ClassVar[bool] = False

    def __init__(self, events: WebSocketEvents, options: WebSocketOptions) -> None:
        self.events = events
        self.max_size = options.max_size
        self.per_message_deflate = options.per_message_deflate
        self.conn = WSConnection(connection_type=ConnectionType.SERVER)
        self.fragments: list[str] | list[bytes] = []
        self.fragments_size = 0
        # No extension can be negotiated when the client offers none or we accept none:
        # messages are then plain frames, written by the core without a copy.
        self.plain_frames = False
        # wsproto keeps what follows the handshake request inside its HTTP parser, where
        # the accepted connection never reads it: the head alone goes to wsproto, and
        # the bytes after it wait here until the app accepts.
        self.head: bytes | None = b""  # the request head so far; None once it went in
        self.held: bytes | None = None  # received after the head, until the accept

    def feed_data(self, data: bytes) -> None:
        if self.head is not None:
            head = self.head + data
            end = head.find(b"\r\n\r\n")
            if end < 0:
                self.head = head
                return
            self.head = None
            self.held = head[end + 4 :]
            data = head[: end + 4]
        elif self.held is not None:
            self.held += data
            return
        conn = self.conn
        try:
            conn.receive_data(data)
        except RemoteProtocolError as exc:
            self.events.reject_handshake(400, str(exc))
            return
        except LocalProtocolError:
            return  # data after the connection closed: nothing to read any more
        for event in conn.events():
            if conn.state in _CLOSE_SENT and not isinstance(event, CloseConnection):
                continue  # once our close frame is out, only the peer's close matters
            if isinstance(event, Message):
                self._message_part_received(event)
            elif isinstance(event, Ping):
                self.events.write(conn.send(event.response()))
            elif isinstance(event, Pong):
                self.events.pong_received()
            elif isinstance(event, CloseConnection):
                self._close_frame_received(event)
                return
            elif isinstance(event, Request):
                self.plain_frames = not (self.per_message_deflate and event.extensions)
                headers = [(b"host", event.host.encode("latin-1")), *event.extra_headers]
                self.events.request_received(event.target.encode("latin-1"), headers)

    def _message_part_received(self, event: Message[str] | Message[bytes | bytearray]) -> None:
        data = event.data
        size = len(data) if not isinstance(data, str) or data.isascii() else len(data.encode())
        if event.message_finished and not self.fragments:
            if size > self.max_size:  # --ws-max-size counts bytes, also of text
                self._fail(_MESSAGE_TOO_BIG, "message too big")
                return
            self.events.message_received(data if isinstance(data, str) else bytes(data))
            return
        self.fragments.append(data)  # type: ignore[arg-type]  # one type per message
        self.fragments_size += size
        if self.fragments_size > self.max_size:
            self._fail(_MESSAGE_TOO_BIG, "message too big")
        elif event.message_finished:
            parts, self.fragments, self.fragments_size = self.fragments, [], 0
            if isinstance(event, BytesMessage):
                self.events.message_received(b"".join(parts))  # type: ignore[arg-type]  # bytes parts
            else:
                self.events.message_received("".join(parts))  # type: ignore[arg-type]  # str parts

    def _close_frame_received(self, event: CloseConnection) -> None:
        conn = self.conn
        if conn.state is ConnectionState.OPEN:
            # wsproto reports invalid input as a close event, without changing state.
            self._fail(event.code or _PROTOCOL_ERROR, event.reason or "")
            return
        if conn.state is ConnectionState.REMOTE_CLOSING:
            self.events.write(conn.send(event.response()))
        self.events.close_received(event.code, event.reason or "")

    def _fail(self, code: int, reason: str) -> None:
        if self.conn.state is ConnectionState.OPEN:
            self.events.write(self.conn.send(CloseConnection(code=code, reason=reason)))
        self.events.protocol_failed(code, reason)

    def accept_handshake(self, subprotocol: str | None, headers: list[tuple[bytes, bytes]]) -> None:
        extensions: list[Extension] = [PerMessageDeflate()] if self.per_message_deflate else []
        self.events.write(
            self.conn.send(
                AcceptConnection(
                    subprotocol=subprotocol, extensions=extensions, extra_headers=headers
                )
            )
        )
        held, self.held = self.held, None
        if held:
            self.feed_data(held)  # frames the client sent before the accept

    def send_message(self, data: str | bytes) -> None:
        if self.conn.state is ConnectionState.OPEN:
            if self.plain_frames:
                self.events.write_message_frame(data)  # the frame wsproto would build, not copied
            elif isinstance(data, str):
                self.events.write(self.conn.send(TextMessage(data=data)))
            else:
                self.events.write(self.conn.send(BytesMessage(data=data)))

    def send_close(self, code: int, reason: str) -> None:
        if self.conn.state in (ConnectionState.OPEN, ConnectionState.REMOTE_CLOSING):
            self.events.write(self.conn.send(CloseConnection(code=code, reason=reason or None)))

    def send_ping(self, payload: bytes) -> None:
        if self.conn.state is ConnectionState.OPEN:
            self.events.write(self.conn.send(Ping(payload=payload)))

    def connection_lost(self, exc: Exception | None) -> None:
        # wsproto's frame parser is a generator whose frame holds its frame protocol: a
        # reference cycle that keeps that protocol and its compression state (some 270 KB
        # with permessage-deflate) until the cyclic collector runs, which for a
        # long-lived connection can be much later. wsproto has no public way to end it;
        # the conformance tests fail if a release moves it.
        frames = getattr(self.conn.connection, "_proto", None)
        parser = getattr(frames, "_parse_more", None)
        if parser is not None:
            parser.close()


class WSProtocol(WebSocketConnection):
    """A WebSocket connection whose frames are read and written by wsproto."""

    adapter_class = WSProtoAdapter
