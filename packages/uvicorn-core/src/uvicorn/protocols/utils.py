"""Helpers about transports and scopes shared by every protocol implementation."""

from __future__ import annotations

import asyncio
import urllib.parse
from typing import Protocol

from uvicorn._types import WWWScope


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


class WriteFlowControl:
    """Write flow control shared by HTTP and WebSocket connections.

    The transport calls ``pause_writing``/``resume_writing``; a sender that finds
    ``write_paused`` set awaits ``drain()`` until the transport's buffer has room (or the
    connection closes: ``connection_lost`` must call ``release_drain_waiters``).
    """

    write_paused = False
    loop: asyncio.AbstractEventLoop
    drain_waiters: list[asyncio.Future[None]]

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


def _address(transport: asyncio.BaseTransport, name: str, method: str) -> tuple[str, int] | None:
    # The transport's cached peername/sockname first: asking for the socket makes uvloop
    # build a new socket object on every call.
    info = transport.get_extra_info(name)
    if info is None:
        sock = transport.get_extra_info("socket")
        if sock is None:
            return None
        try:
            info = getattr(sock, method)()
        except OSError:
            return None
    if isinstance(info, list | tuple) and len(info) >= 2:
        return (str(info[0]), int(info[1]))
    return None


def get_remote_addr(transport: asyncio.BaseTransport) -> tuple[str, int] | None:
    return _address(transport, "peername", "getpeername")


def get_local_addr(transport: asyncio.BaseTransport) -> tuple[str, int] | None:
    return _address(transport, "sockname", "getsockname")


def is_ssl(transport: asyncio.BaseTransport) -> bool:
    return bool(transport.get_extra_info("sslcontext"))


def get_client_addr(scope: WWWScope) -> str:
    client = scope.get("client")
    if not client:
        return ""
    return f"{client[0]}:{client[1]}"


def get_path_with_query_string(scope: WWWScope) -> str:
    path_with_query_string = urllib.parse.quote(scope["path"])
    if scope["query_string"]:
        path_with_query_string = f"{path_with_query_string}?{scope['query_string'].decode('ascii')}"
    return path_with_query_string
