"""Output queueing and write flow control, shared by HTTP and WebSocket connections."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Final, Protocol

if TYPE_CHECKING:
    from uvicorn._state import ServerState


class BufferedWriter(Protocol):
    """A connection that queues its output during a loop pass (see flush_connections)."""

    def flush_output(self) -> None: ...


def flush_connections(queue: list[BufferedWriter]) -> None:
    """Write what each queued connection buffered during this pass of the event loop.

    Scheduled with ``loop.call_soon`` by the first connection that queues output: the
    messages and responses of one pass leave in one write per connection.
    """
    connections = queue[:]
    queue.clear()
    for connection in connections:
        connection.flush_output()


# A request body buffered beyond this many bytes pauses reading (uvicorn's limit).
HIGH_WATER_LIMIT: Final = 65536
# Queued output above this many bytes is written at once, so that memory stays bounded
# and the transport's flow control sees the data. Output below it waits for the end of
# the loop pass: a response streamed in 64 KiB chunks leaves four chunks per write, in
# fewer system calls and fewer TCP segments (each write ends with a short segment).
OUTPUT_FLUSH_SIZE: Final = 262144


class WriteFlowControl:
    """Output queueing and write flow control shared by HTTP and WebSocket connections.

    ``write()`` queues bytes; they leave in one write per connection at the end of the
    loop pass (``flush_connections``), or at the end of ``data_received`` while
    ``receiving`` is set, whose caller then calls ``flush_output()`` itself.

    The transport calls ``pause_writing``/``resume_writing``; a sender that finds
    ``write_paused`` set awaits ``drain()`` until the transport's buffer has room (or the
    connection closes: ``connection_lost`` must call ``release_drain_waiters``).
    """

    # Slots, set by the subclass's __init__: slot access is the fastest attribute access.
    __slots__ = (
        "closing",
        "drain_waiters",
        "pending_output",
        "pending_size",
        "receiving",
        "write_paused",
    )

    write_paused: bool
    receiving: bool  # inside data_received: its end writes what was queued
    closing: bool  # close the transport once the queued bytes are written
    pending_size: int
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    server_state: ServerState  # its flush_queue collects connections with output
    pending_output: list[bytes]
    drain_waiters: list[asyncio.Future[None]]

    def write(self, data: bytes, *more: bytes) -> None:
        """Queue ``data`` (then each of ``more``) for the socket; empty data writes nothing.

        Pieces are queued as they are, never joined: a large body leaves without a copy.
        """
        if not data:
            return
        pending = self.pending_output
        first = not pending
        pending.append(data)
        size = self.pending_size + len(data)
        if more:
            pending += more
            size += sum(map(len, more))
        if size > OUTPUT_FLUSH_SIZE:
            self.flush_output()  # resets pending_size
            return
        self.pending_size = size
        if first and not self.receiving:  # data_received flushes at its end
            queue = self.server_state.flush_queue
            if not queue:
                self.loop.call_soon(flush_connections, queue)
            queue.append(self)

    def flush_output(self) -> None:
        pending = self.pending_output
        transport = self.transport
        if pending:
            self.pending_output = []
            self.pending_size = 0
            if transport.is_closing():
                return
            transport.writelines(pending)  # one write (writev on uvloop) for all pieces
        if self.closing and not transport.is_closing():
            transport.close()

    def is_closing(self) -> bool:
        raise NotImplementedError

    def pause_writing(self) -> None:
        self.write_paused = True

    def resume_writing(self) -> None:
        self.write_paused = False
        self.release_drain_waiters()

    async def drain(self) -> None:
        if self.write_paused and not self.is_closing():
            waiter = self.loop.create_future()
            self.drain_waiters.append(waiter)
            await waiter

    def release_drain_waiters(self) -> None:
        waiters, self.drain_waiters = self.drain_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)


class ClientDisconnected(OSError):
    """Raised by ``send`` when the client went away and the message cannot be delivered."""
