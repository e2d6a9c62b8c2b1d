"""Observing the server: what the observer hooks report, and how the core calls them.

A plugin observes by implementing any of the observer hook specs in
:mod:`uvicorn.hookspecs` (``uvicorn_request_finished`` and the like). The core collects
the implementations once, when a server starts, into an :class:`Observers`; with none
installed there is no ``Observers`` at all, and the per-request path tests one attribute.
With some, each event calls their functions directly (no pluggy call per request), and
an observer that raises is logged and does not disturb the request or the others.

What observers receive are plain records, built only when someone observes.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import Any, Final

logger = logging.getLogger("uvicorn.error")

#: The observer hook specs, by the event each reports.
EVENTS: Final = (
    "worker_started",
    "worker_stopping",
    "connection_opened",
    "connection_closed",
    "request_started",
    "request_finished",
    "websocket_opened",
    "websocket_closed",
)


@dataclasses.dataclass(slots=True)
class ConnectionInfo:
    """One client connection, as ``uvicorn_connection_opened``/``_closed`` see it."""

    protocol: str  # "http/1.1", or the multiplexed protocol's ALPN name ("h2")
    client: tuple[str, int] | None
    server: tuple[str, int | None] | None
    tls: bool


@dataclasses.dataclass(slots=True)
class RequestInfo:
    """One request, as ``uvicorn_request_started``/``_finished`` see it.

    At ``started``, ``status`` is 0 and the counters are 0; at ``finished`` they hold the
    response status (0 when none was sent), the request and response body bytes, and
    the seconds from the request head to the end of the app's call.
    """

    method: str
    path: str
    query_string: bytes
    http_version: str
    scheme: str
    client: tuple[str, int] | None
    status: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    duration: float = 0.0
    upgraded: bool = False  # the request became a WebSocket connection


@dataclasses.dataclass(slots=True)
class WebSocketInfo:
    """One WebSocket connection, as ``uvicorn_websocket_opened``/``_closed`` see it."""

    path: str
    client: tuple[str, int] | None
    close_code: int | None = None  # at closed: the code the connection ended with


Callback = Callable[[Any], None]


class Observers:
    """The observer functions of one server, collected once, by event."""

    __slots__ = EVENTS

    worker_started: tuple[Callback, ...]
    worker_stopping: tuple[Callback, ...]
    connection_opened: tuple[Callback, ...]
    connection_closed: tuple[Callback, ...]
    request_started: tuple[Callback, ...]
    request_finished: tuple[Callback, ...]
    websocket_opened: tuple[Callback, ...]
    websocket_closed: tuple[Callback, ...]

    def __init__(self, **callbacks: tuple[Callback, ...]) -> None:
        for event in EVENTS:
            setattr(self, event, callbacks.get(event, ()))

    @property
    def requests(self) -> bool:
        """Whether anyone observes requests (the core then counts bytes and time)."""
        return bool(self.request_started or self.request_finished)

    @classmethod
    def collect(cls) -> Observers | None:
        """The observers the installed plugins provide; None when there are none."""
        from uvicorn._registry import get_registry

        hooks = get_registry().host.manager.hook
        found = {}
        for event in EVENTS:
            implementations = getattr(hooks, f"uvicorn_{event}").get_hookimpls()
            found[event] = tuple(_caller(impl) for impl in implementations)
        if not any(found.values()):
            return None
        return cls(**found)


def _caller(impl: Any) -> Callback:
    """The implementation itself, or a wrapper for one that takes no argument (pluggy
    lets an implementation leave out the spec's arguments)."""
    function: Callback = impl.function
    if impl.argnames:
        return function
    return lambda record: function()  # type: ignore[call-arg]  # it takes none


def notify(callbacks: tuple[Callback, ...], record: object) -> None:
    """Call each observer with ``record``; one that raises is logged, the rest still run."""
    for callback in callbacks:
        try:
            callback(record)
        except Exception:
            logger.exception("Observer %s failed", getattr(callback, "__qualname__", callback))
