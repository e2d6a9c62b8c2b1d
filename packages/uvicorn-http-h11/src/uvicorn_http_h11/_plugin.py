"""Registers the h11 HTTP implementation; imports neither h11 nor the protocol module."""

from __future__ import annotations

from uvicorn import Implementation, hookimpl


@hookimpl
def uvicorn_http_protocols() -> list[Implementation]:
    return [
        Implementation(
            name="h11",
            target="uvicorn_http_h11._protocol:H11Protocol",
            priority=10,
            requires=("h11",),
            summary="Pure-Python HTTP/1.1 parser (h11)",
        )
    ]
