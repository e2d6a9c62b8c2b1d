"""Reads into one buffer per thread, for connections that receive large chunks.

A transport hands an ``asyncio.Protocol`` each read as a new ``bytes`` object: for a
64 KiB upload that is a 64 KiB allocation and copy before parsing even starts, and the
parser then copies the body out once more. A transport whose protocol is an
``asyncio.BufferedProtocol`` reads into memory the protocol provides instead. A
connection stays an ``asyncio.Protocol`` (plugins and users rely on that), so
:class:`BufferedReads` stands in for it on the transport and hands it a
``memoryview`` of the shared buffer, which the connection must parse before it
returns, keeping nothing of it: the next read, for any connection of the thread,
overwrites that memory.

Switching costs two Python calls per read instead of one, more than it saves on small
reads, so a connection switches only once it received a large chunk.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Final, Protocol

# What one read may fill; also the largest chunk a connection is handed at once.
READ_BUFFER_SIZE: Final = 262144
# A connection that receives a chunk of at least this size switches to buffered reads.
LARGE_READ: Final = 32768

_buffers = threading.local()


class ViewReceiver(Protocol):
    """The connection a :class:`BufferedReads` stands in for."""

    def data_received(self, data: bytes) -> None:
        """Parse ``data``, a view of the shared buffer; keep nothing of it."""

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
    """What the transport talks to once a connection reads into the shared buffer."""

    __slots__ = ("receiver", "view")

    def __init__(self, receiver: ViewReceiver) -> None:
        self.receiver = receiver
        self.view = thread_read_buffer()

    def get_buffer(self, sizehint: int) -> memoryview:
        return self.view

    def buffer_updated(self, nbytes: int) -> None:
        self.receiver.data_received(self.view[:nbytes])  # type: ignore[arg-type]  # a view, parsed and not kept

    def eof_received(self) -> bool | None:
        return self.receiver.eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        self.receiver.connection_lost(exc)

    def pause_writing(self) -> None:
        self.receiver.pause_writing()

    def resume_writing(self) -> None:
        self.receiver.resume_writing()


def switch_to_buffered_reads(receiver: ViewReceiver, transport: asyncio.BaseTransport) -> None:
    """Make ``transport`` read into the shared buffer and hand ``receiver`` views of it."""
    transport.set_protocol(BufferedReads(receiver))
