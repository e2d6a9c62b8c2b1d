"""HTTP/1.1 for uvicorn on the h11 parser. ``H11Protocol`` is imported on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from uvicorn_http_h11._protocol import H11Protocol

__all__ = ["H11Protocol"]


def __getattr__(name: str) -> Any:
    if name == "H11Protocol":
        from uvicorn_http_h11._protocol import H11Protocol

        return H11Protocol
    raise AttributeError(f"module 'uvicorn_http_h11' has no attribute {name!r}")
