"""``websockets``: frames go through websockets' asyncio ``Connection``, kept for compatibility.

After the shared handshake, websockets' asyncio connection takes the transport's events
and applies its write buffer limits; it runs its own keep-alive task, which fails a peer
that stops answering pings (``--ws-ping-interval``/``--ws-ping-timeout``). Its frames are
handed back to the core, which runs the ASGI side and writes messages (coalesced per
loop pass) as for every plugin.
"""

from __future__ import annotations

from websockets.asyncio.connection import Connection
from websockets.frames import Frame, Opcode
from websockets.protocol import Event

from uvicorn.protocols.websockets.connection import CLOSE_TIMEOUT
from uvicorn_ws_websockets._base import WebSocketsConnection


class _FrameForwarder(Connection):
    """websockets' asyncio connection, passing received frames to the uvicorn connection."""

    def __init__(self, owner: WebSocketProtocol, **options: float | int | None) -> None:
        super().__init__(owner.protocol, **options)  # type: ignore[arg-type]  # its keywords
        self.owner = owner

    def process_event(self, event: Event) -> None:
        assert isinstance(event, Frame)
        self.owner.frame_received(event)
        if event.opcode is Opcode.PONG:
            super().process_event(event)  # the keep-alive task waits for its pong


class WebSocketProtocol(WebSocketsConnection):
    """A WebSocket connection on websockets' asyncio ``Connection``."""

    library_keepalive = True
    connection: _FrameForwarder | None = None

    def feed_data(self, data: bytes) -> None:
        connection = self.connection
        if connection is None:
            self.feed_handshake(data)
            return
        if self.pending_output:
            self.flush_output()  # the library writes its replies (close, pong) directly
        self.choose_buffer(data)
        connection.data_received(data)
        self.check_closed()

    def handshake_complete(self) -> None:
        timeout = self.ping_timeout
        connection = self.connection = _FrameForwarder(
            self,
            ping_interval=self.ping_interval or None,
            ping_timeout=timeout or None,
            close_timeout=min(CLOSE_TIMEOUT, timeout) if timeout else CLOSE_TIMEOUT,
            max_queue=None,  # the core's receive queue applies --ws-max-queue
        )
        connection.connection_made(self.transport)
        connection.start_keepalive()

    def pause_writing(self) -> None:
        super().pause_writing()
        if self.connection is not None and not self.connection.paused:
            self.connection.pause_writing()

    def resume_writing(self) -> None:
        super().resume_writing()
        if self.connection is not None and self.connection.paused:
            self.connection.resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        protocol = self.protocol
        sent = protocol.close_sent
        if sent is not None and protocol.close_rcvd is None and not self.close_reported:
            # websockets closed on its own (its keep-alive timed out): the app sees why.
            self.close_code, self.close_reason = sent.code, sent.reason
        super().connection_lost(exc)

    def adapter_connection_lost(self, exc: Exception | None) -> None:
        connection = self.connection
        if connection is not None:
            connection.connection_lost(exc)  # its last use of the parser
            self.connection = None  # it holds this connection: a reference cycle
        super().adapter_connection_lost(exc)
