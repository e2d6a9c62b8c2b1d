"""HTTP/1.1 for uvicorn on httptools. ``HttpToolsProtocol`` is imported on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from uvicorn.importer import lazy_attributes

if TYPE_CHECKING:
    from uvicorn_http_httptools._protocol import HttpToolsProtocol

__all__ = ["HttpToolsProtocol"]
__getattr__ = lazy_attributes(__name__, {"HttpToolsProtocol": "uvicorn_http_httptools._protocol"})
