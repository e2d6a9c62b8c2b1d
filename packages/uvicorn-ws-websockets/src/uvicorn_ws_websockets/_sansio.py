"""``websockets-sansio``: frames parsed and written by websockets' sans-I/O protocol.

Keep-alive pings, flow control and everything ASGI are the core's; per message this
module only feeds bytes to ``ServerProtocol`` and turns its frames into messages.
"""

from __future__ import annotations

from uvicorn.protocols.websockets.adapter import WebSocketEvents, WebSocketOptions
from uvicorn.protocols.websockets.connection import WebSocketConnection
from uvicorn_ws_websockets._base import WebSocketsAdapter


class SansIOAdapter(WebSocketsAdapter):
    """websockets' ``ServerProtocol`` with no task of its own."""

    __slots__ = ("handshaking",)

    def __init__(self, events: WebSocketEvents, options: WebSocketOptions) -> None:
        super().__init__(events, options)
        self.handshaking = True

    def feed_data(self, data: bytes) -> None:
        if self.handshaking:
            self.feed_handshake(data)
        else:
            self.feed_frames(data)

    def feed_frames(self, data: bytes) -> None:
        self.choose_buffer(data)
        protocol = self.protocol
        protocol.receive_data(data)
        frame_received = self.frame_received
        for event in protocol.events_received():
            frame_received(event)  # type: ignore[arg-type]  # only frames once open
        self.write_output()  # pongs and close replies
        self.check_closed()

    def handshake_complete(self) -> None:
        self.handshaking = False


class WebSocketsSansIOProtocol(WebSocketConnection):
    """A WebSocket connection on websockets' ``ServerProtocol``, with no task of its own."""

    adapter_class = SansIOAdapter
