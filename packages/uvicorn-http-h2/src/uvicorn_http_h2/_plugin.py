"""Registers the h2 HTTP/2 implementation; imports neither h2 nor the protocol module."""

from __future__ import annotations

from uvicorn import Implementation, hookimpl


@hookimpl
def uvicorn_multiplexed_protocols() -> list[Implementation]:
    return [
        Implementation(
            name="h2",
            target="uvicorn_http_h2._protocol:H2Protocol",
            priority=10,
            requires=("h2",),
            summary="HTTP/2 (ALPN h2 and cleartext prior knowledge) on the h2 library",
        )
    ]
