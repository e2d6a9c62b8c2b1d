"""Registers the uvloop event loop; does not import uvloop."""

from __future__ import annotations

from uvicorn import Implementation, hookimpl


@hookimpl
def uvicorn_loop_factories() -> list[Implementation]:
    return [
        Implementation(
            name="uvloop",
            target="uvicorn_loop_uvloop._loop:uvloop_loop_factory",
            priority=10,
            requires=("uvloop",),
            summary="libuv-based event loop (uvloop)",
        )
    ]
