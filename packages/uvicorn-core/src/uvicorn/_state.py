"""The state a server shares with its connections: the bottom floor every layer may import.

The protocols keep a reference to it, the server fills it; it imports nothing of uvicorn,
so that the protocols need not import the server for it. ``uvicorn.server.ServerState``
stays its public name.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any


class ServerState:
    """State shared between the server and all of its connections."""

    def __init__(self) -> None:
        self.total_requests = 0
        self.connections: set[Any] = set()
        self.tasks: set[asyncio.Task[None]] = set()
        self.default_headers: list[tuple[bytes, bytes]] = []
        self.default_header_names: frozenset[bytes] = frozenset()
        self.default_headers_block = b""
        # Connections with output queued during this pass of the event loop.
        self.flush_queue: list[Any] = []
        # Response header lists apps sent, analysed (see protocols.http.cycle).
        self.response_headers: dict[tuple[Any, ...], Any] = {}
        # (status, *headers) -> the whole encoded head of a keep-alive response and its
        # framing; it holds the Date header, so it is emptied when that changes.
        self.response_heads: dict[tuple[Any, ...], Any] = {}
        self.closing_response_heads: dict[tuple[Any, ...], Any] = {}  # the same, closing
        # Per protocol class: the settings its connections share (computed by the first).
        self.connection_settings: dict[type, Any] = {}
        # A coarse monotonic clock (updated every tick) for connection deadlines.
        self.clock = time.monotonic()
        # Set at shutdown: idle keep-alive connections get the first-request grace too.
        self.drain_idle_connections = False
        # The local address all connections share (one listener on one IP address), set
        # at startup; None: each connection asks its socket.
        self.local_address: tuple[str, int] | None = None
        # The observer hooks' implementations (uvicorn.observers), collected at startup;
        # None when nothing observes.
        self.observers: Any = None
