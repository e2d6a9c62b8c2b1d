"""The hook specifications of uvicorn: the whole API a plugin implements.

A plugin is a module registered under the ``uvicorn`` entry-point group, for example::

    [project.entry-points.uvicorn]
    h11 = "uvicorn_http_h11._plugin"

The module defines functions named after the hooks below, decorated with
``uvicorn.hookimpl``. Each registration hook returns a list of
:class:`uvicorn.Implementation` records. The core calls every registration hook once,
the first time one of its registries is read (never when ``uvicorn`` is imported), and
resolves everything at startup: no registration hook is ever called while requests are
served. The observer hooks at the end are collected once at startup too, and their
implementations are then called directly, never through pluggy.

A hook implementation must be cheap and side-effect free: it must not import the
implementation's library (h11, httptools, websockets, wsproto, uvloop, watchfiles...) or
the target module. Name the target in ``Implementation.target`` and list the libraries
it needs in ``Implementation.requires``; the core imports the target only when the
implementation is selected.
"""

# Specs have no bodies: pluggy only reads their signatures and docstrings.
# mypy: disable-error-code="empty-body"

from __future__ import annotations

from typing import TYPE_CHECKING

from uvicorn._implementation import Implementation
from uvicorn._markers import hookspec

if TYPE_CHECKING:
    from uvicorn.config import Config
    from uvicorn.observers import ConnectionInfo, RequestInfo, WebSocketInfo


@hookspec
def uvicorn_http_protocols() -> list[Implementation]:
    """HTTP/1.1 implementations this plugin provides.

    Called once, the first time a registry is read. Each target is an
    ``asyncio.Protocol`` class constructed as ``cls(config, server_state, app_state,
    _loop=None)``, usually a subclass of :class:`uvicorn.protocols.http.connection.HTTPConnection`
    that adapts one parser library. Return Implementation records only: name the class in
    ``target`` and never import it here. Since 0.1.
    """


@hookspec
def uvicorn_multiplexed_protocols() -> list[Implementation]:
    """Multiplexed HTTP implementations (HTTP/2) this plugin provides, for ``--http2``.

    Called once, the first time a registry is read; listed as kind ``http2``. With
    ``--http2`` the core resolves the available one with the highest priority once, at
    startup, and chooses per connection, for every plugin alike: over TLS it offers the
    class's ``alpn_protocol`` beside ``http/1.1`` and hands the connection to the protocol
    the client picked; on cleartext a connection that begins with the class's
    ``prior_knowledge_preface`` is handed over with every byte read so far, any other
    goes to the HTTP/1.1 implementation. Each target is a subclass of
    :class:`uvicorn.protocols.http.multiplexed.MultiplexedConnection` constructed as
    ``cls(config, server_state, app_state, _loop=None)`` that names its frame library's
    adapter in ``codec_class``; the core runs every stream through the same ASGI cycle,
    validation, limits and access log as an HTTP/1.1 request. Return Implementation
    records only and never import the protocol library (h2) here. Since 0.1.
    """


@hookspec
def uvicorn_ws_protocols() -> list[Implementation]:
    """WebSocket implementations this plugin provides.

    Called once, the first time a registry is read. Each target is an
    ``asyncio.Protocol`` class constructed as ``cls(config, server_state, app_state,
    _loop=None)``; HTTP implementations hand an upgrade request over to it. Subclass
    ``uvicorn.protocols.websockets.connection.WebSocketConnection`` to adapt a library
    and share the core's ASGI cycle. Return Implementation records only and never
    import the WebSocket library here. Since 0.1.
    """


@hookspec
def uvicorn_loop_factories() -> list[Implementation]:
    """Event loop implementations this plugin provides.

    Called once, the first time a registry is read. Each target is a factory
    ``(use_subprocess: bool) -> Callable[[], asyncio.AbstractEventLoop]``. Return
    Implementation records only and never import the loop library here. Since 0.1.
    """


