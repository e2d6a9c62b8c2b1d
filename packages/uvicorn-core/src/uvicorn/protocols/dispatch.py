"""The per-connection choice between HTTP/1.1 and a multiplexed protocol (``--http2``).

Made once per connection, by the core, for every plugin: over TLS from the protocol the
client picked through ALPN, on cleartext from the first bytes (a multiplexed protocol's
preface, as HTTP/2 prior knowledge sends it). The chosen protocol then owns the
transport and gets every byte read so far. Without ``--http2`` none of this runs.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from uvicorn._state import ServerState

ProtocolFactory = Callable[[], asyncio.Protocol]


class ProtocolSelector(asyncio.Protocol):
    """Stands in for a connection's protocol until it is known which one the client speaks.

    A TLS connection is decided when it is made (the handshake chose the protocol). A
    cleartext one is decided by its first bytes: the first one that differs from the
    preface makes it HTTP/1.1, the whole preface makes it multiplexed. Until then the
    selector is one of the server's connections, so the request-head timeout and shutdown
    reach a client that connects and sends nothing.
    """

    __slots__ = (
        "alpn_protocol",
        "create_http1",
        "create_multiplexed",
        "deadline",
        "preface",
        "received",
        "server_state",
        "transport",
    )

    def __init__(
        self,
        create_http1: ProtocolFactory,
        create_multiplexed: ProtocolFactory,
        alpn_protocol: str,
        preface: bytes | None,
        server_state: ServerState,
        timeout: float,
    ) -> None:
        self.create_http1 = create_http1
        self.create_multiplexed = create_multiplexed
        self.alpn_protocol = alpn_protocol
        self.preface = preface
        self.server_state = server_state
        self.deadline = server_state.clock + timeout
        self.received = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # always a stream transport
        ssl_object = transport.get_extra_info("ssl_object")
        if ssl_object is not None:
            chosen = ssl_object.selected_alpn_protocol()
            multiplexed = chosen == self.alpn_protocol
            self._hand_over(self.create_multiplexed() if multiplexed else self.create_http1())
        elif self.preface is None:
            self._hand_over(self.create_http1())  # no cleartext form: HTTP/1.1 only
        else:
            self.server_state.connections.add(self)

    def data_received(self, data: bytes) -> None:
        received = self.received = self.received + data
        preface = self.preface
        assert preface is not None
        compared = min(len(received), len(preface))
        if received[:compared] != preface[:compared]:
            self._hand_over(self.create_http1(), received)
        elif len(received) >= len(preface):
            self._hand_over(self.create_multiplexed(), received)
        # else: a prefix of the preface, shorter than it; wait for more

    def eof_received(self) -> bool | None:
        return None  # closes the transport: nothing was said

    def connection_lost(self, exc: Exception | None) -> None:
        self.server_state.connections.discard(self)
        self.transport = None

    def _hand_over(self, protocol: asyncio.Protocol, received: bytes = b"") -> None:
        transport = self.transport
        assert transport is not None
        self.server_state.connections.discard(self)
        self.deadline = math.inf
        self.transport = None
        self.received = b""
        protocol.connection_made(transport)
        transport.set_protocol(protocol)
        if received and not transport.is_closing():
            protocol.data_received(received)

    # -- called by the server, as on any connection -------------------------------------

    def deadline_expired(self) -> None:
        self.shutdown()

    def shutdown(self) -> None:
        if self.transport is not None:
            self.transport.close()


def selecting_factory(
    create_http1: Callable[[], asyncio.Protocol],
    create_multiplexed: Callable[[], asyncio.Protocol],
    multiplexed_class: type[asyncio.Protocol],
    server_state: ServerState,
    timeout: float,
) -> Callable[[], asyncio.Protocol]:
    """The protocol factory a listener uses with ``--http2``: one selector per connection."""
    alpn_protocol: str = getattr(multiplexed_class, "alpn_protocol")  # noqa: B009 - declared by the class
    preface: bytes | None = getattr(multiplexed_class, "prior_knowledge_preface", None)

    def create_selector() -> asyncio.Protocol:
        return ProtocolSelector(
            create_http1, create_multiplexed, alpn_protocol, preface, server_state, timeout
        )

    return create_selector
