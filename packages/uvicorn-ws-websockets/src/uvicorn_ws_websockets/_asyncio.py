"""``websockets``: frames go through websockets' asyncio ``Connection``, kept for compatibility.

After the shared handshake, websockets' asyncio connection parses the frames and runs
its own keep-alive task, which fails a peer that stops answering pings
(``--ws-ping-interval``/``--ws-ping-timeout``). Its frames are handed back to the core,
which runs the ASGI side and writes messages (coalesced per loop pass) as for every
plugin. The library writes through the core too: its transport is a stand-in that queues
its bytes with the core's and waits on the core's flow control.
"""

from __future__ import annotations

import asyncio
from typing import ClassVar

from websockets.asyncio.connection import Connection
from websockets.frames import Frame, Opcode
from websockets.protocol import Event

from uvicorn.protocols.websockets.adapter import WebSocketEvents, WebSocketOptions
from uvicorn.protocols.websockets.connection import CLOSE_TIMEOUT, WebSocketConnection
from uvicorn_ws_websockets._base import WebSocketsAdapter
from uvicorn_ws_websockets._buffer import ChunkBuffer


class _CoreTransport(asyncio.Transport):
    """The transport websockets' connection is given: the core's output, not the socket.

    Its bytes are queued in order with the core's. Reading, closing and buffer limits
    are the core's; what websockets would do to them on its own is left undone.
    """

    __slots__ = ("owner",)

    def __init__(self, owner: AsyncioAdapter) -> None:
        super().__init__()
        self.owner = owner

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.owner.events.write(bytes(data) if type(data) is not bytes else data)

    def can_write_eof(self) -> bool:
        return True  # so that websockets ends its output with write_eof, never close

    def write_eof(self) -> None:
        self.owner.output_ended()

    def is_closing(self) -> bool:
        return False  # the core stops writing once the connection is lost

    def close(self) -> None:
        pass  # the core closes once the adapter reports the close

    def abort(self) -> None:
        pass  # the core's close timeout bounds the close

    def pause_reading(self) -> None:
        pass  # never called: the core's receive queue applies --ws-max-queue

    def resume_reading(self) -> None:
        pass

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        pass  # the server's limits stay


class _FrameForwarder(Connection):
    """websockets' asyncio connection, passing received frames to the adapter."""

    def __init__(self, owner: AsyncioAdapter, **options: float | int | None) -> None:
        super().__init__(owner.protocol, **options)  # type: ignore[arg-type]  # its keywords
        self.owner = owner

    def process_event(self, event: Event) -> None:
        assert isinstance(event, Frame)
        self.owner.frame_received(event)
        if event.opcode is Opcode.PONG:
            super().process_event(event)  # the keep-alive task waits for its pong

    async def drain(self) -> None:
        await self.owner.events.drain()


class AsyncioAdapter(WebSocketsAdapter):
    """websockets' asyncio ``Connection`` over the core's output, with its keep-alive."""

    __slots__ = ("connection", "ping_interval", "ping_timeout")

    library_keepalive: ClassVar[bool] = True

    def __init__(self, events: WebSocketEvents, options: WebSocketOptions) -> None:
        super().__init__(events, options)
        self.ping_interval = options.ping_interval
        self.ping_timeout = options.ping_timeout
        self.connection: _FrameForwarder | None = None

    def feed_data(self, data: bytes) -> None:
        if self.connection is None:
            self.feed_handshake(data)
        else:  # open, on a transport that reads into no buffer of the core's
            self.feed_view(memoryview(data))

    def feed_view(self, view: memoryview) -> None:
        try:
            self.choose_buffer(view)
            self.connection.data_received(view)  # type: ignore[union-attr, arg-type]  # open: set; a view
            self.check_closed()
        finally:
            buffer: object = self.protocol.reader.buffer
            if type(buffer) is ChunkBuffer:
                buffer.detach()  # the next read refills the memory its chunks borrow

    def handshake_complete(self) -> None:
        timeout = self.ping_timeout
        connection = self.connection = _FrameForwarder(
            self,
            ping_interval=self.ping_interval or None,
            ping_timeout=timeout or None,
            close_timeout=min(CLOSE_TIMEOUT, timeout) if timeout else CLOSE_TIMEOUT,
            max_queue=None,  # the core's receive queue applies --ws-max-queue
        )
        connection.connection_made(_CoreTransport(self))
        connection.start_keepalive()

    def output_ended(self) -> None:
        """websockets ended its output: after a close, invalid input, or a keep-alive failure.

        The first two are reported once the read that caused them is parsed; websockets
        fails a connection of its own accord only when its keep-alive gets no pong.
        """
        protocol = self.protocol
        if protocol.close_rcvd is None and protocol.parser_exc is None and not self.close_reported:
            self.close_reported = True
            self.events.keepalive_timed_out()

    def connection_lost(self, exc: Exception | None) -> None:
        connection = self.connection
        if connection is not None:
            connection.connection_lost(exc)  # its last use of the parser
            self.connection = None  # it holds this adapter: a reference cycle
        super().connection_lost(exc)


class WebSocketProtocol(WebSocketConnection):
    """A WebSocket connection on websockets' asyncio ``Connection``."""

    adapter_class = AsyncioAdapter
