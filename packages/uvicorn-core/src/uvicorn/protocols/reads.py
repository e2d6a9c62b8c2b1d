"""Reads into one buffer per thread, for connections that ask for it.

A transport hands an ``asyncio.Protocol`` each read as a new ``bytes`` object: for a
64 KiB upload or WebSocket message that is an allocation and a copy before parsing even
starts. A transport whose protocol is an ``asyncio.BufferedProtocol`` (and, for uvloop,
not an ``asyncio.Protocol``) reads into memory the protocol provides instead. Connections
stay ``asyncio.Protocol`` classes (plugins and users rely on that), so
:class:`BufferedReads` stands in for one at the transport and hands each read on as a
``memoryview`` of the thread's buffer. Whoever receives it must parse it before
returning and keep nothing of it: the next read, for any connection of the thread,
overwrites that memory. A connection parses what it read before the loop reads for
another, so one buffer per thread serves them all.

HTTP connections switch once a large chunk arrives (two calls per read cost more than the
copy saves on small ones); a WebSocket connection whose adapter declares
``reads_into_buffer`` switches when the app accepts.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Final, Protocol, cast

# What one read may fill; also the largest chunk handed on at once.
READ_BUFFER_SIZE: Final = 262144
# An HTTP connection that receives a chunk of at least this size switches.
LARGE_READ: Final = 32768

_buffers = threading.local()


class ReadingConnection(Protocol):
    """The connection a :class:`BufferedReads` stands in for."""

    def eof_received(self) -> bool | None: ...

    def connection_lost(self, exc: Exception | None) -> None: ...

    def pause_writing(self) -> None: ...

    def resume_writing(self) -> None: ...


def thread_read_buffer() -> memoryview:
    """The read buffer shared by every connection of the calling thread."""
    view: memoryview | None = getattr(_buffers, "view", None)
    if view is None:
        view = _buffers.view = memoryview(bytearray(READ_BUFFER_SIZE))
    return view


class BufferedReads(asyncio.BufferedProtocol):
    """What the transport talks to once a connection reads into the thread's buffer."""

    __slots__ = ("connection", "receive", "view")

    def __init__(
        self, connection: ReadingConnection, receive: Callable[[memoryview], None]
    ) -> None:
        self.connection = connection
        self.receive = receive  # called with each read, nothing in between
        self.view = thread_read_buffer()

    def get_buffer(self, sizehint: int) -> memoryview:
        return self.view

    def buffer_updated(self, nbytes: int) -> None:
        self.receive(self.view[:nbytes])

    def eof_received(self) -> bool | None:
        return self.connection.eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        self.connection.connection_lost(exc)

    def pause_writing(self) -> None:
        self.connection.pause_writing()

    def resume_writing(self) -> None:
        self.connection.resume_writing()


def read_into_buffer(
    connection: ReadingConnection,
    transport: asyncio.BaseTransport,
    receive: Callable[[memoryview], None],
) -> None:
    """Have ``transport`` read into the thread's buffer and hand ``receive`` the views.

    Only where ``connection`` is the transport's protocol: a transport another protocol
    wraps keeps delivering bytes through ``data_received``.
    """
    if cast(object, transport.get_protocol()) is connection:
        transport.set_protocol(BufferedReads(connection, receive))
