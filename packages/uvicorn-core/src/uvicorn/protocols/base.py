"""What every connection of the core does alike, HTTP or WebSocket."""

from __future__ import annotations

import asyncio

from uvicorn.protocols.addresses import get_local_addr, get_remote_addr, is_ssl
from uvicorn.protocols.output import WriteFlowControl


def released(*args: object) -> None:
    """Stands in for a parser's or adapter's methods once the connection let it go:
    nothing is parsed or sent after that, and the connection no longer holds it."""


class AppWaiter:
    """What the app awaits in ``receive()`` (or a drain) until the connection has news.

    Mixed into the HTTP request cycle and the WebSocket connection, which each keep the
    ``waiter`` in a slot of their own (an empty ``__slots__`` here keeps theirs usable).
    """

    __slots__ = ()

    waiter: asyncio.Future[None] | None

    def _wake(self) -> None:
        """Release the app's wait, once; a later event needs a new waiter."""
        waiter = self.waiter
        if waiter is not None:
            self.waiter = None  # type: ignore[misc]  # the class mixed into keeps the slot
            if not waiter.done():
                waiter.set_result(None)


class ConnectionBase(WriteFlowControl, asyncio.Protocol):
    """A connection's transport, its two addresses, its TLS details and its output."""

    __slots__ = ("client", "server", "transport")

    client: tuple[str, int] | None
    server: tuple[str, int | None] | None

    def take_transport(
        self, transport: asyncio.BaseTransport, local_address: tuple[str, int] | None
    ) -> bool:
        """Keep ``transport`` and read its addresses; True when it is a TLS connection.

        ``local_address`` is the server's when every connection shares it (one listener
        on one address): the kernel is then not asked again.
        """
        self.transport = transport  # type: ignore[assignment]  # always a stream transport
        self.server = local_address or get_local_addr(transport)
        self.client = get_remote_addr(transport)
        return is_ssl(transport)

    def close_transport(self) -> None:
        """Close once the queued bytes are written: by the flush already due at the end
        of this loop pass (or of data_received), which closes with ``closing`` set; at
        once when nothing is queued. connection_lost() then tells the app."""
        if self.closing:
            return
        self.closing = True
        if not self.pending_output:
            self.transport.close()

    def is_closing(self) -> bool:
        """True once the server decided to close, even before the queued bytes left."""
        return self.closing or self.transport.is_closing()

    @property
    def log_prefix(self) -> str:
        """``"host:port - "`` of the client, for log lines (built only when logging)."""
        client = self.client
        return f"{client[0]}:{client[1]} - " if client else ""
