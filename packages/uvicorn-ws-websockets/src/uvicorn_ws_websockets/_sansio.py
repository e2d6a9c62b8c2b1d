"""``websockets-sansio``: frames parsed and written by websockets' sans-I/O protocol.

Keep-alive pings, flow control and everything ASGI are the core's; per message this
module only feeds bytes to ``ServerProtocol`` and turns its frames into messages.
"""

from __future__ import annotations

from uvicorn.protocols.websockets.adapter import WebSocketEvents, WebSocketOptions
from uvicorn.protocols.websockets.connection import WebSocketConnection
from uvicorn_ws_websockets._base import WebSocketsAdapter
from uvicorn_ws_websockets._buffer import ChunkBuffer


class SansIOAdapter(WebSocketsAdapter):
    """websockets' ``ServerProtocol`` with no task of its own."""

    __slots__ = ("handshaking",)

    def __init__(self, events: WebSocketEvents, options: WebSocketOptions) -> None:
        super().__init__(events, options)
        self.handshaking = True

    def feed_data(self, data: bytes) -> None:
        if self.handshaking:
            self.feed_handshake(data)
        else:  # open, on a transport that reads into no buffer of the core's
            self.feed_view(memoryview(data))

    def feed_view(self, view: memoryview) -> None:
        protocol = self.protocol
        try:
            self.choose_buffer(view)
            protocol.receive_data(view)  # type: ignore[arg-type]  # a view: parsed, not kept
            frame_received = self.frame_received
            for event in protocol.events_received():
                frame_received(event)  # type: ignore[arg-type]  # only frames once open
            self.write_output()  # pongs and close replies
            self.check_closed()
        finally:
            buffer: object = protocol.reader.buffer
            if type(buffer) is ChunkBuffer:
                buffer.detach()  # the next read refills the memory its chunks borrow

    def handshake_complete(self) -> None:
        self.handshaking = False


class WebSocketsSansIOProtocol(WebSocketConnection):
    """A WebSocket connection on websockets' ``ServerProtocol``, with no task of its own."""

    adapter_class = SansIOAdapter
