"""The hook specifications of uvicorn: the whole API a plugin implements.

A plugin is a module registered under the ``uvicorn`` entry-point group, for example::

    [project.entry-points.uvicorn]
    h11 = "uvicorn_http_h11._plugin"

The module defines functions named after the hooks below, decorated with
``uvicorn.hookimpl``. Each registration hook returns a list of
:class:`uvicorn.Implementation` records. The core calls every registration hook once,
the first time one of its registries is read (never when ``uvicorn`` is imported), and
resolves everything at startup: no hook is ever called while requests are served.

A hook implementation must be cheap and side-effect free: it must not import the
implementation's library (h11, httptools, websockets, wsproto, uvloop, watchfiles...) or
the target module. Name the target in ``Implementation.target`` and list the libraries
it needs in ``Implementation.requires``; the core imports the target only when the
implementation is selected.
"""

# Specs have no bodies: pluggy only reads their signatures and docstrings.
# mypy: disable-error-code="empty-body"

from __future__ import annotations

from uvicorn._implementation import Implementation
from uvicorn._markers import hookspec


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
