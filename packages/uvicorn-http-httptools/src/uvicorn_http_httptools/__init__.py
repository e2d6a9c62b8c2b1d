"""HTTP/1.1 for uvicorn on httptools. ``HttpToolsProtocol`` is imported on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from uvicorn_http_httptools._protocol import HttpToolsProtocol

__all__ = ["HttpToolsProtocol"]


def __getattr__(name: str) -> Any:
    if name == "HttpToolsProtocol":
        from uvicorn_http_httptools._protocol import HttpToolsProtocol

        return HttpToolsProtocol
    raise AttributeError(f"module 'uvicorn_http_httptools' has no attribute {name!r}")