@hookspec
def uvicorn_lifespans() -> list[Implementation]:
    """Lifespan implementations this plugin provides.

    Called once, the first time a registry is read. Each target is a class
    ``cls(config)`` with ``async startup()``, ``async shutdown()`` and a
    ``should_exit`` attribute. Return Implementation records only; do not start
    anything here. Since 0.1.
    """


@hookspec
def uvicorn_reloaders() -> list[Implementation]:
    """Reloaders this plugin provides, for ``--reload``.

    Called once, the first time a registry is read. Each target is a
    ``uvicorn.supervisors.basereload.BaseReload`` subclass constructed as
    ``cls(config, target, sockets)`` with ``run()``. ``--reload`` runs the available
    reloader with the highest priority (watchfiles 10 > the core's stat 0); one that
    honours ``--reload-include`` / ``--reload-exclude`` sets the class attribute
    ``supports_patterns = True``. Return Implementation records only and never import
    the file-watching library here. Since 0.1 (before, ``uvicorn_supervisors``).
    """


@hookspec
def uvicorn_process_managers() -> list[Implementation]:
    """Process managers this plugin provides, for ``--workers N``.

    Called once, the first time a registry is read. Each target is a class constructed
    as ``cls(config, target, sockets)`` whose ``run()`` runs ``target`` (the server) in
    ``config.workers`` processes sharing ``sockets``, and returns when they have all
    stopped. ``--workers N`` runs the available process manager with the highest
    priority; the core's ``multiprocess`` has priority 0, so give yours a negative one
    unless it should replace it. Return Implementation records only and never import a
    process-management library here. Since 0.1.
    """


@hookspec
def uvicorn_supervisors() -> list[Implementation]:
    """Deprecated: implement ``uvicorn_reloaders`` (or ``uvicorn_process_managers``).

    Called once, the first time a registry is read, like ``uvicorn_reloaders``: what it
    returns is registered as reloaders. A plugin that implements it gets a
    DeprecationWarning naming it when it is registered. Since 0.1, deprecated in 0.1.
    """


# -- observer hooks --------------------------------------------------------------------------
#
# A plugin observes the server by implementing any of these. The core collects the
# implementations once per server, at start-up (uvicorn.observers.Observers); with none
# installed the per-request path only tests one attribute. Each is called with one
# record, directly, in the server's event loop: return quickly and never block (hand
# slow work to a thread or a queue). An observer that raises is logged on uvicorn.error
# and neither the request nor the other observers notice. The records are plain objects
# built for observers only; keep them if you need them later.


@hookspec
def uvicorn_worker_started(config: Config) -> None:
    """Called once a server (one worker process, or the only one) started and listens.
    Since 0.1."""


@hookspec
def uvicorn_worker_stopping(config: Config) -> None:
    """Called when the server stops: it closed its listeners and begins its graceful
    shutdown. Since 0.1."""


@hookspec
def uvicorn_connection_opened(connection: ConnectionInfo) -> None:
    """Called when a client connection was accepted (``protocol``: ``"http/1.1"``).
    Since 0.1."""


@hookspec
def uvicorn_connection_closed(connection: ConnectionInfo) -> None:
    """Called when that connection is gone (the same record as at opened). Since 0.1."""


@hookspec
def uvicorn_request_started(request: RequestInfo) -> None:
    """Called when a request head was parsed and the app is about to be called.
    Since 0.1."""


@hookspec
def uvicorn_request_finished(request: RequestInfo) -> None:
    """Called when the app's call for that request ended (the same record, with the
    status, the body bytes in and out and the duration filled in; status 0 when the app
    sent no response and the client had left). Since 0.1."""


@hookspec
def uvicorn_websocket_opened(websocket: WebSocketInfo) -> None:
    """Called when the app accepted a WebSocket connection. Since 0.1."""


@hookspec
def uvicorn_websocket_closed(websocket: WebSocketInfo) -> None:
    """Called when that WebSocket connection is gone (``close_code`` filled in).
    Since 0.1."""
