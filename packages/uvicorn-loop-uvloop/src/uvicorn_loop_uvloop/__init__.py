"""The uvloop event loop for uvicorn. ``uvloop_loop_factory`` is imported on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from uvicorn.importer import lazy_attributes

if TYPE_CHECKING:
    from uvicorn_loop_uvloop._loop import uvloop_loop_factory

__all__ = ["uvloop_loop_factory"]
__getattr__ = lazy_attributes(__name__, {"uvloop_loop_factory": "uvicorn_loop_uvloop._loop"})
