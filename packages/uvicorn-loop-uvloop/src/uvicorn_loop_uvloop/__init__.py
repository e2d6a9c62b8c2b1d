"""The uvloop event loop for uvicorn. ``uvloop_loop_factory`` is imported on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from uvicorn_loop_uvloop._loop import uvloop_loop_factory

__all__ = ["uvloop_loop_factory"]


def __getattr__(name: str) -> Any:
    if name == "uvloop_loop_factory":
        from uvicorn_loop_uvloop._loop import uvloop_loop_factory

        return uvloop_loop_factory
    raise AttributeError(f"module 'uvicorn_loop_uvloop' has no attribute {name!r}")
