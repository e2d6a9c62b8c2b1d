"""Registration only: no import of the lifespan module here."""

from __future__ import annotations

from uvicorn import Implementation, hookimpl


@hookimpl
def uvicorn_lifespans() -> list[Implementation]:
    return [
        Implementation(
            name="timing",
            target="uvicorn_lifespan_timing._lifespan:TimedLifespan",
            priority=1,  # below the core's "on": selected by name, never by auto
            summary="The ASGI lifespan, with startup and shutdown durations logged",
        )
    ]
