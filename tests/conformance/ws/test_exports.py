"""The classes each WebSocket plugin of this repository exports: specific to our plugins,
so not part of the kit's suite."""

from __future__ import annotations


def test_plugins_export_uvicorn_class_names() -> None:
    from uvicorn.protocols.websockets.connection import WebSocketConnection
    from uvicorn_ws_websockets import WebSocketProtocol, WebSocketsSansIOProtocol
    from uvicorn_ws_wsproto import WSProtocol

    for cls in (WebSocketProtocol, WebSocketsSansIOProtocol, WSProtocol):
        assert issubclass(cls, WebSocketConnection)
