"""The core's own implementations, registered through the same hooks as any plugin."""

from __future__ import annotations

from uvicorn._implementation import Implementation
from uvicorn._markers import hookimpl


@hookimpl
def uvicorn_loop_factories() -> list[Implementation]:
    return [
        Implementation(
            name="asyncio",
            target="uvicorn.loops.asyncio:asyncio_loop_factory",
            priority=0,
            summary="The standard library asyncio event loop",
        )
    ]


@hookimpl
def uvicorn_lifespans() -> list[Implementation]:
    return [
        Implementation(
            name="on",
            target="uvicorn.lifespan.on:LifespanOn",
            priority=10,
            summary="Run the ASGI lifespan protocol (auto tolerates apps without it)",
        ),
        Implementation(
            name="off",
            target="uvicorn.lifespan.off:LifespanOff",
            priority=0,
            summary="Do not run the ASGI lifespan protocol",
        ),
    ]


@hookimpl
def uvicorn_reloaders() -> list[Implementation]:
    return [
        Implementation(
            name="stat",
            target="uvicorn.supervisors.statreload:StatReload",
            priority=0,
            summary="Reload by polling the modification times of *.py files",
        )
    ]


@hookimpl
def uvicorn_process_managers() -> list[Implementation]:
    return [
        Implementation(
            name="multiprocess",
            target="uvicorn.supervisors.multiprocess:Multiprocess",
            priority=0,
            summary="Run --workers N processes on one socket, restarted when they fail",
        )
    ]
