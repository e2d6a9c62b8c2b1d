"""WebSockets for uvicorn on the websockets library. Classes are imported on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from uvicorn.importer import lazy_attributes

if TYPE_CHECKING:
    from uvicorn_ws_websockets._asyncio import WebSocketProtocol
    from uvicorn_ws_websockets._sansio import WebSocketsSansIOProtocol

__all__ = ["WebSocketProtocol", "WebSocketsSansIOProtocol"]
__getattr__ = lazy_attributes(
    __name__,
    {
        "WebSocketProtocol": "uvicorn_ws_websockets._asyncio",
        "WebSocketsSansIOProtocol": "uvicorn_ws_websockets._sansio",
    },
)
