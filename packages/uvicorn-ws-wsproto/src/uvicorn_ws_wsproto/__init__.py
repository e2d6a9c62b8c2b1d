"""WebSockets for uvicorn on wsproto. ``WSProtocol`` is imported on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from uvicorn.importer import lazy_attributes

if TYPE_CHECKING:
    from uvicorn_ws_wsproto._protocol import WSProtocol

__all__ = ["WSProtocol"]
__getattr__ = lazy_attributes(__name__, {"WSProtocol": "uvicorn_ws_wsproto._protocol"})
