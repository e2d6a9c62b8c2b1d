"""Reads into one buffer per thread, for open connections whose adapter asks for it.

uvloop reads into a protocol's own buffer only when that protocol is an
``asyncio.BufferedProtocol`` and not an ``asyncio.Protocol``, which every connection is:
:class:`BufferedReads` stands in for the connection at the transport once the app has
accepted, and hands each read to the adapter's ``feed_view`` as a view of the buffer.
A connection parses what it read before the loop reads for another, so one buffer per
thread serves them all, and nothing is allocated per read.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from uvicorn.protocols.websockets.connection import WebSocketConnection

# What one read may take: large messages arrive in few reads.
_READ_SIZE: Final = 262144
_buffers = threading.local()


def thread_read_buffer() -> memoryview:
    """This thread's read buffer (each event loop runs in one thread)."""
    view: memoryview | None = getattr(_buffers, "view", None)
    if view is None:
        view = _buffers.view = memoryview(bytearray(_READ_SIZE))
    return view


class BufferedReads(asyncio.BufferedProtocol):
    """What the transport talks to once the connection is open: reads into a buffer."""

    __slots__ = ("connection", "feed_view", "view")

    def __init__(
        self, connection: WebSocketConnection, feed_view: Callable[[memoryview], None]
    ) -> None:
        self.connection = connection
        self.feed_view = feed_view  # the adapter's, called with nothing in between
        self.view = thread_read_buffer()

    def get_buffer(self, sizehint: int) -> memoryview:
        return self.view

    def buffer_updated(self, nbytes: int) -> None:
        self.feed_view(self.view[:nbytes])

    def eof_received(self) -> None:
        self.connection.eof_received()  # None: the transport closes itself

    def connection_lost(self, exc: Exception | None) -> None:
        self.connection.connection_lost(exc)

    def pause_writing(self) -> None:
        self.connection.pause_writing()

    def resume_writing(self) -> None:
        self.connection.resume_writing()


def read_into_buffer(
    connection: WebSocketConnection,
    transport: asyncio.BaseTransport,
    feed_view: Callable[[memoryview], None],
) -> None:
    """Have ``transport`` read into the thread's buffer for ``connection``'s ``feed_view``.

    Only where the connection is the transport's protocol: a transport that another
    protocol wraps keeps delivering bytes through ``data_received``.
    """
    if transport.get_protocol() is connection:
        transport.set_protocol(BufferedReads(connection, feed_view))
