"""HTTP/2 for uvicorn on h2. ``H2Protocol`` is imported on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from uvicorn.importer import lazy_attributes

if TYPE_CHECKING:
    from uvicorn_http_h2._protocol import H2Protocol

__all__ = ["H2Protocol"]
__getattr__ = lazy_attributes(__name__, {"H2Protocol": "uvicorn_http_h2._protocol"})
