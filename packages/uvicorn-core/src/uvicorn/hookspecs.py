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
def uvicorn_supervisors() -> list[Implementation]:
    """Reloaders and worker supervisors this plugin provides.

    Called once, the first time a registry is read. A reloader target is a
    ``uvicorn.supervisors.basereload.BaseReload`` subclass constructed as
    ``cls(config, target, sockets)`` with ``run()``; ``--reload`` runs the available
    reloader with the highest priority, and one that honours ``--reload-include`` /
    ``--reload-exclude`` sets ``supports_patterns = True``. A worker supervisor is
    constructed and run the same way (``--workers N`` runs the one named
    ``multiprocess``); give it a negative priority so that it never wins ``auto``.
    Return Implementation records only and never import the file-watching library
    here. Since 0.1.
    """
