"""uvicorn's conformance kit for plugin authors: a pytest plugin and the suites every HTTP
and WebSocket implementation must pass.

    pytest --pyargs uvicorn.testing.conformance --uvicorn-http NAME

Nothing is imported until it is used: pytest loads ``uvicorn.testing.plugin`` in every
session, and ``import uvicorn`` never imports this package. The helpers are importable from
here (``from uvicorn.testing import run_server``) or from their modules:
``uvicorn.testing.utils`` (servers, processes, raw sockets), ``uvicorn.testing.client``
(an HTTP client), ``uvicorn.testing.websocket`` (WebSocket frames and client) and
``uvicorn.testing.apps`` (ASGI apps). See docs/writing-plugins.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from uvicorn.importer import lazy_attributes

if TYPE_CHECKING:
    from uvicorn.testing.client import HTTPResponse, http_request
    from uvicorn.testing.utils import (
        RunningServer,
        ServerProcess,
        ThreadedServer,
        raw_request,
        read_response,
        read_until_closed,
        run_command,
        run_server,
        serve_threaded,
        wait_for,
    )
    from uvicorn.testing.websocket import (
        connect,
        frame,
        handshake_request,
        open_raw,
        read_close,
        read_frame,
        read_server_frame,
        ws_server,
        ws_url,
    )

_LAZY = {
    **dict.fromkeys(("HTTPResponse", "http_request"), "uvicorn.testing.client"),
    **dict.fromkeys(
        (
            "RunningServer",
            "ServerProcess",
            "ThreadedServer",
            "raw_request",
            "read_response",
            "read_until_closed",
            "run_command",
            "run_server",
            "serve_threaded",
            "wait_for",
        ),
        "uvicorn.testing.utils",
    ),
    **dict.fromkeys(
        (
            "connect",
            "frame",
            "handshake_request",
            "open_raw",
            "read_close",
            "read_frame",
            "read_server_frame",
            "ws_server",
            "ws_url",
        ),
        "uvicorn.testing.websocket",
    ),
}

__all__ = [
    "HTTPResponse",
    "RunningServer",
    "ServerProcess",
    "ThreadedServer",
    "connect",
    "frame",
    "handshake_request",
    "http_request",
    "open_raw",
    "raw_request",
    "read_close",
    "read_frame",
    "read_response",
    "read_server_frame",
    "read_until_closed",
    "run_command",
    "run_server",
    "serve_threaded",
    "wait_for",
    "ws_server",
    "ws_url",
]


__getattr__ = lazy_attributes(__name__, _LAZY)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
