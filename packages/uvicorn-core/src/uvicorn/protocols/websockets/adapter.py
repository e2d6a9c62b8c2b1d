"""The boundary between a WebSocket plugin's library adapter and the core's connection.

A plugin writes one small class that satisfies :class:`WebSocketAdapter` and names it in
its connection class::

    class WSProtocol(WebSocketConnection):
        adapter_class = WSProtoAdapter

The core constructs it as ``adapter_class(events, options)`` for each connection. The
adapter reports what its library found only through the :class:`WebSocketEvents` it was
given, and writes only through ``events.write``: that protocol is the whole of its view
of the connection. The core calls the adapter's methods directly (no call in between).

What an adapter can do beyond the required methods it declares as class variables, and
the core reads the declaration, never the methods: ``library_keepalive`` (the library
pings by itself) and ``reads_into_buffer`` (once the connection is open, the core reads
into one buffer per thread and hands the adapter views of it, see
:class:`BufferReadingAdapter`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Protocol


@dataclass(frozen=True, slots=True)
class WebSocketOptions:
    """What the server's configuration says to a WebSocket library."""

    max_size: int  # --ws-max-size: a larger message is refused with close code 1009
    per_message_deflate: bool  # --ws-per-message-deflate: offer the extension
    # --ws-ping-interval/--ws-ping-timeout, for a library that pings by itself
    # (``library_keepalive``); otherwise the core sends the pings. None: no pings.
    ping_interval: float | None = None
    ping_timeout: float | None = None


class WebSocketEvents(Protocol):
    """What an adapter may call on the connection that owns it."""

    def request_received(self, target: bytes, headers: list[tuple[bytes, bytes]]) -> None:
        """The library parsed a valid opening handshake: the app starts."""

    def reject_handshake(
        self, status: int, message: str, headers: tuple[tuple[bytes, bytes], ...] = ()
    ) -> None:
        """The library refused the handshake: the core answers ``status`` and closes."""

    def message_received(self, data: str | bytes) -> None:
        """A complete text (``str``) or binary (``bytes``) message."""

    def pong_received(self) -> None:
        """A pong arrived."""

    def close_received(self, code: int, reason: str) -> None:
        """The peer closed; the library's close reply is already written."""

    def protocol_failed(self, code: int, reason: str) -> None:
        """Invalid input; the library's close frame is already written."""

    def write(self, data: bytes, *more: bytes) -> None:
        """Bytes for the socket, queued until the end of the loop pass."""

    def write_message_frame(self, data: str | bytes) -> None:
        """Write a message as one plain frame, payload not copied (no extension in use)."""

    async def drain(self) -> None:
        """Wait while the transport's buffer is full (for what a library's own task sends)."""

    def keepalive_timed_out(self) -> None:
        """The library's own keep-alive got no pong in time (``library_keepalive``).

        The core then does what it does when its own pings go unanswered: close code 1011
        with reason "keepalive ping timeout" for the app, a close frame if the library has
        not written one, and a close of the transport bounded by the close timeout.
        """


class WebSocketAdapter(Protocol):
    """One connection's WebSocket library, as a plugin adapts it."""

    #: True when the library sends keep-alive pings itself (the core then does not).
    library_keepalive: ClassVar[bool]
    #: True when the adapter is a :class:`BufferReadingAdapter`: once the connection is
    #: open, its reads arrive through ``feed_view`` instead of ``feed_data``.
    reads_into_buffer: ClassVar[bool]

    def __init__(self, events: WebSocketEvents, options: WebSocketOptions) -> None:
        """Create the library's connection object."""

    def feed_data(self, data: bytes) -> None:
        """Parse bytes from the socket (the handshake first), reporting to the events."""

    def accept_handshake(self, subprotocol: str | None, headers: list[tuple[bytes, bytes]]) -> None:
        """Write the 101 response, with ``headers`` added.

        The connection is open when this is called: frames the client sent before the
        app accepted may be parsed and reported right after the 101 is written.
        """

    def send_message(self, data: str | bytes) -> None:
        """Write a text or binary message."""

    def send_close(self, code: int, reason: str) -> None:
        """Write a close frame."""

    def send_ping(self, payload: bytes) -> None:
        """Write a ping."""

    def connection_lost(self, exc: Exception | None) -> None:
        """The transport is gone: end the library's parser, keep nothing of the events."""


class BufferReadingAdapter(WebSocketAdapter, Protocol):
    """An adapter that parses reads from the core's buffer: ``reads_into_buffer = True``.

    Once the app has accepted, the core has the transport read into one buffer per thread
    (an ``asyncio.BufferedProtocol``, so uvloop makes no bytes object per read) and hands
    the adapter each read as a view of that buffer. Before that, and on transports that
    do not take the swap, reads arrive through ``feed_data`` as always.
    """

    def feed_view(self, view: memoryview) -> None:
        """Parse one read, as ``feed_data`` would.

        ``view`` borrows the core's buffer, which the next read of any connection of this
        thread overwrites: copy whatever must outlive this call, never keep the view.
        """
