"""HTTP/1.1 for uvicorn on the h11 parser. ``H11Protocol`` is imported on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from uvicorn.importer import lazy_attributes

if TYPE_CHECKING:
    from uvicorn_http_h11._protocol import H11Protocol

__all__ = ["H11Protocol"]
__getattr__ = lazy_attributes(__name__, {"H11Protocol": "uvicorn_http_h11._protocol"})
